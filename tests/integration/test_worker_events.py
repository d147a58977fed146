"""What events do to documents: awkward keys in both message shapes, deletes, duplicates,
out-of-order events — the worker as a subprocess on moto, with the fake extraction.

Where moto cannot produce the event a test needs (its S3 → EventBridge events all carry
the same sequencer), the test sends the event itself in the exact shape AWS documents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.landing import Landing
from tests.integration.test_worker_faults import documents, put, writes
from tests.support.envs import fast_env

pytestmark = pytest.mark.integration  # moto server

# .pdf: the fake extractor, like the real pipeline, makes thumbnails only of what is pictured
AWKWARD_KEYS = ["a b/c d.pdf", "1+1=2.pdf", "100% 本当.pdf", "請求書/２０２４年 見積書.pdf"]


def eventbridge_event(bucket: str, key: str, detail_type: str, sequencer: str) -> dict[str, Any]:
    """An S3 event as EventBridge delivers it to SQS (S3 user guide, EventBridge message
    structure): the key is plain text."""
    return {
        "version": "0", "id": f"id-{sequencer}", "detail-type": detail_type, "source": "aws.s3",
        "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "ap-northeast-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": key, "size": 3, "etag": "e", "sequencer": sequencer},
                   "request-id": "r", "requester": "123456789012",
                   "reason": "PutObject" if detail_type == "Object Created" else "DeleteObject",
                   **({"deletion-type": "Permanently Deleted"}
                      if detail_type == "Object Deleted" else {})},
    }


def keys_of(out: Path) -> list[str]:
    return sorted(d["source"]["key"] for d in documents(out))  # type: ignore[index]


def test_awkward_keys_in_both_message_shapes(landing: Landing, start_worker,
                                             tmp_path: Path) -> None:
    s3, sqs = landing.aws.client("s3"), landing.aws.client("sqs")
    # a second bucket notifies the queue directly: S3 event notifications, keys URL-encoded
    queue_arn = sqs.get_queue_attributes(QueueUrl=landing.queue_url,
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket="direct", CreateBucketConfiguration={
        "LocationConstraint": landing.aws.region})
    s3.put_bucket_notification_configuration(Bucket="direct", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
    for key in AWKWARD_KEYS:
        put(landing, key, f"eventbridge {key}")
        s3.put_object(Bucket="direct", Key=key, Body=f"notification {key}".encode())
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for(lambda: len(documents(tmp_path)) == 2 * len(AWKWARD_KEYS), "all documents")
    by_source = {(d["source"]["bucket"], d["source"]["key"]): d["content"]  # type: ignore[index]
                 for d in documents(tmp_path)}
    for key in AWKWARD_KEYS:
        assert by_source[("landing", key)] == f"eventbridge {key}"
        assert by_source[("direct", key)] == f"notification {key}"
    thumbnails = s3.list_objects_v2(Bucket=landing.thumbnails)["Contents"]
    assert len(thumbnails) == 2 * len(AWKWARD_KEYS)
    head = s3.head_object(Bucket=landing.thumbnails, Key=thumbnails[0]["Key"])
    assert head["ContentType"] == "image/jpeg" and head["ServerSideEncryption"] == "AES256"


def test_object_deleted_before_processing_is_acknowledged(landing: Landing, start_worker,
                                                          tmp_path: Path) -> None:
    put(landing, "gone.txt", "soon gone")
    landing.aws.client("s3").delete_object(Bucket=landing.bucket, Key="gone.txt")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    done = worker.wait_for_log("message done", count=2)  # the Created and the Deleted event
    assert sorted(o for line in done for o in line["outcomes"]) == ["deleted", "gone"]
    assert documents(tmp_path) == []
    assert landing.count() == 0 and landing.count(landing.dlq_url) == 0


def test_object_deleted_event_removes_document_and_thumbnail(landing: Landing, start_worker,
                                                             tmp_path: Path) -> None:
    s3 = landing.aws.client("s3")
    put(landing, "report.pdf", "報告書")
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for_log("message done")
    [document] = documents(tmp_path)
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 1
    assert document["thumbnail"] == f"thumbnails/{document['id']}.jpg"
    s3.delete_object(Bucket=landing.bucket, Key="report.pdf")
    worker.wait_for_log("message done", count=2)
    assert documents(tmp_path) == []
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 0


def test_duplicate_events_leave_one_document_and_one_thumbnail(landing: Landing, start_worker,
                                                               tmp_path: Path) -> None:
    put(landing, "twice.pdf", "一度だけ")
    landing.receive_all()  # drop moto's own event: the test sends the duplicates
    event = eventbridge_event(landing.bucket, "twice.pdf", "Object Created", "0A")
    for _ in range(3):
        landing.send(event)
    worker = start_worker(fast_env(landing, tmp_path, WORKER_CONCURRENCY="2"), fake=True)
    worker.wait_for_log("message done", count=3)
    assert keys_of(tmp_path) == ["twice.pdf"]
    s3 = landing.aws.client("s3")
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 1
    # never twice at once, though two pool processes were free: start/end alternate
    trace = (tmp_path / "extract.log").read_text().split()[::2]
    assert trace == ["start", "end"] * (len(trace) // 2) and len(trace) >= 2
    assert len({w["id"] for w in writes(tmp_path)}) == 1


def test_out_of_order_events_never_let_an_older_one_win(landing: Landing, start_worker,
                                                        tmp_path: Path) -> None:
    put(landing, "doc.txt", "current text")
    landing.receive_all()
    newer = eventbridge_event(landing.bucket, "doc.txt", "Object Created", "00FF")
    older_create = eventbridge_event(landing.bucket, "doc.txt", "Object Created", "FE")
    older_delete = eventbridge_event(landing.bucket, "doc.txt", "Object Deleted", "FD")
    landing.send(newer)
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for_log("message done")
    landing.send(older_create)
    landing.send(older_delete)
    done = worker.wait_for_log("message done", count=3)
    assert sorted(o for line in done[1:] for o in line["outcomes"]) == ["stale", "stale"]
    [document] = documents(tmp_path)
    assert document["source"]["sequencer"] == "00FF"  # type: ignore[index]
    assert document["content"] == "current text"


def test_s3_test_event_is_deleted_without_work(landing: Landing, start_worker,
                                              tmp_path: Path) -> None:
    landing.send({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-01-01T00:00:00Z",
                  "Bucket": landing.bucket, "RequestId": "r", "HostId": "h"})
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for_log("test event acknowledged")
    worker.wait_for(lambda: landing.count() == 0, "the queue to empty")
    assert documents(tmp_path) == []


def test_sns_wrapped_notification_is_processed(landing: Landing, start_worker,
                                               tmp_path: Path) -> None:
    put(landing, "via sns.txt", "SNS")
    landing.receive_all()
    inner = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                          "eventTime": "2026-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
                          "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": landing.bucket},
                                 "object": {"key": "via+sns.txt", "size": 3,
                                            "sequencer": "01"}}}]}
    landing.send({"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:x:1:t",
                  "Message": json.dumps(inner), "Timestamp": "2026-01-01T00:00:00.000Z"})
    worker = start_worker(fast_env(landing, tmp_path), fake=True)
    worker.wait_for_log("message done")
    assert keys_of(tmp_path) == ["via sns.txt"]
