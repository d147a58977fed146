"""`cis-worker run`: the SQS poll loop, safe on spot capacity.

One main process receives (long polling, at most as many messages as there are free pool
slots, so nothing is received while the pool is full), hands each message's events to a
process pool (worker/queue/jobs.py), keeps held messages hidden with a visibility heartbeat up
to a hard cap, and settles each message by its job's outcome (worker/queue/settling.py: done →
deleted, transient → retried after a backoff, past the hard cap or dead twice → failed
document then deleted, fatal → released, drain, exit 2). An unparseable body (also hostile:
JSON nested 60,000 deep) is made visible again at once, for the DLQ. Each job works in a
scratch folder the loop makes and removes (worker/limits.py). The loop runs on the
MessageQueue port: SQS in production, worker/queue/memory.py in unit tests.

Shutdown (Dramatiq's way: the signal handler only sets a flag): the first SIGTERM/SIGINT
stops receiving, lets work in flight finish within SHUTDOWN_BUDGET_SECONDS, releases what
is unfinished (visibility 0) and exits 0; a second signal releases everything at once.
"""

from __future__ import annotations

import logging
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from types import FrameType
from typing import Any

from worker import composition, health, limits, observability
from worker.adapters.ecs import TaskProtection
from worker.config import Settings
from worker.errors import BadMessageError
from worker.messages import ObjectEvent
from worker.observability import FileMetrics
from worker.ports import MessageQueue, ReceivedMessage
from worker.queue import jobs
from worker.queue.acks import Acks
from worker.queue.inflight import InFlight
from worker.queue.intake import Receiver, read_events
from worker.queue.settling import ScratchFolders, Settler

log = logging.getLogger(__name__)


def run_worker(settings: Settings, factory: jobs.ServiceFactory | None = None,
               queue: MessageQueue | None = None) -> int:
    """Run until a signal (exit 0) or a fatal error (raised: the CLI exits 2)."""
    settings.require_for_run()
    observability.setup_logging(settings.log_level)
    if factory is None:
        composition.check_service(settings)
    worker = QueueWorker(settings, queue or composition.build_queue(settings),
                         factory or composition.build_service)
    return worker.run()


class QueueWorker:
    def __init__(self, settings: Settings, queue: MessageQueue,
                 factory: jobs.ServiceFactory) -> None:
        self.settings = settings
        self.queue = queue
        self.acks = Acks(queue)
        self.factory = factory
        self.inflight = InFlight(settings.visibility_timeout_s, settings.message_hold_cap_s)
        self.protection = TaskProtection(settings.ecs_agent_uri, settings.message_hold_cap_s)
        self.signals = 0
        self.drain_deadline: float | None = None
        self.exit_code = 0
        self.receiver = Receiver(queue, settings.wait_time_s, settings.visibility_timeout_s)
        self.idle = True
        self.last_beat = 0.0
        self.scratch = ScratchFolders()
        self.tick_s = max(0.2, min(1.0, settings.visibility_timeout_s / 6))

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        self._install_signal_handlers()
        orphans = limits.remove_orphaned_scratch()  # a killed predecessor's job folders
        self.pool, memory_limit = jobs.start_pool(self.settings, self.factory)
        self.max_receives = self.queue.max_receives()
        self.settler = Settler(self.settings, self.acks, self.inflight, self.scratch,
                               self.max_receives, self._stop_on_fatal)
        log.info("worker started", extra={"queue_url": self.queue.url,
                                          "concurrency": self.settings.worker_concurrency,
                                          "visibility_s": self.settings.visibility_timeout_s,
                                          "process_memory_mib": memory_limit // limits.MIB,
                                          "max_receives": self.max_receives,
                                          "orphaned_scratch_removed": orphans})
        try:
            while self._step():
                pass
        finally:
            self._stop_pool()
            self.scratch.drop_all()
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
            if not len(self.inflight) and self.receiver.pending is None:
                return False
            if time.monotonic() >= self.drain_deadline:
                log.warning("shutdown budget spent: releasing unfinished messages")
                self._release([h.message for h in self.inflight], "shutdown budget spent")
                return False
        self._maybe_receive()
        self._wait_for_something()
        self._take_received()
        self.settler.settle_finished(self.pool, self._maybe_receive)
        self._start_ready()
        self._heartbeat()
        self._beat()
        return True

    def _maybe_receive(self) -> None:
        """Receive only into free slots: never more messages than can start now."""
        free = self.settings.worker_concurrency - len(self.inflight)
        if self.drain_deadline is None:
            self.receiver.start(min(free, self.settings.max_receive))

    def _wait_for_something(self) -> None:
        waitables: list[Future[Any]] = [h.future for h in self.inflight.running()
                                        if h.future is not None]
        if self.receiver.pending is not None:
            waitables.append(self.receiver.pending)
        if waitables:
            wait(waitables, timeout=self.tick_s, return_when=FIRST_COMPLETED)
        else:
            time.sleep(self.tick_s)

    # --- receiving -----------------------------------------------------------------------

    def _take_received(self) -> None:
        messages = self.receiver.take()
        if messages is None:
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
            events = self._events(message)
            if events is None:
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

    def _events(self, message: ReceivedMessage) -> list[ObjectEvent] | None:
        """The message's events; None for a bad message (then back to the queue at once,
        so the redrive policy takes it to the DLQ after its receives)."""
        try:
            return read_events(message.body)
        except BadMessageError as exc:
            log.error("unparseable message: back to the queue for the DLQ",
                      extra={**exc.to_dict(), "body_start": message.body[:200]})
            self.acks.change_visibility([message], 0)
            observability.emit_metrics([FileMetrics("bad", error_class="permanent")],
                                       self.settings.environment)
            return None

    # --- running (settling: worker/queue/settling.py) -------------------------------------

    def _start_ready(self) -> None:
        for held in self.inflight.ready():
            held.received_at = time.monotonic()  # extended up to the cap from its start
            scratch = self.scratch.make(held)
            held.future = self.pool.schedule(jobs.run_job, args=(held.job, scratch),
                                             timeout=self.settings.message_hold_cap_s)

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
        extended = [h for h in due if h.message.message_id not in failed]
        for held in extended:
            held.visible_until = now + self.settings.visibility_timeout_s
        if extended:  # only what SQS confirmed: a dead heartbeat must not look alive
            log.info("visibility extended",
                     extra={"message_ids": [h.message.message_id for h in extended]})

    # --- shutdown ------------------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.signals += 1  # only a flag: the loop does the work

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def _stop_on_fatal(self) -> None:
        self.exit_code = 2
        self._begin_drain()

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
        """No longer held: visible again at once. (A job still running keeps its scratch
        folder until the pool is stopped; `run` removes what is left.)"""
        for message in messages:
            held = self.inflight.pop(message.message_id)
            if held is not None and held.future is None:
                self.scratch.drop(held)
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
                health.write_beat(Path(self.settings.health_file),
                                  self.receiver.failing_since, self.receiver.error)
            except OSError as exc:
                log.warning("cannot write the health file", extra={"error": str(exc)})
