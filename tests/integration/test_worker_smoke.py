"""Smoke: S3 → EventBridge → SQS on moto, and the worker loop with fake extraction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.landing import Landing

pytestmark = pytest.mark.integration  # moto server


def test_put_object_reaches_the_queue_as_an_eventbridge_event(landing: Landing) -> None:
    landing.aws.client("s3").put_object(Bucket=landing.bucket, Key="a b/請求書 1+1.txt", Body=b"x")
    [message] = landing.receive_all()
    body = json.loads(message["Body"])
    assert body["detail-type"] == "Object Created"
    assert body["source"] == "aws.s3"
    assert body["detail"]["object"]["key"] == "a b/請求書 1+1.txt"


def test_fake_worker_processes_and_empties_the_queue(landing: Landing, start_worker,
                                                     tmp_path: Path) -> None:
    s3 = landing.aws.client("s3")
    s3.put_object(Bucket=landing.bucket, Key="docs/hello.txt", Body="こんにちは".encode())
    worker = start_worker(landing.env(OUTPUT_DIR=str(tmp_path), VISIBILITY_TIMEOUT_SECONDS="5",
                                      SQS_WAIT_TIME_SECONDS="1", WORKER_CONCURRENCY="2",
                                      TRACING="off", HEALTH_FILE=str(tmp_path / "alive")),
                          fake=True)
    worker.wait_for_log("message done")
    docs = list((tmp_path / "documents").glob("*.json"))
    assert len(docs) == 1
    assert json.loads(docs[0].read_text("utf-8"))["content"] == "こんにちは"
    assert landing.count() == 0
