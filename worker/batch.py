"""`cis-worker process PATH... --out DIR`: local files through the pipeline, no AWS.

Files (see batch_files.py for what is covered) are spread over a pool of worker processes,
largest first so a long PDF does not start last. When a worker process dies (killed for
memory, a crash in a native library) only its file fails and the pool replaces it; the
file is retried alone in a fresh process at the end, and if it kills its process again it
is recorded as failed ("worker-crashed"). A file still running at the hard cap
(MESSAGE_HOLD_CAP_SECONDS, as in the queue worker: a parser looping in pure Python) has its
process stopped and is `too-slow`; a file past the process's memory limit is `too-large`
and its process retires (worker/batch_pool.py). One bad file never stops the batch. A
FatalError (a missing program) stops it: nothing else could work either.

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
import sys
import time
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from worker import __version__
from worker.adapters.local import LocalOutput, atomic_write
from worker.batch_files import Candidate, expand_paths
from worker.batch_pool import FileResult, ProcessFile, process_file, run_pool
from worker.batch_summary import (
    FileRecord,
    build_summary,
    format_table,
    record_document,
    record_error,
)
from worker.errors import ConfigurationError, PermanentError, TransientError, WorkerError
from worker.extraction.options import ExtractionOptions, default_jobs
from worker.extraction.pipeline import failed_document
from worker.models import SourceRef, utc_timestamp

__all__ = ["FileResult", "process_candidates", "process_file", "run_batch", "run_pool"]


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
