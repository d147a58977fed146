"""The receiving side of the queue loop: one receive at a time in the background, and bodies
read into events.

`Receiver` runs `MessageQueue.receive` on a daemon thread (a long poll never delays exit),
so the loop keeps settling and extending while it waits. A failed receive (the queue cannot
be reached) is logged and retried after a pause; the receiver remembers since when receives
fail, which the loop writes into its health file (`cis-worker health` turns unhealthy when
that lasts). `read_events` turns a body into events; any body that cannot be read — not
JSON, not an S3 event, or hostile (JSON nested 60,000 deep) — is a BadMessageError, never an
exception that could stop the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from worker.errors import BadMessageError, FatalError, classify
from worker.messages import ObjectEvent, newest_per_object, parse_body
from worker.ports import MessageQueue, ReceivedMessage

log = logging.getLogger(__name__)
T = TypeVar("T")
PAUSE_AFTER_FAILURE_S = 5.0


def in_background(call: Callable[[], T]) -> Future[T]:
    """Run `call` on a daemon thread (never delays exit), its outcome in a Future."""
    future: Future[T] = Future()

    def target() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=target, name="receive", daemon=True).start()
    return future


class Receiver:
    def __init__(self, queue: MessageQueue, wait_s: int, visibility_s: int) -> None:
        self.queue = queue
        self.wait_s = wait_s
        self.visibility_s = visibility_s
        self.pending: Future[list[ReceivedMessage]] | None = None
        self.next_at = 0.0
        self.failing_since: float | None = None  # wall clock: for the health file
        self.error: str | None = None

    def start(self, count: int) -> None:
        """Begin a receive of up to `count` messages, unless one is on its way or paused."""
        if self.pending is None and count > 0 and time.monotonic() >= self.next_at:
            self.pending = in_background(
                lambda: self.queue.receive(count, self.wait_s, self.visibility_s))

    def take(self) -> list[ReceivedMessage] | None:
        """The messages of a finished receive; None while none has finished (or it failed).
        A FatalError (the queue does not exist) is raised: the worker cannot run."""
        if self.pending is None or not self.pending.done():
            return None
        future, self.pending = self.pending, None
        try:
            messages = future.result()
        except FatalError:
            raise
        except Exception as exc:  # the queue is unwell: try again in a while
            error = classify(exc)
            log.warning("receive failed", extra=error.to_dict())
            self.next_at = time.monotonic() + PAUSE_AFTER_FAILURE_S
            self.error = error.reason
            if self.failing_since is None:
                self.failing_since = time.time()
            return None
        self.failing_since = self.error = None
        return messages


def read_events(body: str) -> list[ObjectEvent]:
    """The body's events, one per object (the newest); BadMessageError for any bad body."""
    try:
        return newest_per_object(parse_body(body))
    except BadMessageError:
        raise
    except Exception as exc:  # whatever a hostile body provokes, it is the body's fault
        raise BadMessageError(f"unreadable message body: {type(exc).__name__}") from None
