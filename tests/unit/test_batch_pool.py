"""worker/batch_pool.py: a job whose process ended without its pool noticing (pebble misses a
process that dies before it has noted which task the process took) is settled as a crash,
or by the result the process handed over, instead of waiting for the hard cap."""

from __future__ import annotations

import os
import pickle
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from pebble import ProcessExpired

from worker import limits
from worker.batch_pool import FileResult, _Pool
from worker.errors import CorruptFileError
from worker.limits import LOST_AFTER_S


def ended_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.fixture
def pool() -> Iterator[_Pool]:
    pool = _Pool(1, 512 * limits.MIB, 60.0)  # pebble starts no process before a schedule
    yield pool
    pool.close()


def unreported(pool: _Pool, owner: int) -> tuple[Future[FileResult], Path]:
    """A job that `owner` took up and whose future nobody settles."""
    scratch = limits.make_scratch()
    (scratch / limits.OWNER).write_text(str(owner))
    future: Future[FileResult] = Future()
    pool.scratch[future] = scratch
    return future, scratch


def test_owner_gone_tells_a_live_process_from_an_ended_one(tmp_path: Path) -> None:
    assert not limits.owner_gone(tmp_path)  # not started yet
    (tmp_path / limits.OWNER).write_text(str(os.getpid()))
    assert not limits.owner_gone(tmp_path)
    (tmp_path / limits.OWNER).write_text(str(ended_pid()))
    assert limits.owner_gone(tmp_path)


def test_a_job_whose_process_ended_unreported_is_a_crash_suspect(pool: _Pool) -> None:
    future, scratch = unreported(pool, ended_pid())
    alive, _ = unreported(pool, os.getpid())
    assert pool.lost([future, alive]) == set()  # first seen ended: pebble may yet report it
    pool.dead_since[future] -= LOST_AFTER_S
    assert pool.lost([future, alive]) == {future}
    with pytest.raises(ProcessExpired):
        pool.result(future)
    assert future.cancelled() and not scratch.exists()


def test_a_lost_job_that_handed_its_result_over_keeps_it(pool: _Pool) -> None:
    future, scratch = unreported(pool, ended_pid())
    handed = FileResult(None, CorruptFileError("壊れたファイル"), 1.5)
    (scratch / limits.HANDED_OVER).write_bytes(pickle.dumps(handed))
    pool.dead_since[future] = 0.0  # long ago
    assert pool.lost([future]) == {future}
    result = pool.result(future)
    assert result.error is not None and result.error.reason == "壊れたファイル"
    assert not scratch.exists()
