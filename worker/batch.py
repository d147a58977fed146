"""`cis-worker process PATH... --out DIR`: local files through the pipeline, no AWS.

Files (see batch_files.py for what is covered) are spread over a pool of worker processes,
largest first so a long PDF does not start last. At most `jobs` files are in flight, so
when a worker process dies (killed for memory, a crash in a native library) the pool's
BrokenProcessPool names at most `jobs` suspects; each is then retried alone in a fresh
process, and the one that kills its process again is recorded as failed ("worker-crashed")
while the batch goes on. One bad file never stops the batch. A FatalError (a missing
program) stops it: nothing else could work either.

Every file named or found gets exactly one document: when no extraction outcome exists (a
FIFO, a dangling link, a file over the size limit, a crashed or transient failure) the parent
writes the file's `failed` document itself, so it can still be found by name. A folder that
could not be listed has no document: its line in summary.json is its record.

The parent process is the only writer of the output folder (LocalOutput). Exit codes:
0 when every file was processed — `partial` documents count as processed (they are written
and searchable; summary.json lists their reasons) — 1 when any file failed; a FatalError is
raised for the CLI to turn into 2.
"""

from __future__ import annotations

import json
import mimetypes
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from worker import __version__, limits
from worker.adapters.local import LocalOutput, atomic_write
from worker.batch_files import Candidate, expand_paths
from worker.batch_summary import (
    FileRecord,
    build_summary,
    format_table,
    record_document,
    record_error,
)
from worker.config import memory_limit_override
from worker.errors import (
    ConfigurationError,
    FatalError,
    PermanentError,
    TransientError,
    WorkerCrashedError,
    WorkerError,
    classify,
)
from worker.extraction.options import ExtractionOptions, default_jobs
from worker.extraction.pipeline import ExtractionOutcome, extract_or_record, failed_document
from worker.models import SourceRef, utc_timestamp


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
    """Runs in a worker process: the file's temporary files go to its own scratch folder."""
    with limits.use_scratch(scratch):
        return worker(path, options)


class _Pool:
    """A process pool whose processes run under their memory limit, and whose files each
    get a scratch folder that this (parent) process removes once the file is settled —
    also when the process working on it died."""

    def __init__(self, jobs: int, memory_limit: int) -> None:
        self.memory_limit = memory_limit
        # spawn: no fork of a parent that already runs threads (tqdm, the pool's manager)
        self.executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=limits.setup_pool_process, initargs=(memory_limit,))
        self.scratch: dict[Future[FileResult], Path] = {}

    def submit(self, worker: ProcessFile, path: Path,
               options: ExtractionOptions) -> Future[FileResult]:
        """Raises BrokenProcessPool when a process died since the last submission."""
        scratch = limits.make_scratch()
        try:
            future = self.executor.submit(_in_scratch, worker, path, options, scratch)
        except BaseException:
            limits.remove_scratch(scratch)
            raise
        self.scratch[future] = scratch
        return future

    def settle(self, future: Future[FileResult]) -> None:
        limits.remove_scratch(self.scratch.pop(future, None))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        for scratch in self.scratch.values():
            limits.remove_scratch(scratch)
        self.scratch.clear()


def _run_alone(path: Path, options: ExtractionOptions, worker: ProcessFile,
               memory_limit: int) -> FileResult:
    """Retry a crash suspect in a process of its own: a second crash is its own."""
    pool = _Pool(1, memory_limit)
    try:
        future = pool.submit(worker, path, options)
        return future.result()
    except BrokenProcessPool:
        return FileResult(None, WorkerCrashedError(
            "the worker process died while processing this file (killed by a signal, "
            "out of memory, or a crash in a native library)"), 0.0)
    finally:
        pool.close()


def run_pool(candidates: list[Candidate], options: ExtractionOptions, jobs: int,
             worker: ProcessFile = process_file,
             memory_limit: int | None = None) -> Iterator[tuple[Path, FileResult]]:
    """Yield (path, result) per file as they finish, at most `jobs` in flight.

    A pool breaks when one of its processes dies; its in-flight files are the suspects,
    each retried alone. The break can show on a finished future or on the next
    `submit` (when the process died between two submissions): either way the file being
    submitted goes back to the queue (it never ran) and the in-flight ones are suspects."""
    limit = memory_limit or limits.process_memory_limit(jobs, memory_limit_override())
    queue = sorted(candidates, key=lambda candidate: candidate.size_bytes, reverse=True)
    queue.reverse()  # pop() from the end: largest first
    pool = _Pool(jobs, limit)
    in_flight: dict[Future[FileResult], Path] = {}
    try:
        while queue or in_flight:
            broken = False
            while queue and len(in_flight) < jobs and not broken:
                candidate = queue.pop()
                try:
                    in_flight[pool.submit(worker, candidate.path, options)] = candidate.path
                except BrokenProcessPool:
                    queue.append(candidate)
                    broken = True
            done = wait(in_flight, return_when=FIRST_COMPLETED)[0] if in_flight else set()
            suspects: list[Path] = []
            for future in done:
                path = in_flight.pop(future)
                pool.settle(future)
                try:
                    yield path, future.result()
                except BrokenProcessPool:
                    suspects.append(path)
            if suspects or broken:
                suspects.extend(in_flight.values())  # every future of a broken pool fails
                in_flight.clear()
                pool.close()
                for path in suspects:
                    yield path, _run_alone(path, options, worker, limit)
                pool = _Pool(jobs, limit)
    finally:
        pool.close()


