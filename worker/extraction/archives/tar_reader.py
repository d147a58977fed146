"""tar archives (plain, .gz, .bz2, .xz) and single compressed files, read as a stream.

The compression layer is opened here (gzip/bz2/lzma from the standard library) and every
byte it produces is counted against the tree's budget, including headers and members that
are skipped — tarfile then reads the plain stream in stream mode (`r|`), one member at a
time, so neither memory nor disk ever holds more than the member being saved. Regular
files become members; directories are skipped; links, devices and FIFOs are members that
report why they cannot be read (a link is never followed). A compressed stream that is not
a tar (`報告書.pdf.gz`) is one member, named after the file without its suffix. Names
are read as UTF-8, else CP932 (tar on Japanese Windows).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from worker.errors import CorruptFileError, FileTooLargeError, PermanentError, UnsupportedFileError
from worker.extraction.archives.inflate import CHUNK, InflateBudget
from worker.extraction.archives.members import (
    ContainerBudget,
    Member,
    Unpacking,
    clean_path,
    listing_page_text,
)
from worker.extraction.result import Extracted
from worker.models import Page

_STREAM_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError)
_SUFFIXES = {"gzip": (".gz", ".tgz"), "bzip2": (".bz2", ".tbz2"), "xz": (".xz", ".txz")}


def member_name(name: str) -> str:
    """tarfile decodes names as UTF-8 with surrogate escapes; a tar made on Japanese
    Windows has CP932 names, so the raw bytes are tried as UTF-8, then CP932."""
    raw = name.encode("utf-8", "surrogateescape")
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


class _Counted(io.RawIOBase):
    """The decompressed stream, each byte charged to the budget as it is produced."""

    def __init__(self, raw: BinaryIO, decompressed: IO[bytes], budget: InflateBudget,
                 name: str) -> None:
        super().__init__()
        self._raw, self._inner, self._budget, self._name = raw, decompressed, budget, name
        self._produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._inner.read(min(len(buffer), CHUNK))
        if data:
            self._produced += len(data)
            self._budget.charge(self._name, len(data), self._produced, self._raw.tell())
            buffer[:len(data)] = data
        return len(data)


def _decompressed(raw: BinaryIO, compression: str | None) -> IO[bytes]:
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bzip2":
        return bz2.BZ2File(raw, "rb")
    if compression == "xz":
        return lzma.LZMAFile(raw, "rb")
    return raw


class _TarUnpacking:
    def __init__(self, path: Path, file_name: str, compression: str | None,
                 budget: ContainerBudget, max_member_bytes: int) -> None:
        self._path, self._file_name, self._compression = path, file_name, compression
        self._budget, self._limit = budget, max_member_bytes
        self._paths: list[str] = []
        self._notes: list[str] = []

    def _open(self) -> io.BufferedReader:
        raw = self._path.open("rb")
        counted = _Counted(raw, _decompressed(raw, self._compression), self._budget.inflate,
                           self._file_name)
        return io.BufferedReader(counted, CHUNK)

    def members(self) -> Iterator[Member]:
        with self._open() as stream:
            try:
                archive = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - closed below
            except tarfile.ReadError:
                archive = None
            except _STREAM_ERRORS as exc:
                raise CorruptFileError(f"the compressed stream cannot be read: {exc}") from exc
            if archive is None:
                if self._compression is None:
                    raise CorruptFileError("not a readable tar archive")
                yield from self._single()
                return
            try:
                yield from self._tar_members(archive)
            except PermanentError as exc:  # a limit crossed while skipping to the next header
                self._notes.append(exc.reason)
            except _STREAM_ERRORS as exc:
                self._notes.append(f"the archive is damaged after {len(self._paths)} "
                                   f"member(s): {exc}")
            finally:
                archive.close()

    def _tar_members(self, archive: tarfile.TarFile) -> Iterator[Member]:
        for info in archive:
            if info.isdir():
                continue
            if not self._budget.admit(self._notes):
                return
            path = clean_path(member_name(info.name))
            self._paths.append(path)
            yield self._member(archive, info, path)

    def _member(self, archive: tarfile.TarFile, info: tarfile.TarInfo, path: str) -> Member:
        if info.issym() or info.islnk():
            return Member(path, error=UnsupportedFileError(
                f"a link to {clean_path(info.linkname)!r}, not a file: links are not followed"))
        if not info.isreg():
            return Member(path, error=UnsupportedFileError(
                "a device, FIFO or other special entry, not a file"))
        if info.size > self._limit:
            return Member(path, error=FileTooLargeError(
                f"the member is {info.size} bytes; the limit is {self._limit} bytes"))
        return Member(path, save=self._saver(lambda: archive.extractfile(info), path))

    def _single(self) -> Iterator[Member]:
        name = self._file_name
        for suffix in _SUFFIXES.get(self._compression or "", ()):
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[:-len(suffix)] + (".tar" if suffix.startswith(".t") else "")
                break
        path = clean_path(name)
        self._budget.members += 1
        self._paths.append(path)
        with self._open() as stream:
            yield Member(path, save=self._saver(lambda: stream, path))

    def _saver(self, opener: Callable[[], IO[bytes] | None],
               path: str) -> Callable[[BinaryIO], None]:
        def save(destination: BinaryIO) -> None:
            try:
                source = opener()
                if source is None:
                    raise CorruptFileError("the member has no data")
                copied = 0
                while chunk := source.read(CHUNK):
                    copied += len(chunk)
                    if copied > self._limit:
                        raise FileTooLargeError(f"the member passes {self._limit} bytes "
                                                "(the limit)")
                    destination.write(chunk)
            except PermanentError as exc:
                self._notes.append(f"{path}: {exc.reason}")
                raise
            except _STREAM_ERRORS as exc:
                self._notes.append(f"{path}: damaged: {exc}")
                raise CorruptFileError(f"the member cannot be read: {exc}") from exc
        return save

    def parent(self) -> Extracted:
        notes = list(dict.fromkeys(self._notes))  # a limit may be met twice: said once
        return Extracted(
            pages=(Page(1, listing_page_text(self._paths), "text-layer"),),
            status="partial" if notes else "complete",
            reason="; ".join(notes)[:2000] if notes else None)


def unpack_tar(path: Path, file_name: str, compression: str | None, budget: ContainerBudget,
               max_member_bytes: int) -> Unpacking:
    """`compression`: None (plain tar), "gzip", "bzip2" or "xz"."""
    unpacking = _TarUnpacking(path, file_name, compression, budget, max_member_bytes)
    return Unpacking(unpacking.members(), unpacking.parent)
