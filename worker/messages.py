"""Pure parsing of SQS message bodies into object events: no AWS, no I/O.

A body is one of (DESIGN.md §3, Messages):
- an EventBridge S3 event (`detail-type` "Object Created" / "Object Deleted"; the key in
  `detail.object.key` is plain text);
- an S3 event notification (`Records[].s3.object.key` URL-encoded, `+` for a space), which
  may hold several records; `s3:TestEvent` (sent when notifications are configured) has
  no records and is acknowledged;
- either of them wrapped in an SNS notification (`Type: Notification`, `Message` a string).

Anything else raises BadMessageError: the runtime makes such a message visible again at
once, so the queue's redrive policy moves it to the DLQ after its receives.

S3 orders the events of one key by `sequencer`: hex strings of varying length, compared
after left-padding the shorter with zeros (`worker.models.is_older`, shared with the sinks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote_plus

from worker.errors import BadMessageError
from worker.models import SourceRef, is_older

EventKind = Literal["created", "deleted"]


@dataclass(frozen=True)
class ObjectEvent:
    """One thing that happened to one object."""

    kind: EventKind
    source: SourceRef  # bucket, key, version_id, sequencer
    event_time: datetime | None = None
    size_bytes: int | None = None

    @property
    def document_id(self) -> str:
        return self.source.document_id

    def is_newer_than(self, other: ObjectEvent) -> bool:
        """True when this event happened after `other` (same key), by sequencer, then time."""
        mine, theirs = self.source.sequencer, other.source.sequencer
        if is_older(theirs, mine):
            return True
        if is_older(mine, theirs):
            return False
        if self.event_time and other.event_time:
            return self.event_time > other.event_time
        return False


def parse_body(body: str) -> list[ObjectEvent]:
    """Events in one SQS message body; [] for S3 test events. BadMessageError otherwise."""
    try:
        data = json.loads(body)
    except RecursionError:  # e.g. `[` x 60000: a hostile body, not a worker fault
        raise BadMessageError("message body is JSON nested too deeply to read") from None
    except (TypeError, ValueError) as exc:
        raise BadMessageError(f"message body is not JSON: {exc}") from None
    try:
        return _parse(data, depth=0)
    except RecursionError:  # an SNS-wrapped `Message` nested too deeply
        raise BadMessageError("message body is JSON nested too deeply to read") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadMessageError(f"unexpected message shape: {type(exc).__name__}: {exc}") from None


def newest_per_object(events: list[ObjectEvent]) -> list[ObjectEvent]:
    """Keep one event per object (the newest), in first-seen order."""
    chosen: dict[str, ObjectEvent] = {}
    for event in events:
        current = chosen.get(event.document_id)
        if current is None or event.is_newer_than(current):
            chosen[event.document_id] = event
    return list(chosen.values())


def _parse(data: Any, depth: int) -> list[ObjectEvent]:
    if not isinstance(data, dict):
        raise BadMessageError("message body is not a JSON object")
    if data.get("Type") == "Notification" and "Message" in data and depth == 0:
        return _parse(json.loads(data["Message"]), depth + 1)
    if data.get("Event") == "s3:TestEvent":
        return []
    if "Records" in data:
        return [_from_record(record) for record in data["Records"]]
    if data.get("source") == "aws.s3" and "detail" in data:
        return [_from_eventbridge(data)]
    raise BadMessageError("not an S3 event (EventBridge, S3 notification or SNS-wrapped)")


def _from_eventbridge(data: dict[str, Any]) -> ObjectEvent:
    detail_type = data.get("detail-type")
    kinds: dict[str, EventKind] = {"Object Created": "created", "Object Deleted": "deleted"}
    if detail_type not in kinds:
        raise BadMessageError(f"unsupported EventBridge detail-type {detail_type!r}")
    detail = data["detail"]
    obj = detail["object"]
    source = _source(detail["bucket"]["name"], obj["key"], obj.get("version-id"),
                     obj.get("sequencer"))
    return ObjectEvent(kind=kinds[str(detail_type)], source=source,
                       event_time=_time(data.get("time")), size_bytes=_size(obj.get("size")))


def _from_record(record: dict[str, Any]) -> ObjectEvent:
    name = str(record["eventName"])
    if name.startswith("ObjectCreated:"):
        kind: EventKind = "created"
    elif name.startswith(("ObjectRemoved:", "LifecycleExpiration:")):
        kind = "deleted"
    else:
        raise BadMessageError(f"unsupported S3 event {name!r}")
    s3 = record["s3"]
    obj = s3["object"]
    key = unquote_plus(str(obj["key"]), encoding="utf-8", errors="strict")
    source = _source(s3["bucket"]["name"], key, obj.get("versionId"), obj.get("sequencer"))
    return ObjectEvent(kind=kind, source=source, event_time=_time(record.get("eventTime")),
                       size_bytes=_size(obj.get("size")))


def _source(bucket: Any, key: Any, version_id: Any, sequencer: Any) -> SourceRef:
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
        raise BadMessageError("event without a bucket name or object key")
    version = str(version_id) if version_id not in (None, "", "null") else None
    return SourceRef(bucket=bucket, key=key, version_id=version,
                     sequencer=str(sequencer) if sequencer else None)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # the time only orders events and measures their age
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _size(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
