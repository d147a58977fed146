"""The receive / heartbeat / acknowledge loop (worker/queue/runtime.py) on the in-memory queue
(worker/queue/memory.py), as Dramatiq tests its workers on the StubBroker.

The loop is the real one, with its real process pool; the service runs on fakes of our own
ports (tests/support/fakes.py: a folder as the object store, JSON files as the index, the
fake extractor whose file text decides what happens). A "long file" (`wait-for NAME`) ends
when the test creates OUTPUT_DIR/NAME, so no test depends on how fast the machine is.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fakes import build_folder_service
from worker.config import Settings
from worker.queue.memory import InMemoryQueue
from worker.queue.runtime import QueueWorker

BUCKET = "landing"


def body(key: str, sequencer: str = "0A", kind: str = "Object Created") -> str:
    return json.dumps({"source": "aws.s3", "detail-type": kind,
                       "time": "2026-01-01T00:00:00Z",
                       "detail": {"bucket": {"name": BUCKET},
                                  "object": {"key": key, "sequencer": sequencer}}})


class Loop:
    """One worker loop on an in-memory queue, its folders under `out`."""

    def __init__(self, out: Path, **env: str) -> None:
        self.out = out
        (out / "objects" / BUCKET).mkdir(parents=True)
        self.queue = InMemoryQueue()
        self.settings = Settings.from_env({
            "SQS_QUEUE_URL": self.queue.url, "OUTPUT_DIR": str(out), "TRACING": "off",
            "WORKER_CONCURRENCY": "2", "VISIBILITY_TIMEOUT_SECONDS": "4",
            "SQS_WAIT_TIME_SECONDS": "0", "RETRY_BACKOFF_BASE_SECONDS": "1",
            "RETRY_BACKOFF_MAX_SECONDS": "1", "HEALTH_FILE": str(out / "alive"), **env})
        self.worker = QueueWorker(self.settings, self.queue, build_folder_service)

    def put(self, key: str, text: str) -> None:
        (self.out / "objects" / BUCKET / key).write_text(text, encoding="utf-8")
        self.queue.send(body(key))

    def run_until(self, done: Callable[[], bool], timeout_s: float = 60) -> int:
        """Run the loop until `done()`, then stop it as SIGTERM would; its exit code."""
        failed: list[str] = []

        def watch() -> None:
            deadline = time.monotonic() + timeout_s
            while not done():
                if time.monotonic() > deadline:
                    failed.append("timed out")
                    self.worker.signals = 2
                    return
                time.sleep(0.05)
            self.worker.signals = 1

        threading.Thread(target=watch, daemon=True).start()
        code = self.worker.run()
        assert not failed, "the loop did not get there in time"
        return code

    def documents(self) -> dict[str, dict[str, Any]]:
        found = [json.loads(p.read_text("utf-8"))
                 for p in (self.out / "documents").glob("*.json")]
        return {d["source"]["key"]: d for d in found}


@pytest.fixture
def scratch_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TMPDIR of the loop and of its pool processes: what a job leaves shows here."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    yield root


@pytest.fixture
def loop(tmp_path: Path, scratch_root: Path) -> Loop:
    return Loop(tmp_path / "out")


def test_a_message_is_processed_acknowledged_and_leaves_nothing_in_tmp(
        loop: Loop, scratch_root: Path) -> None:
    loop.put("見積書.txt", "見積金額 120,000円")
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    document = loop.documents()["見積書.txt"]
    assert document["content"] == "見積金額 120,000円" and document["thumbnail"] is None
    assert list(scratch_root.iterdir()) == []


def test_a_bad_file_becomes_a_failed_document_and_its_message_is_deleted(loop: Loop) -> None:
    loop.put("broken.pdf", "corrupt")
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    document = loop.documents()["broken.pdf"]
    assert (document["status"], document["error_code"]) == ("failed", "corrupt")
    assert loop.queue.dead_letters == []


def test_a_hostile_body_goes_to_the_dlq_and_the_messages_beside_it_are_processed(
        loop: Loop) -> None:
    nested = "[" * 60_000 + "]" * 60_000
    loop.queue.send(nested)
    loop.put("fine.txt", "大丈夫")
    loop.run_until(lambda: len(loop.queue) == 0)
    assert loop.queue.dead_letters == [nested]  # after its 3 receives, like the redrive policy
    assert loop.documents()["fine.txt"]["status"] == "complete"


def test_never_receives_more_messages_than_free_slots(loop: Loop) -> None:
    for number in range(5):
        loop.put(f"long{number}.txt", "wait-for go")
    seen: dict[str, int] = {}

    def release_when_both_slots_are_busy() -> bool:
        if (loop.out / "go.started").exists() and "visible" not in seen:
            time.sleep(1.0)  # several turns of the loop with both slots busy
            seen["visible"] = loop.queue.visible()
            (loop.out / "go").touch()
        return len(loop.queue) == 0

    loop.run_until(release_when_both_slots_are_busy)
    assert seen["visible"] == 3, "received while the pool was full"
    assert len(loop.documents()) == 5
    assert all(call.asked <= 2 for call in loop.queue.receives)
    assert max(call.got for call in loop.queue.receives) == 2


def test_the_heartbeat_hides_a_long_file_from_a_second_consumer(tmp_path: Path,
                                                                  scratch_root: Path) -> None:
    loop = Loop(tmp_path / "out", VISIBILITY_TIMEOUT_SECONDS="1")
    loop.put("long.txt", "wait-for go")
    stolen: list[object] = []

    def second_consumer() -> bool:  # polls through three visibility timeouts of 1 s
        if not (loop.out / "go.started").exists():
            return False
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline:
            stolen.extend(loop.queue.receive(10, 0, 30))
            time.sleep(0.1)
        (loop.out / "go").touch()
        return True

    assert loop.run_until(second_consumer) == 0  # then drains: the file finishes
    assert stolen == [] and len(loop.queue) == 0
    # one delivery in all: neither the second consumer nor the loop's own polls (a slot
    # is free) saw the message again
    assert sum(call.got for call in loop.queue.receives) == 1
    assert loop.documents()["long.txt"]["status"] == "complete"


def test_the_hard_cap_records_a_too_slow_failed_document_and_cleans_its_scratch(
        tmp_path: Path, scratch_root: Path) -> None:
    loop = Loop(tmp_path / "out", MESSAGE_HOLD_CAP_SECONDS="2")
    loop.put("endless.txt", "wait-for never")
    loop.put("after.txt", "次のファイル")
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    documents = loop.documents()
    assert (documents["endless.txt"]["status"],
            documents["endless.txt"]["error_code"]) == ("failed", "too-slow")
    assert "hard cap of 2 s" in documents["endless.txt"]["reason"]
    assert documents["after.txt"]["status"] == "complete"
    assert loop.queue.dead_letters == []
    assert list(scratch_root.iterdir()) == []  # the killed job's download is gone too


def test_a_file_past_the_memory_limit_retires_its_process_and_the_rest_goes_on(
        tmp_path: Path, scratch_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One pool process: the file after the one that ran out of memory is read by a fresh
    one, and nothing is retried or lost."""
    loop = Loop(tmp_path / "out", PROCESS_MEMORY_LIMIT_MB="400", WORKER_CONCURRENCY="1")
    loop.put("hog.bin", "hog")
    loop.put("after.txt", "次のファイル")
    with caplog.at_level(logging.INFO, logger="worker.queue"):
        assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    documents = loop.documents()
    assert (documents["hog.bin"]["status"], documents["hog.bin"]["error_code"]) == (
        "failed", "too-large")
    assert "400 MiB" in documents["hog.bin"]["reason"]
    assert documents["after.txt"]["status"] == "complete"
    [retired] = [r.__dict__["pid"] for r in caplog.records
                 if r.getMessage().startswith("pool process retired")]
    done = [r.__dict__["pid"] for r in caplog.records if r.getMessage() == "message done"]
    assert len(done) == 2 and retired in done and len(set(done)) == 2
    assert not [r for r in caplog.records if r.getMessage() == "message kept for a retry"]
    assert loop.queue.dead_letters == [] and list(scratch_root.iterdir()) == []


