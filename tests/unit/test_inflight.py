"""Held-message bookkeeping: heartbeat timing, the hard cap, one run per object, backoff."""

from __future__ import annotations

import random

from worker.messages import ObjectEvent
from worker.models import SourceRef
from worker.ports import ReceivedMessage
from worker.queue.inflight import InFlight, retry_delay_s
from worker.queue.jobs import Job


def message(mid: str, handle: str = "h") -> ReceivedMessage:
    return ReceivedMessage(mid, handle, "{}", 1, None)


def job(mid: str, *keys: str) -> Job:
    events = tuple(ObjectEvent("created", SourceRef(bucket="b", key=k)) for k in keys)
    return Job(mid, 1, events)


def test_extension_is_due_at_half_the_visibility_until_the_cap() -> None:
    held = InFlight(visibility_s=30, hold_cap_s=100)
    held.add(message("m"), job("m", "k"), now=0)
    assert held.due_for_extension(14) == []
    [due] = held.due_for_extension(15)
    due.visible_until = 45
    assert held.due_for_extension(29) == []
    assert held.due_for_extension(99.9) != [] and held.over_cap(99.9) == []
    assert held.over_cap(100) != []
    assert held.due_for_extension(129.9) != []  # one period past the cap: the kill lands
    assert held.due_for_extension(130) == []


def test_messages_about_the_same_object_never_run_together() -> None:
    held = InFlight(visibility_s=30, hold_cap_s=100)
    first = held.add(message("a"), job("a", "k1"), 0)
    held.add(message("b"), job("b", "k1", "k2"), 0)
    held.add(message("c"), job("c", "k3"), 0)
    assert [h.message.message_id for h in held.ready()] == ["a", "c"]
    assert first is not None
    first.future = object()  # type: ignore[assignment]  # running
    assert [h.message.message_id for h in held.ready()] == ["c"]
    held.pop("a")
    assert [h.message.message_id for h in held.ready()] == ["b", "c"]


def test_a_message_received_again_keeps_its_newest_receipt() -> None:
    held = InFlight(visibility_s=30, hold_cap_s=100)
    assert held.add(message("a", "old"), job("a", "k"), 0) is not None
    assert held.add(message("a", "new"), job("a", "k"), 10) is None
    assert len(held) == 1 and held.held["a"].message.receipt_handle == "new"
    assert held.held["a"].visible_until == 40


def test_retry_delay_grows_with_receives_and_is_capped() -> None:
    rng = random.Random(1)
    delays = [retry_delay_s(n, 30, 900, rng) for n in range(1, 8)]
    assert all(22 <= d <= 30 for d in delays[:1])
    assert delays[1] > delays[0] and delays[2] > delays[1]
    assert max(delays) <= 900 and delays[-1] >= 675
    assert retry_delay_s(100, 30, 10**9, rng) <= 43_200


def test_a_running_job_is_extended_up_to_twice_the_cap() -> None:
    """The pool's timeout counts from when a process took the job up, which may be late."""
    held = InFlight(visibility_s=30, hold_cap_s=100)
    running = held.add(message("m"), job("m", "k"), now=0)
    assert running is not None
    running.future = object()  # type: ignore[assignment]
    running.visible_until = 150
    assert held.due_for_extension(135) != []  # past cap + visibility, still running
    running.visible_until = 240
    assert held.due_for_extension(229.9) != [] and held.due_for_extension(230) == []
