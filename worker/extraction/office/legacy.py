"""Legacy Office (.doc/.xls/.ppt) and RTF: converted to OOXML, then read like OOXML.

The conversion is LibreOffice's (libreoffice.py); the converted docx/xlsx/pptx goes through
the same readers as a file saved in that format, so pages are the same: a Word file or RTF
is one page, a workbook a page per sheet, a presentation a page per slide with its notes.
Encrypted legacy files are refused before any conversion (ole2.py). The converted file
lives in a private temporary folder that is removed afterwards.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Literal

from worker.extraction.office.libreoffice import TARGETS, convert_to_ooxml
from worker.extraction.office.ole2 import check_not_encrypted
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted

LegacyKind = Literal["doc", "xls", "ppt", "rtf"]
CONVERT_TIMEOUT_S = 600.0  # one conversion; the file budget caps it further
# LibreOffice writes the slide-number field of a PowerPoint 97 notes page as plain text
# "<number>" in a shape that is no placeholder: a line that is only that is no content.
_FIELD_PLACEHOLDERS = frozenset({"<number>"})


def _without_field_placeholders(extracted: Extracted) -> Extracted:
    pages = tuple(replace(page, text="\n".join(
        line for line in page.text.split("\n") if line.strip() not in _FIELD_PLACEHOLDERS))
        for page in extracted.pages)
    return replace(extracted, pages=pages)


def extract_legacy(path: Path, kind: LegacyKind, options: ExtractionOptions) -> Extracted:
    """Pages and title of a .doc, .xls, .ppt or .rtf file (kind from sniffing)."""
    if kind != "rtf":
        check_not_encrypted(path, kind)
    target_kind = TARGETS[kind][0]
    timeout_s = min(CONVERT_TIMEOUT_S, options.file_budget_s)
    with tempfile.TemporaryDirectory(prefix="cis-convert-") as workdir:
        started = time.perf_counter()
        converted = convert_to_ooxml(path, kind, Path(workdir), timeout_s)
        convert_ms = round((time.perf_counter() - started) * 1000, 1)
        extracted = extract_office(converted, target_kind,  # type: ignore[arg-type]
                                   options)
    if kind == "ppt":
        extracted = _without_field_placeholders(extracted)
    return replace(extracted, timings_ms={**extracted.timings_ms, "convert": convert_ms})