def test_a_file_that_kills_its_process_twice_is_recorded_as_crashed(loop: Loop) -> None:
    loop.put("crash.bin", "crash")
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    document = loop.documents()["crash.bin"]
    assert (document["status"], document["error_code"]) == ("failed", "worker-crashed")
    assert "2 receives" in document["reason"]
    assert loop.queue.dead_letters == []


def test_a_fatal_error_releases_the_message_and_exits_2(loop: Loop) -> None:
    loop.put("needs-ocr.png", "fatal")
    assert loop.worker.run() == 2  # stops by itself
    assert len(loop.queue) == 1 and loop.queue.visible() == 1  # released for another task
    assert loop.documents() == {}


def test_a_file_failing_on_every_receive_gets_a_failed_document_before_the_dlq(
        loop: Loop) -> None:
    loop.put("odd.xlsx", "bug")
    loop.run_until(lambda: len(loop.queue) == 0)
    document = loop.documents()["odd.xlsx"]
    assert (document["status"], document["error_code"]) == ("failed", "retries-exhausted")
    assert "3 receives" in document["reason"] and "ValueError" in document["reason"]
    assert len(loop.queue.dead_letters) == 1  # still dead-lettered: a redrive can retry it


def test_a_create_older_than_a_delete_already_applied_stays_deleted(loop: Loop) -> None:
    """The sink keeps a tombstone with the delete's sequencer (as the index does)."""
    loop.queue.send(body("moved.txt", "0B", "Object Deleted"))
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    (loop.out / "objects" / BUCKET / "moved.txt").write_text("古い版", encoding="utf-8")
    loop.queue.send(body("moved.txt", "0A"))  # the older create, delivered late
    loop.worker = QueueWorker(loop.settings, loop.queue, build_folder_service)
    assert loop.run_until(lambda: len(loop.queue) == 0) == 0
    assert loop.documents() == {}
    writes = [json.loads(line) for line in
              (loop.out / "writes.log").read_text("utf-8").splitlines()]
    assert [w.get("deleted", w.get("stale")) for w in writes] == [True, True]
