"""Settling the finished jobs of the queue loop (worker/queue/runtime.py): each message by the
verdict on its job (worker/queue/outcomes.py).

- done → deleted in one batch (the loop refills the freed slots while the delete is on its
  way);
- retry → kept, visible again after a backoff that grows with its receives;
- record → the job's process was stopped (hard cap) or died twice, or the message is on its
  last receive: the file's failed document is written by a fresh job
  (`jobs.record_failure`), which then applies the message's remaining events;
- fatal → released at once; the loop drains and exits 2.
A job whose process retired after running out of memory left its result in its scratch
folder (`jobs.handed_over`): it is settled like any other. A job whose process ended
without pebble noticing is settled as that process's death (`_done`). Each settled job's
scratch folder is removed here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from pebble import ProcessPool

from worker import limits, observability
from worker.config import Settings
from worker.queue import jobs
from worker.queue.acks import Acks
from worker.queue.inflight import Held, InFlight, retry_delay_s
from worker.queue.outcomes import Outcome, outcome

log = logging.getLogger(__name__)


class ScratchFolders:
    """Every job folder the loop made and has not removed yet."""

    def __init__(self) -> None:
        self.folders: set[Path] = set()

    def make(self, held: Held) -> Path:
        held.scratch = limits.make_scratch()
        self.folders.add(held.scratch)
        return held.scratch

    def drop(self, held: Held) -> None:
        if held.scratch is not None:
            limits.remove_scratch(held.scratch)
            self.folders.discard(held.scratch)
            held.scratch = None

    def drop_all(self) -> None:
        for folder in self.folders:
            limits.remove_scratch(folder)
        self.folders.clear()


class Settler:
    def __init__(self, settings: Settings, acks: Acks, inflight: InFlight,
                 scratch: ScratchFolders, max_receives: int | None,
                 on_fatal: Callable[[], None]) -> None:
        self.settings = settings
        self.acks = acks
        self.inflight = inflight
        self.scratch = scratch
        self.max_receives = max_receives
        self.on_fatal = on_fatal  # a job met a fatal error: the loop drains and exits 2

    def settle_finished(self, pool: ProcessPool, refill: Callable[[], None]) -> None:
        """Settle every finished job; `refill` runs before the deletes are sent."""
        finished: list[tuple[Held, jobs.JobResult]] = []
        for held in self._done():
            verdict = self._verdict(held)
            if verdict.verdict == "record":
                self._record_failure(pool, held, verdict)
                continue
            self.inflight.pop(held.message.message_id)
            self.scratch.drop(held)
            observability.emit_metrics(verdict.result.files, self.settings.environment)
            if verdict.verdict == "done":
                finished.append((held, verdict.result))
            else:
                with observability.log_context(message_id=held.message.message_id,
                                               receive_count=held.message.receive_count):
                    self._retry_later(held, verdict.result)
        if finished:
            refill()  # the freed slots fill while the delete is on its way
            self.acks.delete([held.message for held, _ in finished])
        for held, result in finished:
            log.info("message done", extra={"message_id": held.message.message_id,
                                            "receive_count": held.message.receive_count,
                                            "pid": result.pid,
                                            "outcomes": [f.outcome for f in result.files]})

    def _done(self) -> list[Held]:
        """Held messages whose job finished, or whose process ended LOST_AFTER_S ago or
        more with the job unsettled: pebble misses a process that dies before it has noted
        which task the process took (a crash at once), and would wait for the hard cap.
        Such a job is cancelled, and settled as its process's death."""
        now, done = time.monotonic(), []
        for held in self.inflight.running():
            assert held.future is not None
            if held.future.done():
                done.append(held)
            else:
                held.gone_since = limits.gone_since(held.scratch, held.gone_since, now)
                if limits.is_lost(held.gone_since, now):
                    held.future.cancel()  # its result: CancelledError, a death
                    done.append(held)
        return done

    def _verdict(self, held: Held) -> Outcome:
        assert held.future is not None
        receives = held.message.receive_count
        handed_over = jobs.handed_over(held.scratch)
        if handed_over is not None:
            log.info("pool process retired after running out of memory: replaced",
                     extra={"message_id": held.message.message_id, "pid": handed_over.pid})
        return outcome(held.future, receives, self.settings.message_hold_cap_s,
                       last_receive=self.max_receives is not None
                       and receives >= self.max_receives, recorded=held.recorded,
                       handed_over=handed_over)

    def _record_failure(self, pool: ProcessPool, held: Held, verdict: Outcome) -> None:
        """The job's process was stopped or died: record the file it was on as failed, in
        a fresh process, then carry on with the message's remaining events."""
        assert verdict.failure is not None and held.scratch is not None
        index = jobs.event_in_progress(held.scratch)
        with observability.log_context(message_id=held.message.message_id,
                                       receive_count=held.message.receive_count):
            log.error("file failed in its pool process: recording it",
                      extra={**verdict.failure.to_dict(),
                             "key": held.job.events[index].source.key})
        held.received_at = time.monotonic()  # the hard cap starts again for what is left
        held.recorded = True
        held.gone_since = None
        (held.scratch / limits.OWNER).unlink(missing_ok=True)  # a new process takes it up
        then_retry = verdict.result.error if verdict.then_retry else None
        held.future = pool.schedule(
            jobs.record_failure, args=(held.job, held.scratch, index, verdict.failure,
                                       then_retry),
            timeout=self.settings.message_hold_cap_s)

    def _retry_later(self, held: Held, result: jobs.JobResult) -> None:
        if result.status == "fatal":
            log.error("fatal error: releasing the message and stopping", extra=result.error)
            self.acks.change_visibility([held.message], 0)
            self.on_fatal()
            return
        delay = retry_delay_s(held.message.receive_count, self.settings.retry_backoff_base_s,
                              self.settings.retry_backoff_max_s)
        log.warning("message kept for a retry", extra={**(result.error or {}),
                                                      "retry_in_s": delay})
        self.acks.change_visibility([held.message], delay)
