"""The text-layer gate on PDFs from real writers (reportlab, fpdf2) with their text layers
broken as broken writers break them (bench/eval/cases/text_layers.py): good layers are kept,
byte-swapped, unmapped, private-use and random-ASCII layers are OCR'd."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.eval.cases.text_layers import (
    EN_FONTS,
    JA_FONTS,
    make_cases,
    reportlab_ttf,
    strip_tounicode,
)
from tests.fixtures.japanese_pages import character_error_rate
from worker.extraction.ocr.page import Budget
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.poppler import pdf_info
from worker.extraction.pdf.reader import extract_pdf, judge_text_layers

SEED = 7  # neither a tuning nor a held-out seed of bench/text_layer_gate.py
OCR_CER_BOUND = 0.15  # byte-swapped pages OCR'd: measured below 0.05 (12 pt and larger)


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, str]]:
    return make_cases(tmp_path_factory.mktemp("layers"), SEED, per_class=2)


def _problem(pdf: Path) -> str | None:
    """Why the page is OCR'd; a doubtful layer (verified by OCR) counts when the OCR wins."""
    info = pdf_info(pdf, last_page=1, timeout_s=60)
    layers = judge_text_layers(pdf, info, 1, Budget(300))
    if 1 in layers.verify:
        page = extract_pdf(pdf, ExtractionOptions()).pages[0]
        return "the OCR found more" if page.method == "ocr" else None
    return layers.problems.get(1)


def test_every_class_is_there(cases: list[tuple[str, Path, str]]) -> None:
    assert {name for name, _, _ in cases} == {
        "textlayer-good-ja", "textlayer-good-en", "textlayer-byteswapped",
        "textlayer-no-tounicode", "textlayer-private-use", "textlayer-random-ascii"}


def test_good_text_layers_are_kept(cases: list[tuple[str, Path, str]]) -> None:
    kept = {pdf.name: _problem(pdf) for name, pdf, _ in cases if name.startswith("textlayer-good")}

    assert kept and all(problem is None for problem in kept.values()), kept


def test_garbage_text_layers_are_sent_to_ocr(cases: list[tuple[str, Path, str]]) -> None:
    judged = {pdf.name: _problem(pdf) for name, pdf, _ in cases
              if not name.startswith("textlayer-good")}

    assert judged and all(problem is not None for problem in judged.values()), judged


def test_a_byteswapped_page_is_read_by_ocr(cases: list[tuple[str, Path, str]]) -> None:
    _, pdf, reference = next(case for case in cases if case[0] == "textlayer-byteswapped")

    page = extract_pdf(pdf, ExtractionOptions()).pages[0]

    assert page.method == "ocr"
    assert character_error_rate(reference, page.text) <= OCR_CER_BOUND


def test_a_truetype_subset_without_tounicode_is_verified_by_ocr(tmp_path: Path) -> None:
    """reportlab's TrueType subsets keep ASCII codes and number the other glyphs: without
    the ToUnicode map, Japanese vanishes from the layer and only the digits are left."""
    lines = ["〒100-0005 東京都千代田区丸の内2-1-1", "請求書の発行についてご連絡します。"]
    pdf = strip_tounicode(reportlab_ttf(tmp_path / "ja.pdf", lines, JA_FONTS["ipag"], 14))
    info = pdf_info(pdf, last_page=1, timeout_s=60)
    layers = judge_text_layers(pdf, info, 1, Budget(300))
    assert layers.problems == {} and layers.verify == {1}  # the layer alone looks fine
    assert "東京" not in layers.texts[0] and "100-0005" in layers.texts[0]

    page = extract_pdf(pdf, ExtractionOptions()).pages[0]

    assert page.method == "ocr"
    assert character_error_rate("\n".join(lines), page.text) <= OCR_CER_BOUND


def test_a_complete_layer_in_a_subset_without_tounicode_is_kept_after_the_check(
        tmp_path: Path) -> None:
    lines = ["Please send the invoice to our Osaka office by 12 March 2025.",
             "Phone: +81 3 1234 5678 Fax: +81 3 5678 1234"]
    pdf = strip_tounicode(reportlab_ttf(tmp_path / "en.pdf", lines, EN_FONTS["dejavu-sans"],
                                         12))

    page = extract_pdf(pdf, ExtractionOptions()).pages[0]

    assert page.method == "text-layer"
    assert page.text.splitlines() == lines
