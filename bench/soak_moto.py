"""The soak's moto server: moto 5 with two gaps of its S3 → EventBridge events closed.

moto gives every EventBridge event of S3 the same `sequencer` ("617f08299329d189"), and sends
no "Object Deleted" event when a versioned bucket gets a delete marker (tests/fixtures/
landing.py names both gaps). A soak that races overwrites and deletes of one key needs both,
as S3 gives them: the worker orders the events of a key by sequencer, and the landing bucket
is versioned in production (templates/). So this launcher replaces moto's EventBridge
sender with one that numbers the events in the order moto handles the requests (one counter
for all keys: S3 promises order per key, a global order keeps it), and wraps DeleteObject to
send the "Object Deleted" event of a delete marker. Nothing else of moto is changed; the
worker talks to it over HTTP as to any endpoint.

    python -m bench.soak_moto -H 127.0.0.1 -p PORT
"""

from __future__ import annotations

import copy
import itertools
import threading
from typing import Any

from moto import server
from moto.core.utils import unix_time
from moto.events.models import events_backends
from moto.events.utils import _BASE_EVENT_MESSAGE
from moto.s3 import models as s3_models
from moto.s3 import notifications

_COUNTER = itertools.count(1)
_LOCK = threading.Lock()
SEQUENCER_BASE = 0x617F08299329D189  # moto's constant; ours count up from it


def next_sequencer() -> str:
    with _LOCK:
        return f"{SEQUENCER_BASE + next(_COUNTER):020X}"


def _detail(bucket: Any, event_name: str, key: Any) -> dict[str, Any]:
    deleted = "ObjectRemoved" in event_name
    obj: dict[str, Any] = {"key": key.name, "sequencer": next_sequencer()}
    if getattr(key, "version_id", None) not in (None, "null"):
        obj["version-id"] = key.version_id
    if not deleted:
        obj.update({"size": key.size, "eTag": key.etag.replace('"', "")})
    detail: dict[str, Any] = {
        "version": "0", "bucket": {"name": bucket.name}, "object": obj,
        "request-id": "SOAK", "requester": "123456789012", "source-ip-address": "127.0.0.1",
        "reason": "DeleteObject" if deleted else "PutObject",
    }
    if deleted:
        detail["deletion-type"] = ("Delete Marker Created" if "DeleteMarker" in event_name
                                   else "Permanently Deleted")
    return detail


def send_event_bridge_message(account_id: str, bucket: Any, event_name: str,
                              key: Any) -> None:
    """moto's sender, with a real sequencer (and the delete fields S3 sends)."""
    if "ObjectCreated" not in event_name and "ObjectRemoved" not in event_name:
        return  # tagging, ACL, restore: the worker's rule does not route them
    event = copy.deepcopy(_BASE_EVENT_MESSAGE)
    event.update({
        "detail-type": "Object Deleted" if "ObjectRemoved" in event_name else "Object Created",
        "source": "aws.s3", "account": account_id, "time": unix_time(),
        "region": bucket.region_name, "resources": [bucket.arn],
        "detail": _detail(bucket, event_name, key),
    })
    backend = events_backends[account_id][bucket.region_name]
    for bus in backend.event_buses.values():
        for rule in bus.rules.values():
            rule.send_to_targets(event, transform_input=False)


_original_delete = s3_models.S3Backend.delete_object


def delete_object(self: Any, bucket_name: str, key_name: str, version_id: str | None = None,
                  bypass: bool = False) -> tuple[bool, dict[str, Any]]:
    """DeleteObject, plus the "Object Deleted" event S3 sends for a new delete marker."""
    done, meta = _original_delete(self, bucket_name, key_name, version_id, bypass)
    bucket = self.get_bucket(bucket_name)
    if version_id is None and meta.get("delete-marker") == "true" and \
            bucket.notification_configuration is not None and \
            bucket.notification_configuration.event_bridge is not None:
        marker = next(key for key in bucket.keys.getlist(key_name)
                      if str(key.version_id) == meta["version-id"])
        send_event_bridge_message(
            self.account_id, bucket,
            notifications.S3NotificationEvent.OBJECT_REMOVED_DELETE_MARKER_CREATED_EVENT,
            marker)
    return done, meta


def patch() -> None:
    notifications._send_event_bridge_message = send_event_bridge_message  # type: ignore[assignment]
    s3_models.S3Backend.delete_object = delete_object  # type: ignore[method-assign]


if __name__ == "__main__":
    patch()
    server.main()
