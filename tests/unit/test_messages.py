"""Message parsing: every body shape AWS sends, keys that need decoding, ordering."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus

import pytest

from worker.errors import BadMessageError
from worker.messages import newest_per_object, parse_body
from worker.models import sequencer_order

AWKWARD_KEYS = ["a b/c d.pdf", "1+1=2.pdf", "100%.txt", "請求書/２０２４年 見積書.pdf", "x/y.docx"]


def eventbridge(key: str, detail_type: str = "Object Created", sequencer: str = "0A",
                version: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": key, "size": 5, "etag": "e", "sequencer": sequencer}
    if version:
        obj["version-id"] = version
    return {"version": "0", "id": "1", "detail-type": detail_type, "source": "aws.s3",
            "account": "1", "time": "2026-01-02T03:04:05Z", "region": "ap-northeast-1",
            "resources": [], "detail": {"version": "0", "bucket": {"name": "landing"},
                                        "object": obj, "reason": "PutObject"}}


def notification(*keys: str, name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {"Records": [
        {"eventVersion": "2.1", "eventSource": "aws:s3", "eventTime": "2026-01-02T03:04:05.000Z",
         "eventName": name, "s3": {"bucket": {"name": "landing"},
                                    "object": {"key": quote_plus(key), "size": 5,
                                               "versionId": "null", "sequencer": "0B"}}}
        for key in keys]}


def sns(inner: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:x:1:t",
            "Message": json.dumps(inner)}


@pytest.mark.parametrize("key", AWKWARD_KEYS)
def test_keys_survive_both_shapes_and_sns(key: str) -> None:
    for body in (eventbridge(key), notification(key), sns(eventbridge(key)),
                 sns(notification(key))):
        [event] = parse_body(json.dumps(body, ensure_ascii=False))
        assert event.source.key == key
        assert event.source.bucket == "landing"
        assert event.kind == "created"


def test_notification_fields_and_several_records() -> None:
    events = parse_body(json.dumps(notification("a.pdf", "b.pdf")))
    assert [e.source.key for e in events] == ["a.pdf", "b.pdf"]
    assert events[0].source.version_id is None  # "null" means an unversioned bucket
    assert events[0].source.sequencer == "0B"
    assert events[0].size_bytes == 5
    assert events[0].event_time is not None and events[0].event_time.year == 2026


def test_deleted_events_in_both_shapes() -> None:
    [a] = parse_body(json.dumps(eventbridge("k", "Object Deleted")))
    [b] = parse_body(json.dumps(notification("k", name="ObjectRemoved:DeleteMarkerCreated")))
    assert a.kind == b.kind == "deleted"


def test_version_id_is_kept() -> None:
    [event] = parse_body(json.dumps(eventbridge("k", version="v1")))
    assert event.source.version_id == "v1"


def test_s3_test_event_is_acknowledged_with_no_events() -> None:
    body = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "landing"}
    assert parse_body(json.dumps(body)) == []
    assert parse_body(json.dumps(sns(body))) == []


@pytest.mark.parametrize("body", [
    "not json", "[]", "{}", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}),
    json.dumps(eventbridge("k", "Object Restore Completed")),
    json.dumps({"Records": [{"eventName": "ObjectTagging:Put", "s3": {}}]}),
    json.dumps(sns({"Type": "Notification", "Message": "{}"})),
    json.dumps(notification("%E3%81")).replace("%25E3%2581", "%E3%81"),  # broken UTF-8
])
def test_unparseable_bodies_are_bad_messages(body: str) -> None:
    with pytest.raises(BadMessageError):
        parse_body(body)


def test_sequencers_compare_as_hex_values_after_left_padding() -> None:
    assert sequencer_order("FF") < sequencer_order("100")
    assert sequencer_order("0055") == sequencer_order("55")
    assert sequencer_order(None) is None


def test_newest_event_per_object_wins() -> None:
    old = parse_body(json.dumps(eventbridge("k", sequencer="0FFF")))[0]
    new = parse_body(json.dumps(eventbridge("k", "Object Deleted", sequencer="1000")))[0]
    other = parse_body(json.dumps(eventbridge("j", sequencer="01")))[0]
    assert newest_per_object([new, other, old]) == [new, other]
    assert newest_per_object([old, new]) == [new]
    assert new.is_newer_than(old) and not old.is_newer_than(new)


@pytest.mark.parametrize("depth", [60_000, 1_000_000])
def test_deeply_nested_json_is_a_bad_message_not_a_crash(depth: int) -> None:
    with pytest.raises(BadMessageError, match="nested too deeply"):
        parse_body("[" * depth + "]" * depth)


def test_deeply_nested_json_inside_sns_is_a_bad_message() -> None:
    inner = "[" * 60_000 + "]" * 60_000
    with pytest.raises(BadMessageError, match="nested too deeply"):
        parse_body(json.dumps({"Type": "Notification", "Message": inner}))
