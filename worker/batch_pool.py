"""The pool of `cis-worker process` (worker/batch.py): files through worker processes.

pebble's ProcessPool, as the queue worker uses: a process that dies or is stopped fails
only its own file and is replaced, so one file never costs its neighbours. Each file works
in its own scratch folder, made and removed here (worker/limits.py). What happens to a file
whose process could not finish it: past the hard cap (MESSAGE_HOLD_CAP_SECONDS) it is
`too-slow`; past the memory limit it is `too-large` and its process retires after handing
the result over; a process that died leaves its file a crash suspect, retried alone once
the rest is done (a second death is the file's own: `worker-crashed`).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from worker import limits
from worker.batch_files import Candidate
from worker.config import hard_cap_s as config_hard_cap_s
from worker.config import memory_limit_override
from worker.errors import (
    FatalError,
    TooSlowError,
    WorkerCrashedError,
    WorkerError,
    classify,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, extract_or_record, failed_document
from worker.models import SourceRef


@dataclass(frozen=True)
class FileResult:
    """What a worker process sends back for one file."""

    outcome: ExtractionOutcome | None
    error: WorkerError | None
    seconds: float


ProcessFile = Callable[[Path, ExtractionOptions], FileResult]


def process_file(path: Path, options: ExtractionOptions) -> FileResult:
    """Runs in a worker process: one file through the pipeline; never raises but Fatal."""
    started = time.perf_counter()
    try:
        outcome = extract_or_record(path, SourceRef(path=str(path)), options)
        return FileResult(outcome, None, time.perf_counter() - started)
    except FatalError:
        raise
    except MemoryError as exc:  # past this process's memory limit: the file's own doing
        document = replace(failed_document(SourceRef(path=str(path)), limits.too_large(exc)),
                           size_bytes=path.stat().st_size)
        return FileResult(ExtractionOutcome(document, None), None, time.perf_counter() - started)
    except Exception as exc:  # one bad file never stops the batch
        return FileResult(None, classify(exc), time.perf_counter() - started)


def _in_scratch(worker: ProcessFile, path: Path, options: ExtractionOptions,
                scratch: Path) -> FileResult:
    """Runs in a worker process: the file's temporary files go to its own scratch folder; a
    process that ran out of memory hands its result over there and retires."""
    limits.note_owner(scratch)
    with limits.use_scratch(scratch):
        result = worker(path, options)
    return limits.hand_over(result, scratch)


class _Pool:
    """A process pool (pebble's: a process that dies or is stopped fails only its own file
    and is replaced) whose processes run under their memory limit, whose files are stopped
    at the hard cap, and whose files each get a scratch folder that this (parent) process
    removes once the file is settled — also when the process working on it died."""

    def __init__(self, jobs: int, memory_limit: int, hard_cap_s: float) -> None:
        self.hard_cap_s = hard_cap_s
        # spawn: no fork of a parent that already runs threads (tqdm, the pool's manager)
        self.pool = ProcessPool(max_workers=jobs, initializer=limits.setup_pool_process,
                                initargs=(memory_limit,),
                                context=multiprocessing.get_context("spawn"))
        self.scratch: dict[Future[FileResult], Path] = {}
        self.dead_since: dict[Future[FileResult], float] = {}

    def submit(self, worker: ProcessFile, path: Path,
               options: ExtractionOptions) -> Future[FileResult]:
        """Raises RuntimeError when the pool is broken (pebble: all its processes died)."""
        scratch = limits.make_scratch()
        try:
            future = self.pool.schedule(_in_scratch, args=(worker, path, options, scratch),
                                        timeout=self.hard_cap_s)
        except BaseException:
            limits.remove_scratch(scratch)
            raise
        self.scratch[future] = scratch
        return future

    def result(self, future: Future[FileResult]) -> FileResult:
        """The file's result, settled. Raises ProcessExpired when its process died with no
        result (a crash suspect) and BrokenProcessPool when the whole pool broke."""
        try:
            if not future.done():  # lost (see `lost`): its process ended unreported
                future.cancel()
                raise ProcessExpired(  # type: ignore[no-untyped-call]
                    "the worker process ended and its pool did not notice")
            return future.result()
        except FutureTimeout:
            return FileResult(None, TooSlowError(
                f"processing did not finish within the hard cap of {self.hard_cap_s:g} s "
                "(MESSAGE_HOLD_CAP_SECONDS); the worker process was stopped"),
                self.hard_cap_s)
        except ProcessExpired:
            handed_over = limits.handed_over(self.scratch.get(future))
            if isinstance(handed_over, FileResult):  # retired after running out of memory
                return handed_over
            raise
        finally:
            self.dead_since.pop(future, None)
            limits.remove_scratch(self.scratch.pop(future, None))

    def wait_for(self, future: Future[FileResult]) -> FileResult:
        """`result`, once the future is done or lost."""
        while not future.done() and not self.lost([future]):
            wait([future], timeout=limits.LOST_AFTER_S)
        return self.result(future)

    def lost(self, futures: Iterable[Future[FileResult]]) -> set[Future[FileResult]]:
        """Unfinished futures whose process ended LOST_AFTER_S ago or more. pebble misses a
        process that dies before it has noted which task the process took (a crash at
        once): it would then wait for the hard cap."""
        now, lost = time.monotonic(), set()
        for future in futures:
            if future.done():
                continue
            since = limits.gone_since(self.scratch.get(future), self.dead_since.get(future),
                                      now)
            if since is not None:
                self.dead_since[future] = since
            if limits.is_lost(since, now):
                lost.add(future)
        return lost

    def close(self) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=10)
        for scratch in self.scratch.values():
            limits.remove_scratch(scratch)
        self.scratch.clear()


POOL_BROKEN = (BrokenProcessPool, RuntimeError)  # pebble: broken; schedule on a broken pool


def _run_alone(path: Path, options: ExtractionOptions, worker: ProcessFile,
               memory_limit: int, hard_cap_s: float) -> FileResult:
    """Retry a crash suspect in a process of its own: a second crash is its own."""
    pool = _Pool(1, memory_limit, hard_cap_s)
    try:
        return pool.wait_for(pool.submit(worker, path, options))
    except (ProcessExpired, *POOL_BROKEN):
        return FileResult(None, WorkerCrashedError(
            "the worker process died while processing this file (killed by a signal, "
            "out of memory, or a crash in a native library)"), 0.0)
    finally:
        pool.close()


def run_pool(candidates: list[Candidate], options: ExtractionOptions, jobs: int,
             worker: ProcessFile = process_file, memory_limit: int | None = None,
             hard_cap_s: float | None = None) -> Iterator[tuple[Path, FileResult]]:
    """Yield (path, result) per file as they finish, at most `jobs` in flight.

    A file whose process died is a suspect (the OOM killer may have picked it for a
    neighbour's use): once the others are done, each suspect is retried alone. A file
    past the hard cap has its process stopped and is `too-slow`. Should the whole pool
    break, its in-flight files are suspects and a new pool takes the rest."""
    limit = memory_limit or limits.process_memory_limit(jobs, memory_limit_override())
    cap = hard_cap_s or config_hard_cap_s()
    queue = sorted(candidates, key=lambda candidate: candidate.size_bytes, reverse=True)
    queue.reverse()  # pop() from the end: largest first
    pool = _Pool(jobs, limit, cap)
    in_flight: dict[Future[FileResult], Path] = {}
    suspects: list[Path] = []
    try:
        while queue or in_flight:
            broken = False
            while queue and len(in_flight) < jobs and not broken:
                candidate = queue.pop()
                try:
                    in_flight[pool.submit(worker, candidate.path, options)] = candidate.path
                except POOL_BROKEN:
                    queue.append(candidate)
                    broken = True
            done = wait(in_flight, timeout=limits.LOST_AFTER_S,
                        return_when=FIRST_COMPLETED)[0] if in_flight else set()
            done |= pool.lost(in_flight)
            for future in done:
                path = in_flight.pop(future)
                try:
                    result = pool.result(future)
                except ProcessExpired:
                    suspects.append(path)
                    continue
                except BrokenProcessPool:
                    suspects.append(path)
                    broken = True
                    continue
                yield path, result
            if broken:
                suspects.extend(in_flight.values())  # every future of a broken pool fails
                in_flight.clear()
                pool.close()
                pool = _Pool(jobs, limit, cap)
    finally:
        pool.close()
    for path in suspects:
        yield path, _run_alone(path, options, worker, limit, cap)
