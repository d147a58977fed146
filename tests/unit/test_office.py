"""Word, Excel and PowerPoint text, read safely (zip bombs, XML bombs, corrupt packages)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.files import (
    jpeg_bytes,
    make_docx,
    make_ole2,
    make_pptx,
    make_xlsx,
    make_zip_bomb_docx,
    word_body,
    write_package,
)
from worker.errors import (
    CorruptFileError,
    DecompressionBombError,
    UnsupportedFileError,
)
from worker.extraction.office.ole2 import ole2_error
from worker.extraction.office.ooxml import embedded_thumbnail
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions

OPTIONS = ExtractionOptions()
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def test_docx_headers_body_tables_footers_title(tmp_path: Path) -> None:
    extracted = extract_office(make_docx(tmp_path / "議事録.docx"), "docx", OPTIONS)
    assert extracted.title == "定例会議 議事録"
    assert [page.number for page in extracted.pages] == [1]
    assert extracted.pages[0].text == (
        "株式会社サンプル 社外秘\n定例会議 議事録\n日時：2024年1月15日（月）10:00〜11:00\n"
        "項目\t担当\t期限\n見積書の送付\t田中\t1月20日\n以上\n総務部")
    assert extracted.pages[0].method == "text-layer"


def test_xlsx_every_sheet_named_numbers_as_shown(tmp_path: Path) -> None:
    extracted = extract_office(make_xlsx(tmp_path / "見積.xlsx"), "xlsx", OPTIONS)
    assert [page.text for page in extracted.pages] == [
        "見積明細\n品名\t数量\t単価\t納期\nノートPC\t2\t¥150,000\t2024/1/15",
        "集計\n値引率\t12.5%\n差額\t△5,000",
    ]


def test_pptx_slides_in_order_with_notes(tmp_path: Path) -> None:
    extracted = extract_office(make_pptx(tmp_path / "報告.pptx"), "pptx", OPTIONS)
    assert [(page.number, page.text) for page in extracted.pages] == [
        (1, "四半期報告\n売上は前年比120%\nここで質問を受ける"),
        (2, "今後の課題"),
    ]


def test_docx_skips_fallback_copies_deleted_text_field_codes_and_furigana(tmp_path: Path) -> None:
    textbox = ("<w:p><w:r><w:t>本文</w:t></w:r><w:r><mc:AlternateContent><mc:Choice>"
               "<w:txbxContent><w:p><w:r><w:t>枠内の注記</w:t></w:r></w:p></w:txbxContent>"
               "</mc:Choice><mc:Fallback><w:txbxContent><w:p><w:r><w:t>枠内の注記</w:t>"
               "</w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"
               "<w:p><w:del><w:r><w:delText>削除済み</w:delText></w:r></w:del>"
               "<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>改訂版</w:t>"
               "<w:tab/><w:t>第2版</w:t></w:r></w:p>"
               "<w:p><w:r><w:t>担当：</w:t></w:r><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>たかはし"
               "</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>髙橋</w:t></w:r></w:rubyBase></w:ruby>"
               "</w:r></w:p>")
    path = write_package(tmp_path / "box.docx", {"word/document.xml": word_body(textbox)})
    text = extract_office(path, "docx", OPTIONS).pages[0].text
    assert text == "本文\n枠内の注記\n改訂版\t第2版\n担当：髙橋"


MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _workbook(path: Path, sheet_data: str) -> Path:
    """A one-sheet workbook (名簿) with two shared strings, 山田 (with furigana) and 太郎."""
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts: dict[str, str | bytes] = {
        "xl/workbook.xml": f'<workbook {MAIN_NS} {rel_ns}><sheets>'
                           '<sheet name="名簿" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/sharedStrings.xml": f'<sst {MAIN_NS}><si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t>'
                                '</rPh></si><si><r><t>太</t></r><r><t>郎</t></r></si></sst>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet {MAIN_NS}><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    return write_package(path, parts, main="xl/workbook.xml", main_type=XLSX_MAIN)


def test_xlsx_shared_strings_without_furigana_and_inline_strings(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "names.xlsx",
                     '<row r="1"><c r="A1" t="s"><v>0</v></c>'
                     '<c r="B1" t="s"><v>1</v></c>'
                     '<c r="C1" t="inlineStr"><is><t>営業部</t></is></c>'
                     '<c r="D1" t="b"><v>1</v></c><c r="E1" t="e"><v>#DIV/0!</v></c>'
                     '<c r="F1" t="str"><f>A1&amp;B1</f><v>山田太郎</v></c><c r="G1">'
                     '<v>0.30000000000000004</v></c></row>')
    page = extract_office(path, "xlsx", OPTIONS).pages[0]
    assert page.text == "名簿\n山田\t太郎\t営業部\tTRUE\t#DIV/0!\t山田太郎\t0.3"


def test_xlsx_shared_string_cell_that_is_no_index_keeps_its_text(tmp_path: Path) -> None:
    """Issue 10 item 4: `<c t="s"><v>abc</v></c>` was an "unexpected ValueError" (transient,
    retried, dead-lettered); the cell is read as its literal text and the rest of the sheet
    (and a non-numeric style index) still reads."""
    path = _workbook(tmp_path / "broken-index.xlsx",
                     '<row r="1"><c r="A1" t="s"><v>abc</v></c><c r="B1" t="s"><v>1</v></c>'
                     '</row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="x"><v>42</v>'
                     '</c><c r="C2" t="s"><v>99</v></c></row>')
    extracted = extract_office(path, "xlsx", OPTIONS)
    assert extracted.status == "complete"
    assert extracted.pages[0].text == "名簿\nabc\t太郎\n山田\t42"


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = make_zip_bomb_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(DecompressionBombError, match="zip bomb"):
        extract_office(bomb, "docx", OPTIONS)


def test_too_many_members_is_a_bomb(tmp_path: Path) -> None:
    parts: dict[str, str | bytes] = {f"x/{n}.xml": "" for n in range(10_001)}
    parts["word/document.xml"] = word_body("")
    path = write_package(tmp_path / "many.docx", parts)
    with pytest.raises(DecompressionBombError, match="10004 members"):
        extract_office(path, "docx", OPTIONS)


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
              "</w:body></w:document>")
    path = write_package(tmp_path / "laughs.docx", {"word/document.xml": laughs})
    with pytest.raises(DecompressionBombError, match="DTD"):
        extract_office(path, "docx", OPTIONS)


def test_corrupt_packages_are_corrupt(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(make_docx(tmp_path / "whole.docx").read_bytes()[:2000])
    with pytest.raises(CorruptFileError):
        extract_office(truncated, "docx", OPTIONS)
    broken_xml = write_package(tmp_path / "broken.docx", {"word/document.xml": "<w:document"})
    with pytest.raises(CorruptFileError, match="not well-formed"):
        extract_office(broken_xml, "docx", OPTIONS)
    no_main = write_package(tmp_path / "nomain.docx", {})
    with pytest.raises(CorruptFileError, match="main document part"):
        extract_office(no_main, "docx", OPTIONS)


def test_embedded_thumbnail_jpeg_or_png_but_not_wmf(tmp_path: Path) -> None:
    jpeg = jpeg_bytes()
    docx = make_docx(tmp_path / "a.docx")
    with zipfile.ZipFile(docx) as archive:
        assert embedded_thumbnail(docx) == archive.read("docProps/thumbnail.jpeg")
    with_png = write_package(tmp_path / "png.docx", {"word/document.xml": word_body(""),
                                                     "docProps/thumbnail.png": jpeg})
    assert embedded_thumbnail(with_png) == jpeg
    wmf = write_package(tmp_path / "wmf.docx", {"word/document.xml": word_body(""),
                                                "docProps/thumbnail.wmf": b"\xd7\xcd\xc6\x9a"})
    assert embedded_thumbnail(wmf) is None


def test_unreadable_ole2_file_gets_a_clear_reason(tmp_path: Path) -> None:
    """A file with the OLE2 signature but no readable directory (real legacy and encrypted
    files: tests/integration/test_office_formats.py)."""
    broken = ole2_error(make_ole2(tmp_path / "old.doc", "WordDocument"))
    assert isinstance(broken, UnsupportedFileError)
    assert "OLE2 compound file of an unknown kind" in broken.reason


_DTD_PROPERTIES = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY t "タイトル">]>'
                   '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                   'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                   '<dc:title>&t;</dc:title></cp:coreProperties>')


def _with_part(source: Path, target: Path, name: str, data: str) -> Path:
    """A copy of the package at `source` with part `name` replaced by `data`."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            copy.writestr(info, data if info.filename == name else original.read(info))
    return target


