"""Bookkeeping of the messages a worker holds: when to extend them, which may start.

Pure (no SQS, no clock of its own): worker/queue/runtime.py passes `now` in. A message is held
from its receive until it is deleted or released; while held, the heartbeat extends its
visibility well before it expires, up to a hard cap. Two messages about the same object
never run at once: the later one waits (`ready`) until the first is settled, so duplicate
or racing events leave one document and one thumbnail.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from worker.ports import ReceivedMessage
from worker.queue.jobs import Job, JobResult

SQS_MAX_VISIBILITY_S = 43_200


@dataclass
class Held:
    message: ReceivedMessage
    job: Job
    received_at: float  # then reset when its job starts: the pool's timeout counts from there
    visible_until: float
    future: Future[JobResult] | None = None  # None: waiting for its objects to be free
    scratch: Path | None = None  # the job's temporary folder, made and removed by the loop
    recorded: bool = False  # its file's failed document is written (`record_failure`)
    gone_since: float | None = None  # when its job's process was first seen ended

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(event.document_id for event in self.job.events)


@dataclass
class InFlight:
    visibility_s: int
    hold_cap_s: float
    held: dict[str, Held] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.held)

    def __iter__(self) -> Iterator[Held]:
        return iter(list(self.held.values()))

    def add(self, message: ReceivedMessage, job: Job, now: float) -> Held | None:
        """Hold a new message; None if it is one we already hold (its visibility ran out
        and it came back): then only its newer receipt handle is kept."""
        current = self.held.get(message.message_id)
        if current is not None:
            current.message = message
            current.visible_until = now + self.visibility_s
            return None
        held = Held(message, job, now, now + self.visibility_s)
        self.held[message.message_id] = held
        return held

    def pop(self, message_id: str) -> Held | None:
        return self.held.pop(message_id, None)

    def running(self) -> list[Held]:
        return [h for h in self.held.values() if h.future is not None]

    def waiting(self) -> list[Held]:
        return [h for h in self.held.values() if h.future is None]

    def ready(self) -> list[Held]:
        """Waiting messages whose objects no running message touches (oldest first)."""
        busy: set[str] = set()
        for held in self.running():
            busy |= held.keys
        chosen: list[Held] = []
        for held in self.waiting():
            if not held.keys & busy:
                chosen.append(held)
                busy |= held.keys
        return chosen

    def due_for_extension(self, now: float) -> list[Held]:
        """Messages to extend now: half their visibility gone, still under the hard cap.
        The pool kills a job at the cap counted from when a pool process took it up, which
        can be a while after it was scheduled (a process being spawned): a running job is
        extended up to twice the cap, a waiting one one visibility period beyond it, so the
        message stays hidden until the kill is seen and the message is settled."""
        def limit(held: Held) -> float:
            cap = self.hold_cap_s if held.future is None else 2 * self.hold_cap_s
            return cap + self.visibility_s

        return [h for h in self.held.values()
                if h.visible_until - now <= self.visibility_s / 2
                and now - h.received_at < limit(h)]

    def over_cap(self, now: float) -> list[Held]:
        return [h for h in self.held.values() if now - h.received_at >= self.hold_cap_s]


def retry_delay_s(receive_count: int, base_s: int, max_s: int,
                  rng: random.Random | None = None) -> int:
    """Visibility for a transient failure: doubles per receive, jittered, capped."""
    exponent = max(0, min(receive_count - 1, 16))
    ceiling = min(max_s, base_s * 2**exponent, SQS_MAX_VISIBILITY_S)
    jitter = (rng or random).uniform(0.75, 1.0)
    return max(1, int(ceiling * jitter)) if ceiling > 0 else 0
