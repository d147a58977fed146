"""Fault tests of the queue worker as a real subprocess on moto (S3 → EventBridge → SQS).

The extraction is the fake of tests/support/fakes.py, so a "long file" ends when the test
says so (`wait-for NAME` blocks until OUTPUT_DIR/NAME exists): no test depends on timing.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.landing import Landing
from tests.fixtures.worker_process import WorkerProcess, run_cli
from tests.support.envs import fast_env

pytestmark = pytest.mark.integration  # moto server


def writes(out: Path) -> list[dict[str, object]]:
    log = out / "writes.log"
    lines = log.read_text("utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


def documents(out: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text("utf-8")) for p in (out / "documents").glob("*.json")]


def put(landing: Landing, key: str, text: str) -> None:
    landing.aws.client("s3").put_object(Bucket=landing.bucket, Key=key, Body=text.encode())


def test_kill_9_mid_file_returns_the_message_and_ends_as_one_document(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    env = fast_env(landing, tmp_path, VISIBILITY_TIMEOUT_SECONDS="3")
    put(landing, "long.txt", "wait-for go")
    first = start_worker(env, fake=True)
    first.wait_for(lambda: (tmp_path / "go.started").exists(), "the file to start")
    first.kill_hard()  # the task vanishes mid-file, pool processes too
    assert documents(tmp_path) == []
    (tmp_path / "go").touch()  # from now on the file can finish
    second = start_worker(env, fake=True)
    [done] = second.wait_for_log("message done")
    assert done["receive_count"] == 2  # the same message, back after its visibility timeout
    assert len(documents(tmp_path)) == 1
    assert len([w for w in writes(tmp_path) if not w.get("refused")]) == 1
    assert landing.count() == 0


def test_sigterm_during_a_long_file_finishes_it_without_new_receives(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    put(landing, "long.txt", "wait-for go")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for(lambda: (tmp_path / "go.started").exists(), "the file to start")
    worker.signal(signal.SIGTERM)
    worker.wait_for_log("shutting down: no new receives")
    put(landing, "later.txt", "arrives during the shutdown")
    received_before = len(worker.logs("message received"))
    (tmp_path / "go").touch()
    assert worker.wait_exit() == 0
    assert len(worker.logs("message received")) == received_before == 1
    assert [d["source"]["key"] for d in documents(tmp_path)] == ["long.txt"]  # type: ignore[index]
    [left] = landing.receive_all()  # the later file waits for the next worker
    assert json.loads(left["Body"])["detail"]["object"]["key"] == "later.txt"


def start_on_endless_file(landing: Landing, start_worker: Callable[..., WorkerProcess],
                          out: Path, **env: str) -> WorkerProcess:
    """A worker busy with a file that never ends, hidden for 60 s by its receive."""
    put(landing, "long.txt", "wait-for never")
    worker = start_worker(fast_env(landing, out, VISIBILITY_TIMEOUT_SECONDS="60", **env),
                          fake=True)
    worker.wait_for(lambda: (out / "never.started").exists(), "the file to start")
    worker.signal(signal.SIGTERM)
    return worker


def test_sigterm_with_the_budget_spent_releases_the_file_at_once(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    worker = start_on_endless_file(landing, start_worker, tmp_path, SHUTDOWN_BUDGET_SECONDS="0")
    assert worker.wait_exit() == 0
    assert worker.logs("messages released")
    assert documents(tmp_path) == []
    # visibility 0: back at once, not after the 60 s the worker had asked for
    [back] = landing.receive_all()
    assert json.loads(back["Body"])["detail"]["object"]["key"] == "long.txt"


def test_second_signal_releases_and_exits_at_once(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    worker = start_on_endless_file(landing, start_worker, tmp_path,
                                   SHUTDOWN_BUDGET_SECONDS="600")
    worker.wait_for_log("shutting down: no new receives")
    worker.signal(signal.SIGTERM)
    assert worker.wait_exit(timeout_s=60) == 0  # long before the 600 s budget
    assert worker.logs("second signal: releasing everything held and exiting")
    assert len(landing.receive_all()) == 1


def test_a_file_longer_than_the_visibility_timeout_is_kept_by_the_heartbeat(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    """A 2 s visibility timeout against a file that takes as long as the test wants. The
    worker itself polls all along (a slot is free), and so does a second consumer: if the
    heartbeat did not extend the message for real, one of them would receive it again."""
    put(landing, "long.txt", "wait-for go")
    worker = start_worker(fast_env(landing, tmp_path, VISIBILITY_TIMEOUT_SECONDS="2",
                                   WORKER_CONCURRENCY="2"), fake=True)
    worker.wait_for(lambda: (tmp_path / "go.started").exists(), "the file to start")
    sqs = landing.aws.client("sqs")
    stolen = []
    deadline = time.monotonic() + 6  # three visibility timeouts
    while time.monotonic() < deadline:
        stolen += sqs.receive_message(QueueUrl=landing.queue_url, WaitTimeSeconds=1,
                                      VisibilityTimeout=30).get("Messages", [])
    assert stolen == []
    assert len(worker.logs("visibility extended")) >= 4  # logged only when SQS confirmed
    (tmp_path / "go").touch()
    [done] = worker.wait_for_log("message done")
    assert done["receive_count"] == 1
    assert len(worker.logs("message received")) == 1  # never delivered a second time
    assert worker.logs("received a message already held: kept its new receipt") == []
    assert worker.logs("visibility change failed") == []
    assert len(documents(tmp_path)) == 1
    assert landing.count() == 0


def test_a_poison_message_reaches_the_dlq_after_3_receives_and_redrive_brings_it_back(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    landing.send("this is not an S3 event")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for(lambda: landing.count(landing.dlq_url) == 1, "the message in the DLQ")
    receives = worker.logs("unparseable message: back to the queue for the DLQ")
    assert [line["receive_count"] for line in receives] == [1, 2, 3]
    worker.stop()
    assert landing.count() == 0
    redrive = run_cli(["redrive"], fast_env(landing, tmp_path))
    assert redrive.returncode == 0, redrive.stdout
    assert json.loads(redrive.stdout.splitlines()[-1])["moved"] == 1
    [back] = landing.receive_all()
    assert back["Body"] == "this is not an S3 event"
    assert landing.count(landing.dlq_url) == 0


def test_transient_sink_failure_keeps_the_message_then_processes_it_once(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    (tmp_path / "sink-down").write_text("2")  # the index refuses the next two writes
    put(landing, "doc.txt", "本文")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    [done] = worker.wait_for_log("message done")
    kept = worker.logs("message kept for a retry")
    assert [k["receive_count"] for k in kept] == [1, 2]
    assert all(k["error_class"] == "transient" and k["retry_in_s"] >= 1 for k in kept)
    assert done["receive_count"] == 3  # kept on the queue, not dropped, not dead-lettered
    assert len([w for w in writes(tmp_path) if not w.get("refused")]) == 1
    assert len(documents(tmp_path)) == 1
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0
    transient = [m for m in worker.metrics() if m.get("ErrorClass") == "transient"]
    assert transient and transient[0]["FilesFailed"] == [1.0]


def test_a_file_that_kills_its_pool_process_twice_is_recorded_and_the_worker_goes_on(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    put(landing, "crash.bin", "crash")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    [recording] = worker.wait_for_log("file failed in its pool process: recording it")
    [kept] = worker.logs("message kept for a retry")  # the first death may be a neighbour's
    assert kept["receive_count"] == 1 and "pool process failed" in kept["reason"]
    assert (recording["receive_count"], recording["code"]) == (2, "worker-crashed")
    worker.wait_for_log("message done")
    put(landing, "fine.txt", "still working")  # the pool replaced its process
    worker.wait_for_log("message done", count=2)
    by_key = {d["source"]["key"]: d for d in documents(tmp_path)}  # type: ignore[index]
    assert (by_key["crash.bin"]["status"], by_key["crash.bin"]["error_code"]) == (
        "failed", "worker-crashed")
    assert by_key["fine.txt"]["status"] == "complete"
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0


def test_the_hard_cap_ends_a_file_that_never_finishes_as_a_too_slow_document(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (tmp_path / "out").mkdir()
    put(landing, "endless.txt", "wait-for never")
    worker = start_worker(fast_env(landing, tmp_path / "out", MESSAGE_HOLD_CAP_SECONDS="2",
                                   VISIBILITY_TIMEOUT_SECONDS="4", TMPDIR=str(scratch)),
                          fake=True)
    worker.wait_for(lambda: any(p.is_file() for p in scratch.rglob("*")),
                    "the download in TMPDIR")
    [recording] = worker.wait_for_log("file failed in its pool process: recording it")
    assert (recording["code"], recording["receive_count"]) == ("too-slow", 1), \
        "\n".join(worker.raw)
    [done] = worker.wait_for_log("message done")
    assert done["outcomes"] == ["recorded"]
    [document] = documents(tmp_path / "out")
    assert (document["status"], document["error_code"]) == ("failed", "too-slow")
    assert "hard cap of 2 s" in str(document["reason"])
    assert worker.logs("message kept for a retry") == []  # not a transient retry loop
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0
    assert list(scratch.iterdir()) == []  # the killed job's download is removed


def test_sigterm_past_the_budget_leaves_nothing_in_tmpdir(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (tmp_path / "out").mkdir()
    worker = start_on_endless_file(landing, start_worker, tmp_path / "out",
                                   SHUTDOWN_BUDGET_SECONDS="3", TMPDIR=str(scratch))
    assert any(p.is_file() for p in scratch.rglob("*"))  # the download, while being read
    assert worker.wait_exit() == 0
    assert worker.logs("shutdown budget spent: releasing unfinished messages")
    assert list(scratch.iterdir()) == []
