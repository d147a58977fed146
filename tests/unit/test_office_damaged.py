"""A docx/xlsx/pptx cut short (a failed upload or copy) or damaged is `corrupt`, whatever the
cut: never "a zip that is not Office" or a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.files import make_docx, make_pptx, make_xlsx
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract_or_record
from worker.extraction.sniff import sniff
from worker.models import SourceRef

OPTIONS = ExtractionOptions(thumbnails=False)
MAKERS: dict[str, Callable[[Path], Path]] = {"docx": make_docx, "xlsx": make_xlsx,
                                            "pptx": make_pptx}
CUTS = (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("fraction", CUTS)
def test_truncated_office_file_is_corrupt(tmp_path: Path, kind: str, fraction: float) -> None:
    whole = MAKERS[kind](tmp_path / f"whole.{kind}").read_bytes()
    for name in (f"報告書.{kind}", "no-office-name.bin"):
        if name.endswith(".bin") and fraction < 0.1:
            continue  # the first member alone may not tell; only the name does
        cut = tmp_path / name
        cut.write_bytes(whole[:max(40, int(len(whole) * fraction))])
        assert sniff(cut).kind == kind, name
        document = extract_or_record(cut, SourceRef(path=str(cut)), OPTIONS).document
        assert (document.status, document.error_class, document.error_code) == (
            "failed", "permanent", "corrupt")
        assert document.mime_type.startswith("application/vnd.openxmlformats-officedocument")


def test_cut_inside_the_first_header_is_corrupt_by_its_office_name(tmp_path: Path) -> None:
    whole = make_xlsx(tmp_path / "whole.xlsx").read_bytes()
    named = tmp_path / "売上.xlsx"
    named.write_bytes(whole[:20])
    document = extract_or_record(named, SourceRef(path=str(named)), OPTIONS).document
    assert (document.error_code, document.mime_type) == (
        "corrupt", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    anonymous = tmp_path / "data.bin"
    anonymous.write_bytes(whole[:20])
    assert sniff(anonymous).kind == "zip"  # nothing says Office: an archive's reader decides


def test_damaged_member_inside_an_intact_zip_is_corrupt(tmp_path: Path) -> None:
    data = bytearray(make_docx(tmp_path / "whole.docx").read_bytes())
    start = data.index(b"word/document.xml") + len("word/document.xml") + 10
    data[start:start + 40] = bytes(40)  # the deflated body, not the directory
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(bytes(data))
    document = extract_or_record(damaged, SourceRef(path=str(damaged)), OPTIONS).document
    assert (document.status, document.error_code) == ("failed", "corrupt")
