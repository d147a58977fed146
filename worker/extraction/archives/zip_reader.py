"""Zip archives: each member a child document, names in the encoding they were written in.

Names: a member with flag bit 11 set has a UTF-8 name. Without it the bytes are whatever
the writing system used — on Japanese Windows (Explorer, Lhaplus, 7-Zip's default) that is
CP932, on macOS and many tools UTF-8 with no flag — so the raw name is tried as UTF-8 first
(strict: CP932 Japanese almost never decodes as UTF-8) and then CP932, and only then left
as zipfile's CP437. Members are inflated by inflate.py, counted on the bytes produced.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from worker.errors import CorruptFileError, EncryptedFileError, PermanentError
from worker.extraction.archives.inflate import copy_member
from worker.extraction.archives.members import (
    ContainerBudget,
    Member,
    Unpacking,
    clean_path,
    listing_page_text,
)
from worker.extraction.result import Extracted
from worker.models import Page

_UTF8_FLAG = 0x800


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its writer meant it (see the module docstring)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the raw bytes as CP437
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


class _ZipUnpacking:
    def __init__(self, path: Path, budget: ContainerBudget, max_member_bytes: int) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise CorruptFileError(f"not a readable zip archive: {exc}") from exc
        self._budget, self._limit = budget, max_member_bytes
        self._paths: list[str] = []
        self._notes: list[str] = []
        self._encrypted = 0

    def members(self) -> Iterator[Member]:
        try:
            for info in self._zip.infolist():
                if info.is_dir():
                    continue
                if not self._budget.admit(self._notes):
                    return
                path = clean_path(member_name(info))
                self._paths.append(path)
                if info.flag_bits & 0x1:
                    self._encrypted += 1
                    yield Member(path, error=EncryptedFileError(
                        "the member is encrypted (password-protected): it cannot be read"))
                    continue
                yield Member(path, save=self._saver(info, path))
        finally:
            self._zip.close()

    def _saver(self, info: zipfile.ZipInfo, path: str) -> Callable[[BinaryIO], None]:
        def save(destination: BinaryIO) -> None:
            try:
                copy_member(self._zip, info, destination, self._limit, self._budget.inflate,
                            path)
            except PermanentError as exc:
                self._notes.append(f"{path}: {exc.reason}")
                raise
        return save

    def parent(self) -> Extracted:
        notes = list(self._notes)
        if self._encrypted:
            notes.insert(0, f"{self._encrypted} encrypted member(s) could not be read")
        return Extracted(
            pages=(Page(1, listing_page_text(self._paths), "text-layer"),),
            status="partial" if notes else "complete",
            reason="; ".join(notes)[:2000] if notes else None)


def unpack_zip(path: Path, budget: ContainerBudget, max_member_bytes: int) -> Unpacking:
    unpacking = _ZipUnpacking(path, budget, max_member_bytes)
    return Unpacking(unpacking.members(), unpacking.parent)
