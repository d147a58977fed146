"""Pictures inside Office files are OCRed by the real Tesseract: a scan pasted into a .docx,
a slide or a sheet joins the page that shows it, logos are skipped by size, a picture bomb
or a spent time budget leaves the document partial with the text it has."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures.bad_images import png_bomb
from tests.fixtures.japanese_pages import normalise
from tests.office_inside import (
    SCAN_TEXT,
    docx_with_pictures_ruby_comment,
    pptx_with_scan_chart_master,
    xlsx_with_chart_comment_picture,
)
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions

pytestmark = pytest.mark.integration
OPTIONS = ExtractionOptions()


def _flat(text: str) -> str:
    return normalise(text).replace(" ", "")


def test_docx_scan_is_read_into_the_page_and_the_header_logo_is_skipped(tmp_path: Path) -> None:
    extracted = extract_office(docx_with_pictures_ruby_comment(tmp_path / "見積.docx"), "docx",
                               OPTIONS)
    page = extracted.pages[0]
    assert page.text.startswith("本社所在地：東京髙橋\n見積の条件\n単価を再確認してください\n")
    assert SCAN_TEXT in _flat(page.text)
    assert (page.method, page.ocr_images, extracted.status) == ("text-layer", 1, "complete")
    assert extracted.timings_ms["ocr"] > 0


def test_pptx_scan_slide_and_chart_slide(tmp_path: Path) -> None:
    pages = extract_office(pptx_with_scan_chart_master(tmp_path / "計画.pptx"), "pptx",
                           OPTIONS).pages
    assert "新製品の販売計画について" in _flat(pages[0].text)
    assert [page.ocr_images for page in pages] == [1, None]
    assert "売上推移グラフ" in pages[1].text


def test_xlsx_picture_on_a_sheet_is_read(tmp_path: Path) -> None:
    page = extract_office(xlsx_with_chart_comment_picture(tmp_path / "請求.xlsx"), "xlsx",
                          OPTIONS).pages[0]
    assert "請求金額の内訳は別紙" in _flat(page.text)
    assert page.ocr_images == 1


def _replace_media(path: Path, data: bytes) -> Path:
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    scans = [name for name, body in members.items() if name.startswith("word/media/")
             and Image.open(io.BytesIO(body)).size[0] > 1000]
    members[scans[0]] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, body in members.items():
            new.writestr(name, body)
    return path


def test_picture_bomb_leaves_the_document_partial_with_its_text(tmp_path: Path) -> None:
    path = _replace_media(docx_with_pictures_ruby_comment(tmp_path / "bomb.docx"), png_bomb())
    extracted = extract_office(path, "docx", OPTIONS)
    assert extracted.status == "partial"
    assert "picture word/media/" in (extracted.reason or "")
    assert "decompression bomb" in (extracted.reason or "")
    assert extracted.pages[0].text.startswith("本社所在地：東京髙橋")
    assert extracted.pages[0].ocr_images is None


def test_pictures_past_the_file_budget_are_left_with_a_reason(tmp_path: Path) -> None:
    path = docx_with_pictures_ruby_comment(tmp_path / "late.docx")
    extracted = extract_office(path, "docx", ExtractionOptions(file_budget_s=0))
    assert extracted.status == "partial"
    assert "budget ran out" in (extracted.reason or "")
    assert SCAN_TEXT not in _flat(extracted.pages[0].text)


def test_picture_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    path = docx_with_pictures_ruby_comment(tmp_path / "大判.docx")
    extracted = extract_office(path, "docx", ExtractionOptions(max_page_pixels=300_000))
    assert extracted.status == "partial"
    assert "over the limit of 300,000" in (extracted.reason or "")
    assert extracted.pages[0].ocr_images is None
    assert "ocr" not in extracted.timings_ms  # nothing reached Tesseract


def test_small_pictures_cost_no_ocr(tmp_path: Path) -> None:
    path = docx_with_pictures_ruby_comment(tmp_path / "ロゴだけ.docx", picture=False)
    extracted = extract_office(path, "docx", OPTIONS)  # the header logo is 160 x 60
    assert (extracted.status, extracted.pages[0].ocr_images) == ("complete", None)
    assert "ocr" not in extracted.timings_ms


def test_pictures_share_the_cores_and_keep_their_order(tmp_path: Path) -> None:
    import docx

    from tests.office_inside import SHEET_SCAN_LINES, scan_png

    document = docx.Document()
    document.add_paragraph("添付資料")
    for lines in (SHEET_SCAN_LINES, ("御見積書の内容を確認しました。",)):
        document.add_picture(io.BytesIO(scan_png(lines)))
    path = tmp_path / "二枚.docx"
    document.save(str(path))
    page = extract_office(path, "docx", ExtractionOptions(page_workers=2)).pages[0]
    flat = _flat(page.text)
    assert page.ocr_images == 2 and page.text.startswith("添付資料\n")
    assert flat.index("請求金額の内訳") < flat.index("御見積書の内容")
