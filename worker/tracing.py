"""X-Ray tracing behind three calls, so another tracer could replace it.

`configure(settings)` once per process; `message_segment(...)` opens one segment per SQS
message; `span(name)` opens a subsegment inside it (download, extract, ocr, thumbnail,
embed, index); `record_span(name, start, seconds)` adds a subsegment measured elsewhere
(the OCR time that the extraction pipeline reports). boto3 is patched, so every AWS call
inside a segment becomes a subsegment too.

Safe anywhere: segments go by UDP to `AWS_XRAY_DAEMON_ADDRESS` (default 127.0.0.1:2000),
which costs nothing when no daemon listens; missing context is ignored; no sampling
poller runs (every message is traced); and the EC2 plugin is never loaded, so the instance
metadata service is never asked. On ECS the ECS plugin only reads the container hostname.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from worker.config import Settings

log = logging.getLogger(__name__)

_recorder: Any = None  # aws_xray_sdk's global recorder once configured


def configure(settings: Settings) -> None:
    """Set up the recorder for this process (no-op when TRACING=off)."""
    global _recorder
    if not settings.tracing:
        _recorder = None
        return
    from aws_xray_sdk import global_sdk_config
    from aws_xray_sdk.core import patch, xray_recorder

    global_sdk_config.set_sdk_enabled(True)
    xray_recorder.configure(
        service="cis-worker",
        sampling=False,
        context_missing="IGNORE_ERROR",
        daemon_address=settings.xray_daemon_address or "127.0.0.1:2000",
        plugins=("ECSPlugin",) if settings.ecs_agent_uri else (),
    )
    patch(["botocore"])
    _recorder = xray_recorder


@contextmanager
def message_segment(name: str, **annotations: str | int | None) -> Iterator[None]:
    """One segment around the work for one message; annotations are indexed by X-Ray."""
    if _recorder is None:
        yield
        return
    segment = _recorder.begin_segment(name=name)
    for key, value in annotations.items():
        if value is not None:
            segment.put_annotation(key, value)
    try:
        yield
    except BaseException as exc:
        segment.add_exception(exc, [], remote=False)
        raise
    finally:
        _recorder.end_segment()


@contextmanager
def span(name: str) -> Iterator[None]:
    if _recorder is None or _recorder.current_segment() is None:
        yield
        return
    with _recorder.in_subsegment(name):
        yield


def mark_failed(error_class: str, code: str) -> None:
    """Flag the current segment: a fault for transient errors, an error otherwise."""
    if _recorder is None:
        return
    segment = _recorder.current_segment()
    if segment is None:
        return
    if error_class == "transient":
        segment.add_fault_flag()
    else:
        segment.add_error_flag()
    segment.put_annotation("error_code", code)


def record_span(name: str, start: float, seconds: float, **metadata: Any) -> None:
    """A subsegment for work timed elsewhere: from `start` (epoch s) for `seconds`."""
    if _recorder is None or seconds <= 0:
        return
    subsegment = _recorder.begin_subsegment(name)
    if subsegment is None:
        return
    subsegment.start_time = start
    for key, value in metadata.items():
        subsegment.put_metadata(key, value)
    _recorder.end_subsegment(end_time=start + seconds)


def now() -> float:
    return time.time()
