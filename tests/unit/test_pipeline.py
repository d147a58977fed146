"""The pipeline's own decisions, on files that need no OCR: what is recorded when a file
cannot be read, and the language hint."""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.files import make_ole2
from worker.errors import CorruptFileError, UnsupportedFileError, classify
from worker.extraction import pipeline
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract, extract_or_record, guess_language
from worker.extraction.result import Extracted
from worker.models import SourceRef

OPTIONS = ExtractionOptions()


@pytest.mark.parametrize(("text", "language"), [
    ("来週の定例会議は中止です。", "ja"),
    ("Invoice INV-2024-0415 for 株式会社みなと商事", "ja"),  # a fifth or more is Japanese
    ("Quarterly report: revenue grew 12 percent over 2023 while costs fell.", "en"),
    ("12,345 / 67-890", None),
    ("", None),
])
def test_language_hint(text: str, language: str | None) -> None:
    assert guess_language(text) == language


def test_unknown_binary_is_a_failed_document_with_metadata(tmp_path: Path) -> None:
    path = tmp_path / "設計図.dat"
    path.write_bytes(bytes(range(256)) * 4)
    source = SourceRef(path=str(path))
    with pytest.raises(UnsupportedFileError):
        extract(path, source, OPTIONS)
    outcome = extract_or_record(path, source, OPTIONS)
    data = outcome.document.to_dict()
    assert outcome.thumbnail_jpeg is None
    assert data["status"] == "failed"
    assert (data["error_class"], data["error_code"]) == ("permanent", "unsupported")
    assert "unrecognised binary content" in data["reason"]
    assert (data["file_name"], data["size_bytes"], data["page_count"]) == ("設計図.dat", 1024, 0)
    assert data["mime_type"] == "application/octet-stream" and len(data["sha256"]) == 64


def test_plain_zip_is_unpacked_and_legacy_office_unsupported(tmp_path: Path) -> None:
    archive_path = tmp_path / "資料.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.txt", "中身")
    zipped = extract_or_record(archive_path, SourceRef(path=str(archive_path)), OPTIONS)
    assert zipped.document.status == "complete"  # unpacked: tests/unit/test_archives.py
    assert [child.document.content for child in zipped.children] == ["中身"]
    legacy = make_ole2(tmp_path / "見積.xls", "Workbook")
    old = extract_or_record(legacy, SourceRef(path=str(legacy)), OPTIONS).document
    assert old.mime_type == "application/x-ole-storage"  # a look-alike: no readable directory
    assert "OLE2 compound file of an unknown kind" in (old.reason or "")


def test_vanished_file_is_permanent(tmp_path: Path) -> None:
    path = tmp_path / "消えた.txt"
    outcome = extract_or_record(path, SourceRef(path=str(path)), OPTIONS)
    assert (outcome.document.status, outcome.document.error_code) == ("failed", "object-gone")


def test_text_document_fields(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_bytes("打ち合わせメモ\r\n次回は金曜日\r\n".encode("euc-jp"))
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert document.content == "打ち合わせメモ\n次回は金曜日\n"
    assert (document.encoding, document.language, document.status) == ("euc-jp", "ja",
                                                                        "complete")
    assert set(document.timings_ms) == {"extract", "thumbnail"}
    assert document.thumbnail is None


def _raise(exc: BaseException) -> Callable[..., Extracted]:
    def reader(*_args: object) -> Extracted:
        raise exc
    return reader


@pytest.mark.parametrize("exc", [
    ValueError("invalid literal for int() with base 10: 'abc'"), TypeError("Missing dimensions"),
    KeyError("rId9"), IndexError("list index out of range"), AttributeError("'NoneType' x"),
    struct.error("unpack requires a buffer of 4 bytes"), zlib.error("invalid stored block"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    RecursionError("maximum recursion depth exceeded"), EOFError("ran out of input"),
    NotImplementedError("compression type 99"),
])
def test_a_reader_failing_on_the_content_is_a_permanent_corrupt_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """Never "unexpected ...", transient, retried and dead-lettered (issue 10, DESIGN §3)."""
    path = tmp_path / "報告.txt"
    path.write_text("本文", encoding="utf-8")
    monkeypatch.setattr(pipeline, "read_by_type", _raise(exc))
    with pytest.raises(CorruptFileError) as raised:
        extract(path, SourceRef(path=str(path)), OPTIONS)
    assert raised.value.__cause__ is exc
    document = extract_or_record(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.error_class, document.error_code) == \
        ("failed", "permanent", "corrupt")
    assert document.reason is not None
    assert document.reason.startswith(f"the text file could not be parsed ({type(exc).__name__}")
    assert " ".join(str(exc).split()) in document.reason


@pytest.mark.parametrize("exc", [OSError(5, "Input/output error"), MemoryError()])
def test_disk_errors_and_memory_are_not_called_corrupt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    """OSError stays transient (classify), MemoryError is the memory limit's to handle."""
    path = tmp_path / "報告.txt"
    path.write_text("本文", encoding="utf-8")
    monkeypatch.setattr(pipeline, "read_by_type", _raise(exc))
    with pytest.raises(type(exc)):
        extract_or_record(path, SourceRef(path=str(path)), OPTIONS)
    assert classify(exc).error_class == "transient"


def test_the_size_limit_is_checked_before_the_file_is_hashed(tmp_path: Path) -> None:
    """A sparse 20 GB file is refused at once (stat), not after hashing every byte."""
    path = tmp_path / "巨大.txt"
    with path.open("wb") as handle:
        handle.write("本文".encode())
        handle.truncate(20 * 1024**3)
    document = extract_or_record(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.error_code) == ("failed", "too-large")
    assert document.size_bytes == 20 * 1024**3 and document.sha256 == ""
    small = tmp_path / "小.txt"
    small.write_text("本文", encoding="utf-8")
    assert len(extract(small, SourceRef(path=str(small)), OPTIONS).document.sha256) == 64


def test_an_empty_file_is_recorded_with_the_hash_of_no_bytes(tmp_path: Path) -> None:
    """The soak found it: an empty object's failed document had sha256 "", so it did not
    match the current object's bytes (a too-large file alone is left unhashed)."""
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    document = extract_or_record(empty, SourceRef(path=str(empty)), OPTIONS).document
    assert (document.status, document.error_code) == ("failed", "empty")
    assert document.sha256 == hashlib.sha256(b"").hexdigest()
