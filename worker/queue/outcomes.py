"""What a finished pool job means for its message: pure decisions, no queue, no pool.

A job ends in one of four ways, and the loop (worker/queue/runtime.py) acts on the verdict:
- `done`: delete the message;
- `retry`: keep it, visible again after a backoff (a transient error: the index is down);
- `fatal`: release it and stop the worker (exit 2);
- `record`: the file killed or outlasted its pool process, so the process has no result to
  give. The hard cap is the file's own doing (`too-slow`), and so is a second death of the
  process on the same file (`worker-crashed`; the first may have been a neighbour's memory
  use, so it is retried once). The loop then runs `jobs.record_failure`, which writes the
  file's failed document and applies the message's remaining events: the message leaves the
  queue with the failure findable in the index, not in the DLQ unexplained. A transient
  failure on the message's last receive (`retries-exhausted`) is recorded the same way, but
  the message then goes on to the DLQ (`then_retry`), where a redrive can process it again.
A process that ran out of memory retires after its job (worker/limits.py): its future fails,
but the result it handed over (`handed_over`) decides as if it had returned.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Literal

from worker.errors import (
    PermanentError,
    RetriesExhaustedError,
    TooSlowError,
    TransientError,
    WorkerCrashedError,
)
from worker.observability import FileMetrics
from worker.queue.jobs import JobResult

Verdict = Literal["done", "retry", "fatal", "record"]
CRASHES_BEFORE_RECORDED = 2  # receives on which the process died before the file is blamed


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    result: JobResult
    failure: PermanentError | None = None  # for `record`: what the failed document says
    then_retry: bool = False  # for `record`: the message stays for the DLQ afterwards


def outcome(future: Future[JobResult], receive_count: int, hold_cap_s: float,
            last_receive: bool = False, recorded: bool = False,
            handed_over: JobResult | None = None) -> Outcome:
    """The verdict on a finished job of a message received `receive_count` times
    (`last_receive`: the queue dead-letters it next; `recorded`: its failure is written;
    `handed_over`: the result its process left before retiring, `limits.hand_over`)."""
    try:
        result = future.result()
    except FutureTimeout:
        return _record(TooSlowError(
            f"processing did not finish within the hard cap of {hold_cap_s:g} s "
            "(MESSAGE_HOLD_CAP_SECONDS); the pool process was stopped"))
    except Exception as exc:  # the pool process ended: retired, OOM kill, a native crash
        if handed_over is None:
            return _died(exc, receive_count)
        result = handed_over
    if result.status == "done":
        return Outcome("done", result)
    if result.status == "fatal":
        return Outcome("fatal", result)
    if last_receive and not recorded:
        reason = (result.error or {}).get("reason", "unknown error")
        failure = RetriesExhaustedError(
            f"failed on each of its {receive_count} receives; the message goes to the "
            f"dead-letter queue (a redrive processes it again): {reason}")
        return Outcome("record", result, failure, then_retry=True)
    return Outcome("retry", result)


def _died(exc: Exception, receive_count: int) -> Outcome:
    what = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if receive_count >= CRASHES_BEFORE_RECORDED:
        return _record(WorkerCrashedError(
            f"the pool process died processing this file on {receive_count} receives "
            f"({what}): killed by a signal, out of memory or a native crash"))
    error = TransientError(f"pool process failed: {what}").to_dict()
    return Outcome("retry", JobResult("retry", [FileMetrics("retry", "transient")], error))


def _record(error: PermanentError) -> Outcome:
    return Outcome("record", JobResult("retry", [], error.to_dict()), error)
