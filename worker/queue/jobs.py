"""The pool side of the queue worker: one job = the events of one SQS message.

Each pool process builds its own service once (`init_process`: its own boto3 clients,
logging and tracer) and then runs jobs. A job returns a picklable `JobResult`; the main
process (worker/queue/runtime.py) decides what happens to the message. Pool processes ignore
SIGINT: the main process alone decides when work stops, so a
terminal's Ctrl-C (sent to the whole process group) cannot cut a file in half. SIGTERM
keeps its default so that the pool can stop its processes; ECS and Docker send it to the
main process only.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from worker import observability, tracing
from worker.config import Settings
from worker.errors import FatalError, classify
from worker.messages import ObjectEvent
from worker.observability import FileMetrics
from worker.service import ProcessingService

log = logging.getLogger(__name__)

ServiceFactory = Callable[[Settings], ProcessingService]
JobStatus = Literal["done", "retry", "fatal"]

_service: ProcessingService | None = None


@dataclass(frozen=True)
class Job:
    message_id: str
    receive_count: int
    events: tuple[ObjectEvent, ...]


@dataclass(frozen=True)
class JobResult:
    status: JobStatus
    files: list[FileMetrics] = field(default_factory=list)
    error: dict[str, str] | None = None


def init_process(settings: Settings, factory: ServiceFactory) -> None:
    """Pool initializer: runs once in each pool process."""
    global _service
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    observability.setup_logging(settings.log_level)
    tracing.configure(settings)
    _service = factory(settings)


def run_job(job: Job) -> JobResult:
    """Apply the message's events in order; the first failure decides the message's fate."""
    assert _service is not None, "init_process did not run"
    first = job.events[0]
    with tracing.message_segment("cis-worker", message_id=job.message_id,
                                 receive_count=job.receive_count, events=len(job.events),
                                 document_id=first.document_id, kind=first.kind):
        return _apply(_service, job)


def _apply(service: ProcessingService, job: Job) -> JobResult:
    files: list[FileMetrics] = []
    for event in job.events:
        source = event.source
        with observability.log_context(message_id=job.message_id, bucket=source.bucket,
                                       key=source.key, document_id=event.document_id,
                                       receive_count=job.receive_count, event=event.kind):
            try:
                files.append(service.handle(event))
            except Exception as exc:  # every failure is classified, none escapes the pool
                error = classify(exc)
                log.error("event failed", exc_info=error is not exc, extra=error.to_dict())
                tracing.mark_failed(error.error_class, error.code)
                status: JobStatus = "fatal" if isinstance(error, FatalError) else "retry"
                files.append(FileMetrics("retry", error_class=error.error_class))
                return JobResult(status, files, error.to_dict())
    return JobResult("done", files)