def _store_failure(output: LocalOutput, path: Path, error: WorkerError,
                   size_bytes: int = 0) -> FileRecord:
    """The `failed` document of a file no worker produced one for, and its record."""
    source = SourceRef(path=str(path))
    document = replace(failed_document(source, PermanentError(error.reason)),
                       error_class=error.error_class, error_code=error.code,
                       size_bytes=size_bytes)
    if size_bytes:  # too large, never read: its type is guessed by name, as the queue does
        document = replace(document, mime_type=mimetypes.guess_type(path.name)[0]
                           or document.mime_type)
    written = output.write([document])[0]
    return record_error(str(path), written.error or error, document_id=document.id)


def _store(output: LocalOutput, path: Path, result: FileResult) -> list[FileRecord]:
    """Write the document (and thumbnail) a worker produced, and those of the members or
    attachments inside it; the summary records: the file's, then one per child."""
    if result.outcome is None:
        return [_store_failure(output, path, result.error or TransientError("no result"))]
    records = []
    for outcome in (result.outcome, *result.outcome.children):
        document = outcome.document
        shown = str(path.parent / document.container_path) if document.container_path \
            else str(path)
        if outcome.thumbnail_jpeg:
            thumbnail = output.put_thumbnail(document.id, outcome.thumbnail_jpeg)
            document = replace(document, thumbnail=thumbnail)
        written = output.write([document])[0]
        if written.error is not None:
            records.append(record_error(shown, written.error, document_id=document.id))
        else:
            seconds = result.seconds if outcome is result.outcome else 0.0
            records.append(record_document(shown, document, seconds))
    return records


def share_cores(jobs: int, files: int) -> tuple[int, int]:
    """(processes, page_workers): one process per file up to `jobs`; with fewer files than
    that, the spare cores OCR more pages of each PDF at once, so one long scan still uses
    every core."""
    processes = max(1, min(jobs, files))
    return processes, max(1, jobs // processes)


def process_candidates(candidates: list[Candidate], output: LocalOutput,
                       options: ExtractionOptions, jobs: int,
                       worker: ProcessFile = process_file) -> list[FileRecord]:
    """Every candidate processed and stored; records in the order of the candidates, each
    file's followed by its children's (archive members, mail attachments)."""
    records: dict[Path, list[FileRecord]] = {}
    readable = []
    for candidate in candidates:
        if candidate.folder and candidate.problem is not None:
            records[candidate.path] = [record_error(str(candidate.path), candidate.problem,
                                                    file_type="folder")]
        elif candidate.problem is not None:
            records[candidate.path] = [_store_failure(output, candidate.path,
                                                      candidate.problem,
                                                      candidate.size_bytes)]
        else:
            readable.append(candidate)
    bar = tqdm(total=len(candidates), unit="file", file=sys.stderr,
               disable=not sys.stderr.isatty())
    bar.update(len(records))
    processes, page_workers = share_cores(jobs, len(readable))
    options = replace(options, page_workers=page_workers)
    with bar:
        for path, result in run_pool(readable, options, processes, worker):
            records[path] = _store(output, path, result)
            bar.update(1)
    return [record for candidate in candidates for record in records[candidate.path]]


def run_batch(paths: list[Path], out_dir: Path, jobs: int | None = None,
              languages: str | None = None, thumbnails: bool = True,
              options: ExtractionOptions | None = None) -> int:
    """Process files and folders into `out_dir`; print the table; return the exit code.
    `options` is the base the other arguments override (budgets, for tests and callers)."""
    options = replace(options or ExtractionOptions(), thumbnails=thumbnails)
    if languages:
        options = replace(options, languages=languages)
    jobs = jobs or default_jobs()
    try:
        output = LocalOutput(out_dir)
    except OSError as exc:
        raise ConfigurationError(f"cannot write to the output folder {out_dir}: "
                                 f"{exc.strerror or exc}") from exc
    started_at = utc_timestamp()
    started = time.perf_counter()
    candidates = expand_paths(paths, out_dir, max_bytes=options.max_file_bytes)
    records = process_candidates(candidates, output, options, jobs)
    summary = build_summary(records, __version__, started_at, utc_timestamp(),
                            time.perf_counter() - started, jobs)
    atomic_write(out_dir / "summary.json",
                 (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    print(format_table(records, summary))
    print(f"documents: {output.documents_dir}  summary: {out_dir / 'summary.json'}")
    return 1 if summary["counts"]["failed"] else 0
