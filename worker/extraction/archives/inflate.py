"""Zip members inflated under limits counted on the bytes actually produced.

A zip's sizes are claims: a member that declares 5,000 bytes may inflate to 1.9 GB, and
`zipfile.ZipFile.read` hands the whole compressed member to zlib with a 2 GB output cap
before it compares anything with the declared size — the memory is spent before the lie is
seen. So members are inflated here, from the raw compressed bytes, in small steps (zlib's
`max_length`): every step's output is counted, and the member is refused as a
`decompression-bomb` the moment it passes its declared size, the caller's per-member limit,
the archive's total budget or the compression ratio — with at most one chunk in memory.

Only the central directory (names, offsets, declared sizes) comes from `zipfile`; the local
header is read here to find where the data starts. Methods: stored, deflate and bzip2 (what
Office, Windows, macOS and Info-ZIP write); others are reported unsupported. A member with
the encryption flag is an EncryptedFileError (no password is ever tried).
"""

from __future__ import annotations

import bz2
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from worker.errors import (
    CorruptFileError,
    DecompressionBombError,
    EncryptedFileError,
    UnsupportedFileError,
)

CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass
class InflateBudget:
    """What one archive (and the archives nested in it) may inflate, counted as it streams.

    `total` grows with every byte produced; the ratio applies to each member once it has
    produced `ratio_floor` bytes (small members compress wildly without harm)."""

    max_total_bytes: int = 1024 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor: int = 1024 * 1024
    total: int = 0

    def charge(self, name: str, produced: int, member_out: int, member_in: int) -> None:
        self.total += produced
        if self.total > self.max_total_bytes:
            raise DecompressionBombError(
                f"inflating {name!r} passed {self.max_total_bytes} bytes in total (the "
                "archive's limit): refused as a decompression bomb")
        ratio = member_out / max(1, member_in)
        if member_out > self.ratio_floor and ratio > self.max_ratio:
            raise DecompressionBombError(
                f"member {name!r} inflates more than {self.max_ratio}x ({member_out} bytes "
                f"from {member_in}): refused as a decompression bomb")


class _Inflater(Protocol):
    @property
    def needs_input(self) -> bool: ...
    @property
    def eof(self) -> bool: ...
    def produce(self, data: bytes, max_length: int) -> bytes: ...


class _Deflate:
    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(-15)

    @property
    def needs_input(self) -> bool:
        return not self._zlib.unconsumed_tail

    @property
    def eof(self) -> bool:
        return self._zlib.eof

    def produce(self, data: bytes, max_length: int) -> bytes:
        return self._zlib.decompress(self._zlib.unconsumed_tail + data, max_length)


class _Bzip2:
    def __init__(self) -> None:
        self._bz2 = bz2.BZ2Decompressor()

    @property
    def needs_input(self) -> bool:
        return self._bz2.needs_input

    @property
    def eof(self) -> bool:
        return self._bz2.eof

    def produce(self, data: bytes, max_length: int) -> bytes:
        return self._bz2.decompress(data, max_length)


class _Stored:
    needs_input = True
    eof = False

    def produce(self, data: bytes, max_length: int) -> bytes:
        return data


def _inflater(info: zipfile.ZipInfo) -> _Inflater:
    if info.compress_type == zipfile.ZIP_STORED:
        return _Stored()
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return _Deflate()
    if info.compress_type == zipfile.ZIP_BZIP2:
        return _Bzip2()
    raise UnsupportedFileError(
        f"member {info.filename!r} uses zip compression method {info.compress_type}, "
        "which is not supported (stored, deflate and bzip2 are)")


