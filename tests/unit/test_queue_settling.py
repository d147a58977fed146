"""worker/queue/settling.py: a job whose pool process ended without pebble noticing (a process
that dies before pebble has noted which task it took) is settled as that process's death, or
by the result it handed over, instead of being held until the hard cap."""

from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, cast

import pytest
from pebble import ProcessPool

from worker import limits
from worker.config import Settings
from worker.limits import LOST_AFTER_S
from worker.queue.acks import Acks
from worker.queue.inflight import Held, InFlight
from worker.queue.jobs import Job, JobResult
from worker.queue.memory import InMemoryQueue
from worker.queue.settling import ScratchFolders, Settler

NO_POOL = cast(ProcessPool, None)  # retries and deletes schedule nothing


def ended_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def never() -> None:
    raise AssertionError("not expected here")


class Setup:
    def __init__(self) -> None:
        self.queue = InMemoryQueue()
        self.inflight = InFlight(30, 600)
        self.folders = ScratchFolders()
        settings = Settings.from_env({"RETRY_BACKOFF_BASE_SECONDS": "60",
                                      "RETRY_BACKOFF_MAX_SECONDS": "60"})
        self.settler = Settler(settings, Acks(self.queue), self.inflight, self.folders, 3,
                               never)

    def running(self, owner: int) -> tuple[Held, Path]:
        """A message whose job `owner` took up, its future unsettled."""
        self.queue.send("{}")
        [message] = self.queue.receive(1, 0, 30)
        held = self.inflight.add(message, Job(message.message_id, 1, ()), time.monotonic())
        assert held is not None
        scratch = self.folders.make(held)
        (scratch / limits.OWNER).write_text(str(owner))
        held.future = cast(Any, Future())
        return held, scratch


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return Setup()


def test_a_job_whose_process_ended_unreported_is_settled_as_its_death(setup: Setup) -> None:
    lost, scratch = setup.running(ended_pid())
    alive, _ = setup.running(os.getpid())
    setup.settler.settle_finished(NO_POOL, never)
    assert len(setup.inflight) == 2  # first seen ended: pebble may yet report it
    assert lost.gone_since is not None
    lost.gone_since -= LOST_AFTER_S
    setup.settler.settle_finished(NO_POOL, never)
    assert lost.future is not None and lost.future.cancelled()
    assert [h.message.message_id for h in setup.inflight] == [alive.message.message_id]
    assert not scratch.exists()
    assert len(setup.queue) == 2 and setup.queue.visible() == 0  # kept for a retry, later


def test_a_lost_job_that_handed_its_result_over_is_done(setup: Setup) -> None:
    held, scratch = setup.running(ended_pid())
    (scratch / limits.HANDED_OVER).write_bytes(pickle.dumps(JobResult("done", pid=4321)))
    held.gone_since = time.monotonic() - LOST_AFTER_S
    refilled: list[bool] = []
    setup.settler.settle_finished(NO_POOL, lambda: refilled.append(True))
    assert refilled == [True] and len(setup.inflight) == 0
    assert len(setup.queue) == 0  # deleted