@pytest.mark.parametrize("part", ["docProps/core.xml", "docProps/app.xml"])
def test_a_dtd_in_the_document_properties_drops_only_the_properties(
        tmp_path: Path, part: str, caplog: pytest.LogCaptureFixture) -> None:
    """Issue 10 item 9: a DTD only in docProps/core.xml failed the whole .docx as
    `decompression-bomb`; the body is fine, so it is read, without a title."""
    whole = make_docx(tmp_path / "whole.docx")
    path = _with_part(whole, tmp_path / "properties.docx", part, _DTD_PROPERTIES)
    extracted = extract_office(path, "docx", OPTIONS)
    assert extracted.status == "complete"
    assert "日時：2024年1月15日（月）10:00〜11:00" in extracted.pages[0].text
    if part == "docProps/core.xml":
        assert extracted.title is None
        assert "document properties skipped" in caplog.text and "DTD" in caplog.text
    else:
        assert extracted.title == "定例会議 議事録"


def test_a_dtd_in_the_body_part_still_fails_the_file(tmp_path: Path) -> None:
    whole = make_docx(tmp_path / "whole.docx")
    body = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "本文">]><w:document xmlns:w='
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            '<w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
    path = _with_part(whole, tmp_path / "body.docx", "word/document.xml", body)
    with pytest.raises(DecompressionBombError, match="DTD"):
        extract_office(path, "docx", OPTIONS)