class MemberStream(io.RawIOBase):
    """One zip member's bytes, inflated step by step under `limit` and `budget`."""

    def __init__(self, archive_path: str | Path, info: zipfile.ZipInfo, limit: int,
                 budget: InflateBudget, name: str | None = None) -> None:
        super().__init__()
        self._name = name or info.filename
        if info.flag_bits & 0x1:
            raise EncryptedFileError(f"member {self._name!r} is encrypted (password-protected)")
        self._info, self._limit, self._budget = info, limit, budget
        self._inflater = _inflater(info)
        self._raw: BinaryIO = open(archive_path, "rb")  # noqa: SIM115 - closed in close()
        try:
            self._left_in = info.compress_size
            self._seek_to_data()
        except BaseException:
            self._raw.close()
            raise
        self._consumed = self._produced = 0
        self._crc = 0
        self._done = False

    def _seek_to_data(self) -> None:
        self._raw.seek(self._info.header_offset)
        header = self._raw.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
            raise CorruptFileError(f"member {self._name!r}: no local header where the "
                                   "central directory points")
        _signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        self._raw.seek(name_length + extra_length, io.SEEK_CUR)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._raw.close()
        super().close()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        want = min(len(buffer), CHUNK)
        while not self._done:
            stored_end = isinstance(self._inflater, _Stored) and self._left_in == 0
            if self._inflater.eof or stored_end:
                self._finish()
                break
            data = b""
            if self._inflater.needs_input:
                data = self._read_compressed(want)
            try:
                out = self._inflater.produce(data, want)
            except (zlib.error, OSError, EOFError, ValueError) as exc:
                raise CorruptFileError(f"member {self._name!r} is damaged: {exc}") from exc
            if out:
                self._count(out)
                buffer[:len(out)] = out
                return len(out)
        return 0

    def _read_compressed(self, want: int) -> bytes:
        if self._left_in <= 0:
            raise CorruptFileError(f"member {self._name!r} is truncated")
        step = min(CHUNK, self._left_in)
        if isinstance(self._inflater, _Stored):
            step = min(step, want)
        data = self._raw.read(step)
        if not data:
            raise CorruptFileError(f"member {self._name!r} is truncated (the file ends)")
        self._left_in -= len(data)
        self._consumed += len(data)
        return data

    def _count(self, out: bytes) -> None:
        self._produced += len(out)
        self._crc = zlib.crc32(out, self._crc)
        if self._produced > self._info.file_size:
            raise DecompressionBombError(
                f"member {self._name!r} inflates past its declared size of "
                f"{self._info.file_size} bytes (the header lies): refused as a "
                "decompression bomb")
        if self._produced > self._limit:
            raise DecompressionBombError(
                f"member {self._name!r} inflates past {self._limit} bytes (the limit): "
                "refused as a decompression bomb")
        self._budget.charge(self._name, len(out), self._produced, self._consumed)

    def _finish(self) -> None:
        self._done = True
        if self._produced != self._info.file_size:
            raise CorruptFileError(f"member {self._name!r} is {self._produced} bytes, not the "
                                   f"{self._info.file_size} it declares")
        if self._crc != self._info.CRC:
            raise CorruptFileError(f"member {self._name!r} fails its CRC check (damaged)")


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                budget: InflateBudget, name: str | None = None) -> io.BufferedReader:
    """A buffered reader of the member; errors are raised as they are found, while reading."""
    if archive.filename is None:
        raise ValueError("open_member needs a zip opened from a file")
    return io.BufferedReader(MemberStream(archive.filename, info, limit, budget, name), CHUNK)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                budget: InflateBudget, name: str | None = None) -> bytes:
    """The whole member (for parts parsed at once); refused before it outgrows `limit`."""
    if info.file_size > limit:
        raise DecompressionBombError(
            f"member {name or info.filename!r} declares {info.file_size} bytes "
            f"(limit {limit}): refused")
    with open_member(archive, info, limit, budget, name) as stream:
        return stream.read()


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, destination: BinaryIO,
                limit: int, budget: InflateBudget, name: str | None = None) -> int:
    """Stream the member into `destination` (an archive member to a temp file); its size."""
    copied = 0
    with open_member(archive, info, limit, budget, name) as stream:
        while chunk := stream.read(CHUNK):
            destination.write(chunk)
            copied += len(chunk)
    return copied
