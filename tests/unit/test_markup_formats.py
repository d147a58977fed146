"""XML, HTML in Shift_JIS, RTF and OpenDocument recognised by content; XML and ODT read
without LibreOffice (the converted formats: tests/integration/test_office_formats.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.fixtures.office_documents import WORD_EXPECTED, char_recall, make_word_odt
from worker.errors import DecompressionBombError
from worker.extraction.office.opendocument import extract_opendocument
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract, extract_or_record
from worker.extraction.sniff import sniff
from worker.models import SourceRef

OPTIONS = ExtractionOptions(thumbnails=False)


def _document(path: Path) -> tuple[str, str, str | None]:
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    return document.mime_type, document.content, document.encoding


def test_xml_in_shift_jis_is_indexed_as_its_text(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"  # no telling name: the declaration decides
    xml = ('<?xml version="1.0" encoding="Shift_JIS"?>\n<!-- 出力 -->\n<顧客一覧>'
           '<顧客 id="1"><名前>髙橋精機株式会社</名前><住所>福岡県福岡市</住所></顧客>'
           '<備考><![CDATA[至急 <対応>]]></備考></顧客一覧>')
    path.write_bytes(xml.encode("cp932"))
    mime, content, encoding = _document(path)
    assert (mime, encoding) == ("application/xml", "cp932")
    assert content.splitlines() == ["髙橋精機株式会社", "福岡県福岡市", "至急 <対応>"]


def test_broken_xml_still_yields_its_words(tmp_path: Path) -> None:
    path = tmp_path / "truncated.xml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><記録><件名>月次報告</件名><本文>売上',
                    encoding="utf-8")
    _mime, content, _encoding = _document(path)
    assert content.splitlines() == ["月次報告", "売上"]


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>', encoding="utf-8")
    document = extract_or_record(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.error_code) == ("failed", DecompressionBombError.code)


def test_html_with_a_shift_jis_meta_charset_loses_its_markup(tmp_path: Path) -> None:
    path = tmp_path / "お知らせ.htm"
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            '<title>社内のお知らせ</title><style>p {color: red}</style></head><body>'
            '<p>健康診断は<b>５月１０日</b>です。</p><table><tr><td>会場</td><td>本社３階</td>'
            '</tr></table></body></html>')
    path.write_bytes(html.encode("cp932"))
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.mime_type, document.encoding, document.title) == \
        ("text/html", "cp932", "社内のお知らせ")
    assert document.content.splitlines() == ["健康診断は５月１０日です。", "会場 本社３階"]


def test_rtf_is_recognised_by_its_first_bytes(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_bytes(b"{\\rtf1\\ansi\\ansicpg932 \\'93\\'8c\\'8b\\'9e\\par}")
    assert (sniff(path).kind, sniff(path).mime_type) == ("rtf", "application/rtf")


def test_odt_is_recognised_and_read_without_an_office_suite(tmp_path: Path) -> None:
    odt = make_word_odt(tmp_path / "稟議書.odt")
    renamed = tmp_path / "稟議書.zip"
    renamed.write_bytes(odt.read_bytes())
    assert sniff(renamed).kind == "odt"
    extracted = extract_opendocument(renamed, "odt", OPTIONS)
    assert len(extracted.pages) == 1
    assert char_recall(WORD_EXPECTED, extracted.pages[0].text) == 1.0


def test_spreadsheet_rows_repeated_a_million_times_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "repeated.ods"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="名簿"><table:table-row>'
        '<table:table-cell><text:p>氏名</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell/>'
        '</table:table-row></table:table></office:spreadsheet></office:body>'
        '</office:document-content>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert sniff(path).kind == "ods"
    extracted = extract_opendocument(path, "ods", OPTIONS)
    assert [page.text for page in extracted.pages] == ["名簿\n氏名"]


@pytest.mark.parametrize("declared", ["application/vnd.oasis.opendocument.graphics", ""])
def test_other_opendocument_kinds_stay_plain_zips(tmp_path: Path, declared: str) -> None:
    path = tmp_path / "drawing.odg"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", declared)
    assert sniff(path).kind == "zip"
