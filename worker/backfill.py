"""`cis-worker backfill`: enqueue events for objects already in a bucket.

Lists the bucket page by page (ListObjectsV2, in key order) and sends one EventBridge-shaped
`Object Created` event per object (the shape the worker already reads) in batches of ten.
Progress goes to stderr with the last key enqueued; after an interruption,
`--start-after KEY` resumes right after it. Entries that SQS refuses are retried once; if
they still fail the run stops with the key to resume from, so no object is skipped.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worker.adapters import aws
from worker.adapters.sqs import SqsQueue
from worker.config import Settings
from worker.errors import TransientError
from worker.models import utc_timestamp


def object_created_event(bucket: str, obj: dict[str, Any], region: str | None) -> dict[str, Any]:
    """An EventBridge S3 `Object Created` event for a listed object (reason: Backfill)."""
    modified = obj.get("LastModified")
    when = modified if isinstance(modified, datetime) else datetime.now(UTC)
    return {
        "version": "0", "id": str(uuid.uuid4()), "detail-type": "Object Created",
        "source": "aws.s3", "account": "", "region": region or "",
        "time": utc_timestamp(when),
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": obj["Key"], "size": obj.get("Size", 0),
                              "etag": str(obj.get("ETag", "")).strip('"')},
                   "reason": "Backfill"},
    }


def _pages(s3: Any, bucket: str, prefix: str, start_after: str | None) -> Iterator[list[Any]]:
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        params["StartAfter"] = start_after
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(**params):
            yield [o for o in page.get("Contents", []) if not o["Key"].endswith("/")]
    except (ClientError, BotoCoreError) as exc:
        raise aws.translate(exc, f"ListObjectsV2 s3://{bucket}/{prefix}") from exc


def _send(queue: SqsQueue, bodies: list[str], keys: list[str], resume: str | None) -> None:
    failed = {int(f.message_id) for f in queue.send(bodies)}
    if failed:
        again = sorted(failed)
        still = {again[int(f.message_id)] for f in queue.send([bodies[i] for i in again])}
        if still:
            first = min(still)
            after = keys[first - 1] if first else resume
            raise TransientError(f"SQS refused {len(still)} events; resume with "
                                 f"--start-after {json.dumps(after, ensure_ascii=False)}")


def backfill_bucket(settings: Settings, bucket: str, prefix: str = "",
                    start_after: str | None = None) -> int:
    from worker.composition import build_queue

    queue = build_queue(settings)
    s3 = aws.client("s3", settings)
    total, last = 0, start_after
    for objects in _pages(s3, bucket, prefix, start_after):
        if not objects:
            continue
        keys = [o["Key"] for o in objects]
        bodies = [json.dumps(object_created_event(bucket, o, settings.aws_region),
                             ensure_ascii=False) for o in objects]
        _send(queue, bodies, keys, last)
        total, last = total + len(objects), keys[-1]
        print(f"backfill: {total} enqueued, last key {last!r}", file=sys.stderr)
    print(json.dumps({"bucket": bucket, "prefix": prefix, "enqueued": total, "last_key": last},
                     ensure_ascii=False))
    return 0
