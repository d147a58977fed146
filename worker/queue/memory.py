"""An in-memory MessageQueue (worker/ports.py) with SQS's semantics, for tests and demos.

Like Dramatiq's StubBroker, it lets the receive / heartbeat / acknowledge loop
(worker/queue/runtime.py) be tested in one process with no network, yet it keeps what the
loop relies on: a received message is hidden for its visibility timeout and delivered again
(with a new receipt handle and a higher receive count) unless it is deleted; only the newest
receipt handle of a message is valid; a message received `redrive_after` times goes to the
dead-letter queue at its next receive (SQS's redrive policy). Thread-safe: the loop receives
on a background thread. `clock` is injectable; `receives` records each receive call.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from worker.ports import BatchFailure, ReceivedMessage

BATCH = 10


@dataclass
class _Stored:
    message_id: str
    body: str
    sent_at: float
    visible_at: float = 0.0
    receive_count: int = 0
    receipt_handle: str | None = None


@dataclass(frozen=True)
class ReceiveCall:
    """One receive: how many messages were asked for and how many were hidden (held by a
    consumer) at that moment."""

    asked: int
    hidden: int
    got: int


@dataclass
class InMemoryQueue:
    url: str = "memory://cis-files"
    redrive_after: int = 3  # maxReceiveCount of the redrive policy
    clock: Callable[[], float] = time.monotonic
    dead_letters: list[str] = field(default_factory=list)  # bodies moved to the DLQ
    receives: list[ReceiveCall] = field(default_factory=list)
    _messages: dict[str, _Stored] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    # --- producer and inspection ------------------------------------------------------

    def send(self, body: str) -> str:
        with self._changed:
            message_id = f"m-{next(self._ids)}"
            self._messages[message_id] = _Stored(message_id, body, self.clock())
            self._changed.notify_all()
            return message_id

    def visible(self) -> int:
        with self._changed:
            now = self.clock()
            return sum(1 for m in self._messages.values() if m.visible_at <= now)

    def __len__(self) -> int:
        """Messages still in the queue, visible or hidden."""
        with self._changed:
            return len(self._messages)

    # --- the port -------------------------------------------------------------------------

    def receive(self, max_messages: int, wait_s: int,
                visibility_s: int) -> list[ReceivedMessage]:
        deadline = time.monotonic() + wait_s
        count = max(1, min(BATCH, max_messages))
        with self._changed:
            now = self.clock()
            hidden = sum(1 for m in self._messages.values() if m.visible_at > now)
            while True:
                got = self._take(count, visibility_s)
                left = deadline - time.monotonic()
                if got or left <= 0:
                    self.receives.append(ReceiveCall(max_messages, hidden, len(got)))
                    return got
                self._changed.wait(min(left, 0.05))  # visibility expiries are not signalled

    def delete(self, messages: Sequence[ReceivedMessage]) -> list[BatchFailure]:
        with self._changed:
            failures = []
            for message in messages:
                if self._valid(message):
                    del self._messages[message.message_id]
                else:
                    failures.append(BatchFailure(message.message_id, "ReceiptHandleIsInvalid"))
            return failures

    def change_visibility(self, messages: Sequence[ReceivedMessage],
                          timeout_s: int) -> list[BatchFailure]:
        with self._changed:
            failures = []
            for message in messages:
                if self._valid(message):
                    self._messages[message.message_id].visible_at = self.clock() + timeout_s
                else:
                    failures.append(BatchFailure(message.message_id, "ReceiptHandleIsInvalid"))
            self._changed.notify_all()
            return failures

    def max_receives(self) -> int | None:
        return self.redrive_after

    # --- inside -------------------------------------------------------------------------

    def _valid(self, message: ReceivedMessage) -> bool:
        stored = self._messages.get(message.message_id)
        return stored is not None and stored.receipt_handle == message.receipt_handle

    def _take(self, count: int, visibility_s: int) -> list[ReceivedMessage]:
        now = self.clock()
        taken: list[ReceivedMessage] = []
        for stored in sorted(self._messages.values(), key=lambda m: m.sent_at):
            if len(taken) == count:
                break
            if stored.visible_at > now:
                continue
            if stored.receive_count >= self.redrive_after:  # the redrive policy
                del self._messages[stored.message_id]
                self.dead_letters.append(stored.body)
                continue
            stored.receive_count += 1
            stored.receipt_handle = f"{stored.message_id}/{stored.receive_count}"
            stored.visible_at = now + visibility_s
            taken.append(ReceivedMessage(stored.message_id, stored.receipt_handle, stored.body,
                                         stored.receive_count, None))
        return taken
