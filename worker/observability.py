"""JSON logs with the context of the work, and CloudWatch EMF metrics on stdout.

Both come from Powertools for AWS (aws-lambda-powertools), which works outside Lambda:
- logs: its JSON formatter on the root logger, so every module keeps using
  `logging.getLogger(__name__)`; one object per line with level, message, timestamp and
  the keys bound for the message at hand (message id, bucket, key, document id, receive
  count) plus any `extra`. Values are never whole settings or environments, so secrets
  cannot reach the log.
- metrics: its EMF serializer, flushed as one JSON line on stdout per processed message;
  namespace, dimension and metric names come from worker/metric_names.py (the alarms in
  templates/ import the same module). `FilesFailed` is emitted twice: by `Environment`
  (what the alarms use) and by `Environment` + `ErrorClass` (for diagnosis).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from worker import metric_names as names

SERVICE = "cis-worker"
_formatter: LambdaPowertoolsFormatter | None = None


def setup_logging(level: str = "INFO") -> None:
    """JSON lines on stdout for every logger of the process (call once per process)."""
    global _formatter
    _formatter = LambdaPowertoolsFormatter(service=SERVICE, use_rfc3339=True, utc=True)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("botocore", "boto3", "urllib3", "aws_xray_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def log_context(**keys: object) -> Iterator[None]:
    """Add keys to every log line inside the block (one message at a time per process)."""
    present = {name: value for name, value in keys.items() if value is not None}
    if _formatter is not None:
        _formatter.append_keys(**present)
    try:
        yield
    finally:
        if _formatter is not None:
            _formatter.remove_keys(list(present))


@dataclass(frozen=True)
class FileMetrics:
    """What one processed event contributes to the metrics (picklable, from the pool)."""

    outcome: str  # indexed recorded deleted gone stale skipped rejected retry bad
    error_class: str | None = None
    processing_ms: float = 0.0
    pages: int = 0
    pages_ocr: int = 0
    ocr_ms: float = 0.0
    bytes_downloaded: int = 0
    event_age_ms: float | None = None

    @property
    def failed(self) -> bool:
        return self.error_class is not None


def emit_metrics(files: list[FileMetrics], environment: str) -> None:
    """One EMF line for the message's files, plus one per error class seen."""
    if not files:
        return
    metrics = Metrics(namespace=names.NAMESPACE)
    metrics.add_dimension(name=names.DIMENSION_ENVIRONMENT, value=environment)
    for item in files:
        _add_file(metrics, item)
    metrics.flush_metrics()
    for error_class in sorted({f.error_class for f in files if f.error_class}):
        count = sum(1 for f in files if f.error_class == error_class)
        with single_metric(name=names.FILES_FAILED, unit=MetricUnit.Count, value=count,
                           namespace=names.NAMESPACE,
                           default_dimensions={names.DIMENSION_ENVIRONMENT: environment}) as m:
            m.add_dimension(name=names.DIMENSION_ERROR_CLASS, value=error_class)


def _add_file(metrics: Metrics, item: FileMetrics) -> None:
    count = MetricUnit.Count
    if item.failed:
        metrics.add_metric(name=names.FILES_FAILED, unit=count, value=1)
    elif item.outcome in {"indexed", "recorded"}:
        metrics.add_metric(name=names.FILES_PROCESSED, unit=count, value=1)
    if item.outcome not in {"indexed", "recorded"}:
        return
    ms = MetricUnit.Milliseconds
    metrics.add_metric(name=names.PROCESSING_TIME, unit=ms, value=item.processing_ms)
    metrics.add_metric(name=names.PAGES_PROCESSED, unit=count, value=item.pages)
    metrics.add_metric(name=names.PAGES_OCRED, unit=count, value=item.pages_ocr)
    metrics.add_metric(name=names.OCR_TIME, unit=ms, value=item.ocr_ms)
    metrics.add_metric(name=names.BYTES_DOWNLOADED, unit=MetricUnit.Bytes,
                       value=item.bytes_downloaded)
    if item.event_age_ms is not None:
        metrics.add_metric(name=names.EVENT_AGE, unit=ms, value=item.event_age_ms)
