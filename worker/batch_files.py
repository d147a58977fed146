"""Which files a `cis-worker process PATH...` run covers.

Folders are walked recursively. Decisions, so that a run over a real share does what a
person expects:
- hidden files and folders (names starting with ".") and Office lock files ("~$name.docx")
  inside folders are skipped: they are system clutter, never documents. A file named on the
  command line is always processed, hidden or not;
- symbolic links are followed, but a folder reached twice (a link loop, or two links to the
  same place) is walked once, and a file reached by two names is processed once, under the
  first name found;
- the output folder is never read as input (`process . --out out` does not index its own
  JSON);
- only regular files are read: a FIFO would block, a device or a socket is not a document.
  Those, dangling links and link loops are reported as failures, not silently dropped —
  nothing is lost;
- a folder that cannot be listed (no permission) is reported as a failure of its own (a
  `folder` candidate: a line in summary.json, no document), never skipped silently;
- a file over the size limit is known from `stat` alone: it is reported too large before
  anything reads it (hashing a sparse 20 GB file took 74 s).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from worker.errors import (
    FileTooLargeError,
    ObjectGoneError,
    PermanentError,
    UnsupportedFileError,
)


@dataclass(frozen=True)
class Candidate:
    path: Path  # absolute, as found (symlink names kept)
    size_bytes: int
    problem: PermanentError | None = None  # set when the file cannot be read at all
    folder: bool = False  # a folder that could not be listed: no document, a summary line


def _skipped_name(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _candidate(path: Path, max_bytes: int | None) -> Candidate:
    try:
        info = path.stat()
    except FileNotFoundError:
        return Candidate(path, 0, ObjectGoneError("dangling symbolic link or vanished file"))
    except OSError as exc:  # ELOOP (a link loop), EACCES on a parent folder, ...
        return Candidate(path, 0, UnsupportedFileError(f"cannot stat the file: {exc.strerror}"))
    if not stat.S_ISREG(info.st_mode):
        return Candidate(path, 0, UnsupportedFileError("not a regular file (device, FIFO or "
                                                       "socket): not read"))
    if max_bytes is not None and info.st_size > max_bytes:
        return Candidate(path, info.st_size, FileTooLargeError(
            f"the file is {info.st_size} bytes; the limit is {max_bytes} bytes"))
    return Candidate(path, info.st_size)


def _unlistable(error: OSError) -> Candidate:
    return Candidate(Path(str(error.filename)), 0, UnsupportedFileError(
        f"cannot read the folder: {error.strerror}"), folder=True)


def _walk(folder: Path, excluded: set[str], problems: list[Candidate]) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    walk = os.walk(folder, followlinks=True,
                   onerror=lambda error: problems.append(_unlistable(error)))
    for root, dirs, files in walk:
        info = os.stat(root)
        key = (info.st_dev, info.st_ino)
        if key in visited or os.path.realpath(root) in excluded:
            dirs[:] = []
            continue
        visited.add(key)
        dirs[:] = sorted(name for name in dirs if not _skipped_name(name))
        for name in sorted(files):
            if not _skipped_name(name):
                yield Path(root) / name


def expand_paths(paths: list[Path], out_dir: Path | None = None,
                 max_bytes: int | None = None) -> list[Candidate]:
    """Every file under `paths`, once each, with its size (largest first is the caller's),
    and every folder that could not be listed. Files over `max_bytes` come with their
    FileTooLargeError already (from stat: nothing is read)."""
    excluded = {os.path.realpath(out_dir)} if out_dir is not None else set()
    found: list[Candidate] = []
    seen: set[str] = set()
    for given in paths:
        absolute = Path(os.path.abspath(given))
        problems: list[Candidate] = []
        names = _walk(absolute, excluded, problems) if absolute.is_dir() else iter([absolute])
        for path in names:
            found.extend(problems)
            problems.clear()
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            found.append(_candidate(path, max_bytes))
        found.extend(problems)
    return found
