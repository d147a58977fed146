"""PDF extraction with the real poppler and Tesseract: text layer first, OCR only where needed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.fixtures.japanese_pages import (
    HORIZONTAL_LINES,
    character_error_rate,
    horizontal_page,
)
from tests.fixtures.pdfs import (
    born_digital,
    identity_h_pdf_without_tounicode,
    image_page,
    new_pdf,
    text_page,
    utf8_read_as_cp1252,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.reader import extract_pdf

OPTIONS = ExtractionOptions()
SCAN_CER_BOUND = 0.02  # measured 0.000 for the rendered scan page (as in test_ocr_japanese)
SHORT_LINES = HORIZONTAL_LINES[:2]


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Page 1 born-digital, page 2 a scan with no text layer, page 3 born-digital."""
    path = tmp_path_factory.mktemp("pdf") / "mixed.pdf"
    pdf = new_pdf(path, "混在文書")
    text_page(pdf, HORIZONTAL_LINES)
    image_page(pdf, horizontal_page(SHORT_LINES).image)
    text_page(pdf, HORIZONTAL_LINES[2:])
    pdf.save()
    return path


def test_born_digital_pdf_is_read_from_its_text_layer_without_ocr(tmp_path: Path) -> None:
    path = born_digital(tmp_path / "born.pdf", pages=3)

    extracted = extract_pdf(path, OPTIONS)

    assert [page.method for page in extracted.pages] == ["text-layer"] * 3
    assert all(page.confidence is None for page in extracted.pages)
    assert extracted.pages[0].text.splitlines()[:2] == list(HORIZONTAL_LINES[:2])
    assert extracted.pages[2].text.endswith("3ページ目")
    assert (extracted.status, extracted.title) == ("complete", "見積書")
    assert extracted.timings_ms["ocr"] == 0


def test_mixed_pdf_ocrs_only_the_scanned_page(mixed_pdf: Path) -> None:
    extracted = extract_pdf(mixed_pdf, OPTIONS)

    assert [page.method for page in extracted.pages] == ["text-layer", "ocr", "text-layer"]
    scanned = extracted.pages[1]
    assert character_error_rate("\n".join(SHORT_LINES), scanned.text) <= SCAN_CER_BOUND
    assert scanned.confidence is not None and scanned.confidence > 50
    assert extracted.pages[2].text.startswith(HORIZONTAL_LINES[2])


@pytest.mark.parametrize("overlay, font", [
    pytest.param(tuple(utf8_read_as_cp1252(line) for line in SHORT_LINES), "Helvetica",
                 id="mojibake"),
    pytest.param(("p.1",), "Helvetica", id="stray-characters-over-a-page-image"),
])
def test_garbage_text_layer_over_a_scan_is_replaced_by_ocr(
        tmp_path: Path, overlay: tuple[str, ...], font: str) -> None:
    path = tmp_path / "garbage.pdf"
    pdf = new_pdf(path)
    image_page(pdf, horizontal_page(SHORT_LINES).image, overlay=overlay, overlay_font=font)
    pdf.save()

    (page,) = extract_pdf(path, OPTIONS).pages

    assert page.method == "ocr"
    assert character_error_rate("\n".join(SHORT_LINES), page.text) <= SCAN_CER_BOUND


def test_identity_h_font_without_tounicode_is_ocred(tmp_path: Path) -> None:
    path = identity_h_pdf_without_tounicode(tmp_path / "identity.pdf", SHORT_LINES)

    (page,) = extract_pdf(path, OPTIONS).pages

    assert page.method == "ocr"
    cer = character_error_rate("\n".join(SHORT_LINES), page.text)
    print(f"CER identity-h page: {cer:.4f}")
    assert cer <= 0.05, page.text


def test_pages_past_the_page_budget_are_not_read_and_the_document_is_partial(
        tmp_path: Path) -> None:
    path = born_digital(tmp_path / "long.pdf", pages=12)
    options = dataclasses.replace(OPTIONS, max_pages=5)

    extracted = extract_pdf(path, options)

    assert len(extracted.pages) == 5
    assert extracted.status == "partial"
    assert extracted.reason == "read 5 of 12 pages (page budget 5)"


def test_when_the_time_budget_is_gone_scans_are_left_and_text_layers_kept(
        mixed_pdf: Path) -> None:
    options = dataclasses.replace(OPTIONS, file_budget_s=0.0)

    extracted = extract_pdf(mixed_pdf, options)

    assert [page.method for page in extracted.pages] == ["text-layer", "none", "text-layer"]
    assert extracted.status == "partial"
    assert extracted.reason is not None and "page 2: not OCR'd" in extracted.reason


def test_a_page_too_large_for_the_pixel_budget_is_left_with_a_reason(mixed_pdf: Path) -> None:
    options = dataclasses.replace(OPTIONS, max_page_pixels=1_000)  # 16 tiles: below 72 dpi

    extracted = extract_pdf(mixed_pdf, options)

    assert extracted.pages[1].method == "none"
    assert extracted.reason is not None and "page 2: too large to render" in extracted.reason


def test_a_page_over_the_pixel_budget_is_read_in_tiles_at_full_resolution(
        mixed_pdf: Path) -> None:
    options = dataclasses.replace(OPTIONS, max_page_pixels=1_500 * 480 // 2)  # half the page

    extracted = extract_pdf(mixed_pdf, options)

    assert extracted.status == "complete"
    assert character_error_rate("\n".join(SHORT_LINES), extracted.pages[1].text) <= 0.05


def test_pages_ocred_side_by_side_come_back_in_order_and_unchanged(
        tmp_path: Path, mixed_pdf: Path) -> None:
    """Scans with different text on each page, read with two pages at once: each page keeps
    its own text and place (the scratch files and the budget are shared by the threads)."""
    path = tmp_path / "scans.pdf"
    pdf = new_pdf(path)
    for index in range(3):
        image_page(pdf, horizontal_page(HORIZONTAL_LINES[index:index + 1]).image)
    pdf.save()

    one = extract_pdf(path, OPTIONS)
    two = extract_pdf(path, dataclasses.replace(OPTIONS, page_workers=2))

    assert [page.method for page in two.pages] == ["ocr"] * 3
    assert [page.number for page in two.pages] == [1, 2, 3]
    assert [page.text for page in two.pages] == [page.text for page in one.pages]
    for index, page in enumerate(two.pages):
        assert character_error_rate(HORIZONTAL_LINES[index], page.text) <= SCAN_CER_BOUND
    assert two.timings_ms["ocr"] > 0
    mixed = extract_pdf(mixed_pdf, dataclasses.replace(OPTIONS, page_workers=3))
    assert [page.method for page in mixed.pages] == ["text-layer", "ocr", "text-layer"]
