"""End to end: files put into the landing bucket on moto travel S3 → EventBridge rule → SQS,
and `cis-worker run` (a real subprocess: the real pipeline with Tesseract and poppler, the
S3 adapter, the local output as the dry-run sink) turns them into documents and thumbnails.
The inputs are the repository's samples (samples/make_samples.py): a scanned Japanese
quotation (image-only PDF), a photographed receipt (JPEG, EXIF-rotated), meeting minutes
(.docx).
"""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.landing import Landing
from tests.fixtures.xray import XRayListener
from tests.integration.test_worker_observability import subsegment_names
from tests.support.envs import fast_env

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
INPUTS = {  # key in the landing bucket → (sample file, text the document must contain)
    "受信/2024年 見積書 (スキャン).pdf": ("見積書_scan.pdf", "見積"),
    "受信/領収書+写真.jpg": ("領収書_photo.jpg", "領収書"),
    "議事録/第12回 営業会議%.docx": ("議事録.docx", "営業会議"),
}


def documents_by_key(out: Path) -> dict[str, dict[str, Any]]:
    found = [json.loads(p.read_text("utf-8")) for p in (out / "documents").glob("*.json")]
    return {d["source"]["key"]: d for d in found}


@pytest.mark.integration
def test_files_in_the_bucket_become_documents_and_thumbnails(
        landing: Landing, start_worker, tmp_path: Path, xray_listener: XRayListener) -> None:
    s3 = landing.aws.client("s3")
    for key, (sample, _) in INPUTS.items():
        s3.put_object(Bucket=landing.bucket, Key=key, Body=(SAMPLES / sample).read_bytes())
    worker = start_worker(fast_env(landing, tmp_path, VISIBILITY_TIMEOUT_SECONDS="30",
                                   TRACING="on", AWS_XRAY_DAEMON_ADDRESS=xray_listener.address))
    worker.wait_for_log("message done", count=len(INPUTS), timeout_s=300)
    documents = documents_by_key(tmp_path)
    assert set(documents) == set(INPUTS)
    for key, (_, expected) in INPUTS.items():
        document = documents[key]
        assert document["status"] == "complete", document.get("reason")
        assert expected in document["content"].replace(" ", ""), (key, document["content"])
        assert document["thumbnail"] == f"thumbnails/{document['id']}.jpg"
        thumbnail = s3.get_object(Bucket=landing.thumbnails, Key=document["thumbnail"])
        assert thumbnail["Body"].read()[:3] == b"\xff\xd8\xff"  # a JPEG
        assert document["source"]["bucket"] == landing.bucket
    assert documents["受信/2024年 見積書 (スキャン).pdf"]["pages"][0]["method"] == "ocr"
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0
    scan_id = documents["受信/2024年 見積書 (スキャン).pdf"]["id"]
    worker.wait_for(lambda: any(s.get("annotations", {}).get("document_id") == scan_id
                                for s in xray_listener.received()), "the scan's segment")
    [segment] = [s for s in xray_listener.received()
                 if s.get("annotations", {}).get("document_id") == scan_id]
    assert {"download", "extract", "ocr", "thumbnail", "index"} <= subsegment_names(segment)


@pytest.mark.integration
def test_a_real_scan_longer_than_the_visibility_timeout_is_processed_once(
        landing: Landing, start_worker, tmp_path: Path) -> None:
    """A 1 s visibility timeout against the OCR of a scanned page (seconds): only the
    heartbeat keeps the message hidden. The worker has a free slot all along, so it keeps
    polling the queue while it reads the scan (a small file put meanwhile is received and
    done before the scan): had the heartbeat failed, that polling would have received the
    scan a second time. If OCR ever took under half a second the test would fail (no
    extension seen), not pass vacuously."""
    s3 = landing.aws.client("s3")
    s3.put_object(Bucket=landing.bucket, Key="scan.pdf",
                  Body=(SAMPLES / "見積書_scan.pdf").read_bytes())
    worker = start_worker(fast_env(landing, tmp_path, VISIBILITY_TIMEOUT_SECONDS="1",
                                   WORKER_CONCURRENCY="2"))
    worker.wait_for_log("message received", timeout_s=120)
    worker.wait_for_log("visibility extended", count=2, timeout_s=120)
    s3.put_object(Bucket=landing.bucket, Key="later.txt", Body="後から届いた".encode())
    worker.wait_for_log("message done", count=2, timeout_s=300)
    received = [line["keys"] for line in worker.logs("message received")]
    done = [line["receive_count"] for line in worker.logs("message done")]
    assert received == [["scan.pdf"], ["later.txt"]]  # polled while holding the scan
    assert done == [1, 1]
    order = [line["message_id"] for line in worker.logs("message done")]
    assert order[1] == worker.logs("message received")[0]["message_id"]  # the scan last
    assert worker.logs("received a message already held: kept its new receipt") == []
    assert sorted(documents_by_key(tmp_path)) == ["later.txt", "scan.pdf"]
    assert landing.count() == 0


@pytest.mark.integration
def test_sigterm_during_a_real_scan_finishes_it_and_exits_0(landing: Landing, start_worker,
                                                            tmp_path: Path) -> None:
    s3 = landing.aws.client("s3")
    s3.put_object(Bucket=landing.bucket, Key="scan.pdf",
                  Body=(SAMPLES / "見積書_scan.pdf").read_bytes())
    worker = start_worker(fast_env(landing, tmp_path, WORKER_CONCURRENCY="1"))
    worker.wait_for_log("message received")
    worker.signal(signal.SIGTERM)
    [stopping] = worker.wait_for_log("shutting down: no new receives")
    assert stopping["held"] == 1  # the scan was still being read when the signal came
    s3.put_object(Bucket=landing.bucket, Key="later.txt", Body=b"later")
    assert worker.wait_exit(timeout_s=120) == 0
    assert list(documents_by_key(tmp_path)) == ["scan.pdf"]
    assert len(worker.logs("message received")) == 1
    assert landing.count() == 1  # later.txt waits for the next worker
