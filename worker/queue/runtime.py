"""`cis-worker run`: the SQS poll loop, safe on spot capacity.

One main process receives (long polling, at most as many messages as there are free pool
slots, so nothing is received while the pool is full), hands each message's events to a
process pool (worker/queue/jobs.py), keeps held messages hidden with a visibility heartbeat up
to a hard cap, and settles each message by its outcome:
- done → DeleteMessageBatch (its `Failed` entries are logged: the message will come back
  and be processed again, idempotently);
- transient error → kept, visible again after a backoff that grows with its receives;
- unparseable → visible again at once, so the redrive policy takes it to the DLQ;
- fatal (e.g. no Tesseract) → released, the worker drains and exits 2.

Shutdown (Dramatiq's way: the signal handler only sets a flag): the first SIGTERM/SIGINT
stops receiving, lets work in flight finish within SHUTDOWN_BUDGET_SECONDS, releases what
is unfinished (visibility 0) and exits 0; a second signal releases everything at once.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from pebble import ProcessPool

from worker import composition, observability
from worker.adapters.ecs import TaskProtection
from worker.adapters.sqs import ReceivedMessage, SqsQueue
from worker.config import Settings
from worker.errors import BadMessageError, FatalError, TransientError, classify
from worker.messages import newest_per_object, parse_body
from worker.observability import FileMetrics
from worker.queue import jobs
from worker.queue.acks import Acks
from worker.queue.inflight import Held, InFlight, retry_delay_s

log = logging.getLogger(__name__)
T = TypeVar("T")


def run_worker(settings: Settings, factory: jobs.ServiceFactory | None = None,
               queue: SqsQueue | None = None) -> int:
    """Run until a signal (exit 0) or a fatal error (raised: the CLI exits 2)."""
    settings.require_for_run()
    observability.setup_logging(settings.log_level)
    if factory is None:
        composition.check_service(settings)
    worker = QueueWorker(settings, queue or composition.build_queue(settings),
                         factory or composition.build_service)
    return worker.run()


def _in_background(call: Callable[[], T]) -> Future[T]:
    """Run `call` on a daemon thread (never delays exit), its outcome in a Future."""
    future: Future[T] = Future()

    def target() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=target, name="receive", daemon=True).start()
    return future


class QueueWorker:
    def __init__(self, settings: Settings, queue: SqsQueue, factory: jobs.ServiceFactory) -> None:
        self.settings = settings
        self.queue = queue
        self.acks = Acks(queue)
        self.factory = factory
        self.inflight = InFlight(settings.visibility_timeout_s, settings.message_hold_cap_s)
        self.protection = TaskProtection(settings.ecs_agent_uri, settings.message_hold_cap_s)
        self.signals = 0
        self.drain_deadline: float | None = None
        self.exit_code = 0
        self.receiving: Future[list[ReceivedMessage]] | None = None
        self.next_receive_at = 0.0
        self.idle = True
        self.last_beat = 0.0
        self.tick_s = max(0.2, min(1.0, settings.visibility_timeout_s / 6))

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        self._install_signal_handlers()
        self.pool = ProcessPool(
            max_workers=self.settings.worker_concurrency,
            initializer=jobs.init_process, initargs=(self.settings, self.factory),
            context=multiprocessing.get_context("spawn"))
        log.info("worker started", extra={"queue_url": self.queue.url,
                                          "concurrency": self.settings.worker_concurrency,
                                          "visibility_s": self.settings.visibility_timeout_s})
        try:
            while self._step():
                pass
        finally:
            self._stop_pool()
            self.protection.release()
        log.info("worker stopped", extra={"exit_code": self.exit_code})
        return self.exit_code

    def _step(self) -> bool:
        """One turn of the loop; False when the worker should exit."""
        if self.signals >= 2:
            log.warning("second signal: releasing everything held and exiting")
            self._release([h.message for h in self.inflight], "second signal")
            return False
        if self.signals == 1:
            self._begin_drain()
        if self.drain_deadline is not None:
            if not len(self.inflight) and self.receiving is None:
                return False
            if time.monotonic() >= self.drain_deadline:
                log.warning("shutdown budget spent: releasing unfinished messages")
                self._release([h.message for h in self.inflight], "shutdown budget spent")
                return False
        self._maybe_receive()
        self._wait_for_something()
        self._take_received()
        self._settle_finished()
        self._start_ready()
        self._heartbeat()
        self._beat()
        return True

    def _maybe_receive(self) -> None:
        free = self.settings.worker_concurrency - len(self.inflight)
        if (self.receiving is None and self.drain_deadline is None and free > 0
                and time.monotonic() >= self.next_receive_at):
            count = min(free, self.settings.max_receive)
            self.receiving = _in_background(lambda: self.queue.receive(
                count, self.settings.wait_time_s, self.settings.visibility_timeout_s))

    def _wait_for_something(self) -> None:
        waitables: list[Future[Any]] = [h.future for h in self.inflight.running()
                                        if h.future is not None]
        if self.receiving is not None:
            waitables.append(self.receiving)
        if waitables:
            wait(waitables, timeout=self.tick_s, return_when=FIRST_COMPLETED)
        else:
            time.sleep(self.tick_s)

    # --- receiving -----------------------------------------------------------------------

    def _take_received(self) -> None:
        if self.receiving is None or not self.receiving.done():
            return
        future, self.receiving = self.receiving, None
        try:
            messages = future.result()
        except FatalError:
            raise
        except Exception as exc:  # the queue is unwell: try again in a while
            log.warning("receive failed", extra=classify(exc).to_dict())
            self.next_receive_at = time.monotonic() + 5.0
            return
        self.idle = not messages and not len(self.inflight)
        if self.drain_deadline is not None:
            self._release(messages, "received while shutting down")
            return
        for message in messages:
            self._accept(message)

    def _accept(self, message: ReceivedMessage) -> None:
        with observability.log_context(message_id=message.message_id,
                                       receive_count=message.receive_count):
            try:
                events = newest_per_object(parse_body(message.body))
            except BadMessageError as exc:
                log.error("unparseable message: back to the queue for the DLQ",
                          extra={**exc.to_dict(), "body_start": message.body[:200]})
                self.acks.change_visibility([message], 0)
                observability.emit_metrics([FileMetrics("bad", error_class="permanent")],
                                           self.settings.environment)
                return
            if not events:
                log.info("test event acknowledged")
                self.acks.delete([message])
                return
            job = jobs.Job(message.message_id, message.receive_count, tuple(events))
            if self.inflight.add(message, job, time.monotonic()) is None:
                log.warning("received a message already held: kept its new receipt")
            else:
                log.info("message received", extra={
                    "events": len(events), "bucket": events[0].source.bucket,
                    "keys": [event.source.key for event in events][:10]})

    # --- running and settling ------------------------------------------------------------

    def _start_ready(self) -> None:
        for held in self.inflight.ready():
            held.future = self.pool.schedule(jobs.run_job, args=(held.job,),
                                             timeout=self.settings.message_hold_cap_s)

    def _settle_finished(self) -> None:
        done = [h for h in self.inflight.running() if h.future is not None and h.future.done()]
        finished: list[tuple[Held, jobs.JobResult]] = []
        for held in done:
            result = self._result(held)
            self.inflight.pop(held.message.message_id)
            observability.emit_metrics(result.files, self.settings.environment)
            if result.status == "done":
                finished.append((held, result))
            else:
                with observability.log_context(message_id=held.message.message_id,
                                               receive_count=held.message.receive_count):
                    self._retry_later(held, result)
        if finished:
            self._maybe_receive()  # the freed slots fill while the delete is on its way
            self.acks.delete([held.message for held, _ in finished])
        for held, result in finished:
            log.info("message done", extra={"message_id": held.message.message_id,
                                            "receive_count": held.message.receive_count,
                                            "outcomes": [f.outcome for f in result.files]})

    def _result(self, held: Held) -> jobs.JobResult:
        assert held.future is not None
        try:
            return held.future.result()
        except FutureTimeout:
            reason = f"hard cap of {self.settings.message_hold_cap_s:.0f} s reached"
        except Exception as exc:  # the pool process died (OOM kill, crash)
            reason = f"pool process failed: {type(exc).__name__}: {exc}"
        error = TransientError(reason).to_dict()
        return jobs.JobResult("retry", [FileMetrics("retry", "transient")], error)

    def _retry_later(self, held: Held, result: jobs.JobResult) -> None:
        if result.status == "fatal":
            log.error("fatal error: releasing the message and stopping", extra=result.error)
            self.exit_code = 2
            self.acks.change_visibility([held.message], 0)
            self._begin_drain()
            return
        delay = retry_delay_s(held.message.receive_count, self.settings.retry_backoff_base_s,
                              self.settings.retry_backoff_max_s)
        log.warning("message kept for a retry", extra={**(result.error or {}),
                                                      "retry_in_s": delay})
        self.acks.change_visibility([held.message], delay)

    def _heartbeat(self) -> None:
        now = time.monotonic()
        for held in self.inflight.over_cap(now):
            if held.future is None:  # never started: give it back rather than hold it forever
                self._release([held.message], "waited past the hard cap")
        due = self.inflight.due_for_extension(now)
        if not due:
            return
        failed = self.acks.change_visibility([h.message for h in due],
                                         self.settings.visibility_timeout_s)
        for held in due:
            if held.message.message_id not in failed:
                held.visible_until = now + self.settings.visibility_timeout_s
        log.info("visibility extended", extra={"message_ids": [h.message.message_id
                                                               for h in due]})

    # --- shutdown ------------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.signals += 1  # only a flag: the loop does the work

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def _begin_drain(self) -> None:
        if self.drain_deadline is not None:
            return
        budget_s = self.settings.shutdown_budget_s
        self.drain_deadline = time.monotonic() + budget_s
        log.info("shutting down: no new receives", extra={"budget_s": budget_s,
                                                          "held": len(self.inflight)})
        self._release([h.message for h in self.inflight.waiting()],
                      "not started before shutdown")

    def _release(self, messages: list[ReceivedMessage], why: str) -> None:
        """No longer held: visible again at once."""
        for message in messages:
            self.inflight.pop(message.message_id)
        self.acks.release(messages, why)

    def _stop_pool(self) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=10)

    # --- liveness ----------------------------------------------------------------------

    def _beat(self) -> None:
        now = time.monotonic()
        busy = len(self.inflight) > 0 or not self.idle
        self.protection.update(busy)
        if now - self.last_beat >= 5.0:
            self.last_beat = now
            try:
                Path(self.settings.health_file).touch()
            except OSError as exc:
                log.warning("cannot touch the health file", extra={"error": str(exc)})
