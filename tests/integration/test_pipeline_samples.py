"""The pipeline on the bundled samples, with real poppler and Tesseract: the right text from
the right method, the file's identity, a thumbnail where there is a picture to show."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from worker import __version__
from worker.errors import EmptyFileError, FileTooLargeError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, extract, extract_or_record
from worker.models import SourceRef

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
OPTIONS = ExtractionOptions()


@pytest.fixture(scope="module")
def outcomes() -> dict[str, ExtractionOutcome]:
    """Each sample through the pipeline once (two pages of OCR in all)."""
    results = {}
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix != ".py":
            results[path.name] = extract(path, SourceRef(path=str(path)), OPTIONS)
    return results


def _methods(outcome: ExtractionOutcome) -> list[str]:
    return [page.method for page in outcome.document.pages]


def _thumbnail_size(outcome: ExtractionOutcome) -> tuple[int, int]:
    assert outcome.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(outcome.thumbnail_jpeg)) as picture:
        assert picture.format == "JPEG"
        return picture.size


def test_identity_fields(outcomes: dict[str, ExtractionOutcome]) -> None:
    for name, outcome in outcomes.items():
        document, path = outcome.document, SAMPLES / name
        assert document.id == SourceRef(path=str(path)).document_id
        assert document.file_name == name
        assert document.size_bytes == path.stat().st_size
        assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert document.processor_version == __version__
        assert document.processed_at.endswith("Z")
        assert document.status == "complete"
        assert document.language == "ja"
        assert document.content == "\n\n".join(page.text for page in document.pages if page.text)


def test_born_digital_pdf_is_read_from_its_text_layer(
        outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["請求書_born-digital.pdf"]
    assert _methods(outcome) == ["text-layer", "text-layer"]
    content = outcome.document.content
    for expected in ("請求書", "株式会社みなと商事", "ノートパソコン（14インチ）", "¥481,360",
                     "口座名義：トウキョウソフトウエア（カ）"):
        assert expected in content
    assert outcome.document.title == "請求書 INV-2024-0415"
    assert outcome.document.mime_type == "application/pdf"
    assert max(_thumbnail_size(outcome)) == OPTIONS.thumbnail_size


def test_scanned_pdf_is_ocred(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["見積書_scan.pdf"]
    assert _methods(outcome) == ["ocr"]
    page = outcome.document.pages[0]
    assert page.confidence is not None and page.confidence > 60
    for expected in ("御見積書", "株式会社さくら建設", "事務所内装工事",
                     "上記の通り御見積申し上げます"):
        assert expected in page.text
    assert max(_thumbnail_size(outcome)) == OPTIONS.thumbnail_size


def test_photo_is_turned_upright_and_ocred(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["領収書_photo.jpg"]
    assert outcome.document.mime_type == "image/jpeg"
    assert _methods(outcome) == ["ocr"]
    for expected in ("領収書", "山田太郎", "会議用弁当代", "東京都港区芝浦"):
        assert expected in outcome.document.content
    width, height = _thumbnail_size(outcome)
    assert height > width  # stored landscape, shown portrait (EXIF Orientation=6)


def test_docx_text_and_embedded_thumbnail(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["議事録.docx"]
    assert _methods(outcome) == ["text-layer"]
    content = outcome.document.content
    assert content.startswith("東京ソフトウェア株式会社　社外秘\n第12回 営業会議 議事録\n")
    assert "見積書をさくら建設へ送付\t鈴木\t4月12日" in content
    assert content.endswith("作成：総務部　佐藤")
    assert outcome.document.title == "第12回 営業会議 議事録"
    assert max(_thumbnail_size(outcome)) <= OPTIONS.thumbnail_size


def test_xlsx_sheets_as_pages_without_thumbnail(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["売上集計.xlsx"]
    first, second = outcome.document.pages
    assert first.text.splitlines()[:2] == ["売上明細", "日付\t取引先\t品目\t数量\t金額"]
    assert "2024/4/3\t株式会社みなと商事\tノートパソコン\t2\t¥296,000" in first.text
    assert "△¥39,800" in first.text
    assert second.text.splitlines() == ["月別集計", "月\t売上高\t前年比", "4月\t321,000\t108.0%",
                                        "5月\t199,000\t92.0%", "6月\t△39,800"]
    assert outcome.thumbnail_jpeg is None  # openpyxl stores no preview


def test_cp932_csv_decoded_and_encoding_recorded(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["取引先一覧.csv"]
    assert outcome.document.encoding == "cp932"
    assert outcome.document.mime_type == "text/csv"
    lines = outcome.document.content.splitlines()
    assert lines[0] == "取引先コード,取引先名,担当者,電話番号,住所"
    assert lines[-1] == ("S-004,髙橋精機株式会社,小林 直子,092-456-7890,"
                         "福岡県福岡市博多区博多駅前4-4-4")
    assert outcome.thumbnail_jpeg is None


def test_limits_raise_and_are_recorded(tmp_path: Path) -> None:
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        extract(empty, SourceRef(path=str(empty)), OPTIONS)
    csv = SAMPLES / "取引先一覧.csv"
    small = ExtractionOptions(max_file_bytes=100)
    with pytest.raises(FileTooLargeError, match="340 bytes; the limit is 100"):
        extract(csv, SourceRef(path=str(csv)), small)
    recorded = extract_or_record(csv, SourceRef(path=str(csv)), small).document
    assert (recorded.status, recorded.error_class, recorded.error_code) == \
        ("failed", "permanent", "too-large")
    assert recorded.mime_type == "text/csv" and recorded.size_bytes == 340
    assert recorded.pages == () and recorded.content == ""


def test_the_mail_sample_has_fields_and_its_pdf_attachment_read(
        outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["見積依頼.eml"]
    data = outcome.document.to_dict()
    assert data["subject"] == "【請求書送付】4月分のご請求について"
    assert data["from"] == "山田 太郎 <yamada@example.co.jp>"
    assert data["date"] == "2024-04-01T00:00:00Z"
    [pdf] = outcome.children
    assert pdf.document.container_path == "見積依頼.eml/請求書_born-digital.pdf"
    assert "株式会社みなと商事" in pdf.document.content
    assert pdf.thumbnail_jpeg is not None


def test_the_zip_sample_has_cp932_names_and_its_scan_ocred(
        outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["書類一式.zip"]
    children = {child.document.container_path: child for child in outcome.children}
    assert sorted(children) == ["書類一式.zip/2024年度/見積書_scan.pdf", "書類一式.zip/議事録.docx"]
    scan = children["書類一式.zip/2024年度/見積書_scan.pdf"]
    assert _methods(scan) == ["ocr"] and "御見積書" in scan.document.content
    assert "見積書をさくら建設へ送付" in children["書類一式.zip/議事録.docx"].document.content
    assert outcome.document.children == tuple(child.document.id for child in outcome.children)


def test_heic_photo_is_decoded_and_ocred(outcomes: dict[str, ExtractionOutcome]) -> None:
    outcome = outcomes["掲示物_iphone.heic"]
    assert _methods(outcome) == ["ocr"]
    assert outcome.document.mime_type == "image/heic"
    for expected in ("社内掲示", "全館停電のため", "在宅勤務とします。", "総務部"):
        assert expected in outcome.document.content
    assert max(_thumbnail_size(outcome)) == OPTIONS.thumbnail_size


def test_legacy_office_and_rtf_samples_are_read(outcomes: dict[str, ExtractionOutcome]) -> None:
    expected = {
        "議事録_Word97.doc": ("application/msword", 1, "見積書をさくら建設へ送付\t鈴木\t4月12日"),
        "売上集計_Excel97.xls": ("application/vnd.ms-excel", 2,
                                 "2024/6/14\t株式会社みなと商事\t返品（モニター）\t-1\t△¥39,800"),
        "新製品発表_PowerPoint97.ppt": ("application/vnd.ms-powerpoint", 2,
                                        "代理店向けの説明会は別途、名古屋と福岡で開く。"),
        "稟議書.rtf": ("application/rtf", 1, "株式会社みなと物産\t横浜市中区\t渡辺"),
    }
    for name, (mime, pages, line) in expected.items():
        document = outcomes[name].document
        assert (document.mime_type, len(document.pages)) == (mime, pages), name
        assert line in document.content.splitlines(), document.content
        assert all(page.method == "text-layer" for page in document.pages)
