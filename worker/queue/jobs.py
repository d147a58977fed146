"""The pool side of the queue worker: one job = the events of one SQS message.

Each pool process builds its own service once (`init_process`: its own boto3 clients,
logging and tracer) and then runs jobs. A job returns a picklable `JobResult`; the main
process (worker/queue/runtime.py) decides what happens to the message. Pool processes ignore
SIGINT: the main process alone decides when work stops, so a
terminal's Ctrl-C (sent to the whole process group) cannot cut a file in half. SIGTERM
keeps its default so that the pool can stop its processes; ECS and Docker send it to the
main process only.

Each pool process runs under its memory limit (worker/limits.py); each job works in a
scratch folder the main process made and removes, and notes there which event it is on
(`PROGRESS`), so that when the process is killed (hard cap) or dies (a crash) the main
process knows which file to record as failed (`record_failure`) and which events are left.
A process that ran out of memory during a job hands its result over in the scratch folder
and exits (`limits.hand_over`); the main process reads it there (`handed_over`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pebble import ProcessPool

from worker import limits, observability, tracing
from worker.config import Settings
from worker.errors import FatalError, PermanentError, classify
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
    pid: int = field(default_factory=os.getpid)  # the pool process that ran the job


PROGRESS = ".event"  # in the job's scratch folder: the index of the event being applied


def start_pool(settings: Settings, factory: ServiceFactory) -> tuple[ProcessPool, int]:
    """The pool (spawned processes: no fork of a threaded parent) and each process's
    memory limit in bytes."""
    concurrency = settings.worker_concurrency
    memory_limit = limits.process_memory_limit(concurrency, settings.process_memory_limit_mb)
    pool = ProcessPool(max_workers=concurrency, initializer=init_process,
                       initargs=(settings, factory, memory_limit),
                       context=multiprocessing.get_context("spawn"))
    return pool, memory_limit


def init_process(settings: Settings, factory: ServiceFactory,
                 memory_limit_bytes: int | None = None) -> None:
    """Pool initializer: runs once in each pool process."""
    global _service
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limits.setup_pool_process(memory_limit_bytes)
    observability.setup_logging(settings.log_level)
    tracing.configure(settings)
    _service = factory(settings)


def run_job(job: Job, scratch: Path, start: int = 0) -> JobResult:
    """Apply the message's events in order from `start`; the first failure decides the
    message's fate. Temporary files go to `scratch`."""
    assert _service is not None, "init_process did not run"
    limits.note_owner(scratch)  # the loop sees a process that ended unreported (settling.py)
    first = job.events[0]
    with tracing.message_segment("cis-worker", message_id=job.message_id,
                                 receive_count=job.receive_count, events=len(job.events),
                                 document_id=first.document_id, kind=first.kind), \
            limits.use_scratch(scratch):
        result = _apply(_service, job, scratch, start)
    return limits.hand_over(result, scratch)


def record_failure(job: Job, scratch: Path, index: int, error: PermanentError,
                   then_retry: dict[str, str] | None = None) -> JobResult:
    """The event at `index` killed or outlasted its process: record its file as a failed
    document, then apply the events after it. With `then_retry` (the error that keeps the
    message for the DLQ) nothing else is applied and the message is retried."""
    assert _service is not None, "init_process did not run"
    limits.note_owner(scratch)
    event = job.events[index]
    with observability.log_context(message_id=job.message_id, key=event.source.key,
                                   document_id=event.document_id), limits.use_scratch(scratch):
        try:
            recorded = _service.record_failure(event, error)
        except Exception as exc:  # e.g. the index is down: the message is retried
            failure = classify(exc)
            log.error("recording the failure failed", extra=failure.to_dict())
            return JobResult("fatal" if isinstance(failure, FatalError) else "retry",
                             [FileMetrics("retry", error_class=failure.error_class)],
                             failure.to_dict())
        if then_retry is not None:
            return limits.hand_over(JobResult("retry", [recorded], then_retry), scratch)
        result = _apply(_service, job, scratch, index + 1)
    return limits.hand_over(JobResult(result.status, [recorded, *result.files], result.error),
                            scratch)


def handed_over(scratch: Path | None) -> JobResult | None:
    """The result a pool process left before retiring (`limits.hand_over`), if any."""
    result = limits.handed_over(scratch)
    return result if isinstance(result, JobResult) else None


def event_in_progress(scratch: Path) -> int:
    """The index of the event a job was applying when its process stopped (0 if unknown)."""
    try:
        return int((scratch / PROGRESS).read_text())
    except (OSError, ValueError):
        return 0


def _apply(service: ProcessingService, job: Job, scratch: Path, start: int) -> JobResult:
    files: list[FileMetrics] = []
    for index, event in enumerate(job.events[start:], start):
        (scratch / PROGRESS).write_text(str(index))
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
