"""The pipeline's own decisions, on files that need no OCR: what is recorded when a file
cannot be read, and the language hint."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.files import make_ole2
from worker.errors import UnsupportedFileError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract, extract_or_record, guess_language
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
