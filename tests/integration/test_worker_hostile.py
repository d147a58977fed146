"""`cis-worker run` (a real subprocess: the real pipeline, S3 adapter, local output) on moto's
S3 → EventBridge → SQS against hostile and broken input and a broken environment: each bad
message or file costs only itself, every failed file gets a failed document, and the
worker's promises about its environment (no Tesseract, no thumbnail bucket, no queue) hold.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests.files import truncated
from tests.fixtures.landing import Landing
from tests.fixtures.worker_process import run_cli
from tests.support.envs import fast_env
from worker.health import write_beat

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def documents_by_key(out: Path) -> dict[str, dict[str, Any]]:
    found = [json.loads(p.read_text("utf-8")) for p in (out / "documents").glob("*.json")]
    return {d["source"]["key"]: d for d in found}


def put_file(landing: Landing, key: str, path: Path) -> None:
    landing.aws.client("s3").put_object(Bucket=landing.bucket, Key=key, Body=path.read_bytes())


def test_a_deeply_nested_body_goes_to_the_dlq_and_the_file_beside_it_is_processed(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    nested = "[" * 60_000 + "]" * 60_000
    landing.send(nested)
    put_file(landing, "議事録.docx", SAMPLES / "議事録.docx")
    worker = start_worker(fast_env(landing, tmp_path))
    worker.wait_for(lambda: landing.count(landing.dlq_url) == 1, "the body in the DLQ",
                    timeout_s=180)
    worker.wait_for_log("message done", timeout_s=180)
    bad = worker.logs("unparseable message: back to the queue for the DLQ")
    assert [line["receive_count"] for line in bad] == [1, 2, 3]
    assert all("nested too deeply" in line["reason"] for line in bad)
    assert worker.proc.poll() is None  # still running
    assert documents_by_key(tmp_path)["議事録.docx"]["status"] == "complete"
    [dead] = landing.receive_all(landing.dlq_url)
    assert dead["Body"] == nested
    assert not any("RecursionError" in line for line in worker.raw)


def test_a_corrupt_file_becomes_a_failed_document_and_its_message_is_deleted(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    broken = truncated(SAMPLES / "請求書_born-digital.pdf", tmp_path / "broken.pdf", 0.4)
    put_file(landing, "受信/請求書.pdf", broken)
    worker = start_worker(fast_env(landing, tmp_path / "out"))
    [done] = worker.wait_for_log("message done", timeout_s=180)
    assert done["outcomes"] == ["recorded"] and done["receive_count"] == 1
    document = documents_by_key(tmp_path / "out")["受信/請求書.pdf"]
    assert (document["status"], document["error_class"], document["error_code"]) == (
        "failed", "permanent", "corrupt")
    assert document["mime_type"] == "application/pdf" and document["thumbnail"] is None
    worker.wait_for(lambda: landing.count() == 0, "the message deleted")
    assert landing.count(landing.dlq_url) == 0


def test_a_file_past_the_process_memory_limit_is_a_failed_too_large_document(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    """A 316 KB PNG of 10,000 x 10,000 pixels takes about 2 GB to read; under a 400 MiB
    limit it fails alone and fast, its pool process is replaced, and the worker goes on."""
    big = tmp_path / "図面.png"
    picture = Image.new("RGB", (10_000, 10_000), "white")
    ImageDraw.Draw(picture).rectangle((100, 100, 400, 400), fill="black")
    picture.save(big, optimize=True)
    put_file(landing, "図面/大判.png", big)
    worker = start_worker(fast_env(landing, tmp_path / "out", PROCESS_MEMORY_LIMIT_MB="400",
                                   WORKER_CONCURRENCY="1"))
    worker.wait_for_log("message done", timeout_s=180)
    put_file(landing, "取引先一覧.csv", SAMPLES / "取引先一覧.csv")
    first, second = worker.wait_for_log("message done", count=2, timeout_s=180)
    [retired] = worker.logs("pool process retired after running out of memory: replaced")
    assert retired["pid"] == first["pid"] != second["pid"]  # one process, yet a fresh one
    documents = documents_by_key(tmp_path / "out")
    failed = documents["図面/大判.png"]
    assert (failed["status"], failed["error_class"], failed["error_code"]) == (
        "failed", "permanent", "too-large")
    assert "400 MiB" in failed["reason"]
    assert documents["取引先一覧.csv"]["status"] == "complete"
    assert worker.logs("message kept for a retry") == []
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0


def test_without_a_thumbnail_bucket_documents_have_no_thumbnail(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    env = fast_env(landing, tmp_path)
    del env["S3_THUMBNAIL_BUCKET"]
    put_file(landing, "議事録.docx", SAMPLES / "議事録.docx")  # embeds a preview
    worker = start_worker(env)
    [done] = worker.wait_for_log("message done", timeout_s=180)
    assert done["outcomes"] == ["indexed"]
    document = documents_by_key(tmp_path)["議事録.docx"]
    assert document["status"] == "complete" and document["thumbnail"] is None
    assert "営業会議" in document["content"]
    s3 = landing.aws.client("s3")
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 0


def test_without_tesseract_run_releases_the_message_drains_and_exits_2(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    put_file(landing, "領収書.jpg", SAMPLES / "領収書_photo.jpg")  # needs OCR
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    worker = start_worker(fast_env(landing, tmp_path / "out", PATH=str(empty),
                                   VISIBILITY_TIMEOUT_SECONDS="60"))
    assert worker.wait_exit(timeout_s=180) == 2
    [fatal] = worker.logs("fatal error: releasing the message and stopping")
    assert fatal["code"] == "missing-program"
    assert worker.logs("shutting down: no new receives")
    assert not list(tmp_path.glob("out/documents/*.json"))
    [back] = landing.receive_all()  # visible at once, not after the 60 s it was hidden for
    assert json.loads(back["Body"])["detail"]["object"]["key"] == "領収書.jpg"


def test_health_fails_when_tesseract_is_missing(landing: Landing, tmp_path: Path) -> None:
    env = fast_env(landing, tmp_path)
    write_beat(Path(env["HEALTH_FILE"]), None, None)  # a loop that is alive and receiving
    assert run_cli(["health"], env).returncode == 0
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    unhealthy = run_cli(["health"], {**env, "PATH": str(empty)})
    assert unhealthy.returncode == 1
    assert "tesseract is not on the PATH" in unhealthy.stderr


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_health_fails_while_the_queue_cannot_be_reached(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{closed_port()}"
    env = fast_env(landing, tmp_path, AWS_ENDPOINT_URL=nowhere,
                   SQS_QUEUE_URL=f"{nowhere}/123456789012/cis-files",
                   HEALTH_MAX_AGE_SECONDS="3")
    worker = start_worker(env)
    worker.wait_for_log("receive failed", count=2, timeout_s=120)
    worker.wait_for(lambda: Path(env["HEALTH_FILE"]).exists(), "the health file")
    check = run_cli(["health"], {**env, "HEALTH_MAX_AGE_SECONDS": "3"})
    assert check.returncode == 1
    assert "the queue cannot be reached" in check.stderr
    assert worker.proc.poll() is None  # the loop itself keeps trying
