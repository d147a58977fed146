"""Costly and hostile pages (issues 9 and 10), each made by test code: a few KB of nested
form XObjects, runs of blank pages, a huge page with small print (real poppler, Tesseract)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fixtures.hostile_pages import blank_pages, huge_page, nested_xobjects
from worker.errors import PermanentError, TooSlowError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.reader import blank_page_numbers, extract_pdf

OPTIONS = ExtractionOptions()


def test_nested_form_xobjects_are_a_permanent_too_slow_error(tmp_path: Path) -> None:
    bomb = nested_xobjects(tmp_path / "nested.pdf")  # 10**10 drawing operations
    assert bomb.stat().st_size < 4_000

    with pytest.raises(TooSlowError, match="pdftotext stopped after") as caught:
        extract_pdf(bomb, dataclasses.replace(OPTIONS, file_budget_s=4))

    assert isinstance(caught.value, PermanentError) and not caught.value.retryable
    assert caught.value.code == "too-slow"


def test_a_shallow_nest_of_the_same_forms_is_read(tmp_path: Path) -> None:
    """The same structure, 10**3 operations: read (a tiny line, no text), complete."""
    shallow = nested_xobjects(tmp_path / "shallow.pdf", depth=3)

    extracted = extract_pdf(shallow, OPTIONS)

    assert extracted.status == "complete"
    assert [page.text for page in extracted.pages] == [""]


def test_blank_pages_are_told_from_pages_with_the_smallest_marks(tmp_path: Path) -> None:
    marked = {3: "hairline", 7: "grey", 11: "scan"}
    pdf = blank_pages(tmp_path / "blank.pdf", 300, marked)

    blank = blank_page_numbers(pdf, list(range(1, 301)), tmp_path, timeout_s=60)

    assert blank == set(range(1, 301)) - set(marked)


def test_a_pdf_of_blank_pages_is_complete_without_ocr(tmp_path: Path) -> None:
    pdf = blank_pages(tmp_path / "blank.pdf", 2000)

    extracted = extract_pdf(pdf, dataclasses.replace(OPTIONS, max_pages=2000))

    assert extracted.status == "complete", extracted.reason
    assert len(extracted.pages) == 2000
    assert {page.method for page in extracted.pages} == {"none"}
    assert extracted.timings_ms["ocr"] == 0


def test_a_huge_page_keeps_its_small_print_legible(tmp_path: Path) -> None:
    """9000 x 9000 pixels at 300 dpi with 6 pt print (24 px), under a 9 Mpx budget per image:
    the old way rendered the page whole at 100 dpi, where Tesseract reads these lines as
    "TOT", "NCPETP", "pm AE"; tiles keep 300 dpi."""
    lines = {(600, 500): "300 DPI 見積書 第1版", (4800, 4400): "Resolution 300 DPI",
             (300, 8300): "300 DPI 東京本社"}
    pdf = huge_page(tmp_path / "huge.pdf", 9000, lines, font_px=24)

    extracted = extract_pdf(pdf, dataclasses.replace(OPTIONS, max_page_pixels=9_000_000))

    text = extracted.pages[0].text
    assert extracted.status == "complete"
    assert text.count("300 DPI") == 3, text
    assert "見積書" in text and "東京本社" in text
