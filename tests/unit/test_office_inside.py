"""Text Office keeps outside the body (charts, SmartArt, text boxes, comments, masters) and
readings (ruby, phonetic runs) that go to `readings`, not into the text."""

from __future__ import annotations

from pathlib import Path

from tests.files import write_package
from tests.office_inside import (
    RUBY,
    add_parts,
    docx_with_pictures_ruby_comment,
    pptx_with_scan_chart_master,
    xlsx_with_chart_comment_picture,
)
from worker.extraction.office.page_parts import assemble
from worker.extraction.office.pictures import PictureText
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract
from worker.models import Reading, SourceRef

OPTIONS = ExtractionOptions()
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
A_NS = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def test_docx_ruby_goes_to_readings_not_text_and_comments_are_read(tmp_path: Path) -> None:
    path = docx_with_pictures_ruby_comment(tmp_path / "住所.docx", picture=False)
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert document.content == "本社所在地：東京髙橋\n見積の条件\n単価を再確認してください"
    assert document.readings == tuple(Reading(base, reading) for base, reading in RUBY)
    assert document.to_dict()["readings"] == [{"base": "東京", "reading": "とうきょう"},
                                              {"base": "髙橋", "reading": "たかはし"}]
    assert "ocr_images" not in document.to_dict()["pages"][0]


def _phonetic_workbook(tmp_path: Path) -> Path:
    parts: dict[str, str | bytes] = {
        "xl/workbook.xml": f'<workbook {MAIN} {R_NS}><sheets>'
                           '<sheet name="住所録" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships {PKG}>'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>',
        "xl/sharedStrings.xml":
            f'<sst {MAIN}><si><t>東京都港区</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh>'
            '<rPh sb="2" eb="3"><t>ト</t></rPh><rPh sb="3" eb="5"><t>ミナトク</t></rPh>'
            '<phoneticPr fontId="1"/></si><si><t>ABC</t></si></sst>',
        "xl/worksheets/sheet1.xml":
            f'<worksheet {MAIN}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
            '<c r="B1" t="inlineStr"><is><t>渡邊</t><rPh sb="0" eb="2"><t>ワタナベ</t></rPh>'
            '</is></c><c r="C1" t="s"><v>1</v></c></row></sheetData></worksheet>',
    }
    return write_package(tmp_path / "住所録.xlsx", parts, main="xl/workbook.xml",
                         main_type=XLSX_MAIN)


def test_xlsx_phonetic_runs_go_to_readings_with_the_whole_reading(tmp_path: Path) -> None:
    extracted = extract_office(_phonetic_workbook(tmp_path), "xlsx", OPTIONS)
    assert extracted.pages[0].text == "住所録\n東京都港区\t渡邊\tABC"
    assert extracted.readings == (
        Reading("東京", "トウキョウ"), Reading("都", "ト"), Reading("港区", "ミナトク"),
        Reading("東京都港区", "トウキョウトミナトク"), Reading("渡邊", "ワタナベ"))


def test_xlsx_chart_comment_text_box_and_smartart(tmp_path: Path) -> None:
    path = xlsx_with_chart_comment_picture(tmp_path / "売上.xlsx", picture=False)
    text_box = (f'<twoCellAnchor><from><col>1</col><row>1</row></from><to><col>3</col>'
                f'<row>3</row></to><sp><nvSpPr><cNvPr id="9" name="TextBox 9"/></nvSpPr>'
                f'<spPr/><txBody><a:bodyPr {A_NS}/><a:p {A_NS}><a:r><a:t>速報値のため'
                f'要確認</a:t></a:r></a:p></txBody></sp><clientData/></twoCellAnchor></wsDr>')
    smartart = (f'<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/'
                f'diagram" {A_NS}><dgm:ptLst><dgm:pt modelId="1" type="doc"><dgm:t><a:p/>'
                '</dgm:t></dgm:pt><dgm:pt modelId="2"><dgm:t><a:p><a:r><a:t>企画立案</a:t>'
                '</a:r></a:p></dgm:t></dgm:pt><dgm:pt modelId="3"><dgm:t><a:p><a:r>'
                '<a:t>製造工程</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>')
    add_parts(path, {"xl/diagrams/data1.xml": smartart}, {
        "xl/drawings/_rels/drawing1.xml.rels":
            f'<Relationship Id="rId9" Type="{RELS}/diagramData" '
            'Target="/xl/diagrams/data1.xml"/>'})
    import zipfile
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/drawings/drawing1.xml"] = members["xl/drawings/drawing1.xml"].replace(
        b"</wsDr>", text_box.encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    page = extract_office(path, "xlsx", OPTIONS).pages[0]
    assert page.text == ("売上\n支店\t売上高\n札幌支店\t10\n名古屋支店\t20\n速報値のため要確認\n"
                         "前年より増加\n支店別売上高\n企画立案\n製造工程")


def test_pptx_master_text_once_no_prompts_charts_and_comments(tmp_path: Path) -> None:
    path = pptx_with_scan_chart_master(tmp_path / "計画.pptx", picture=False)
    comments = ('<p:cmLst xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
                'main"><p:cm authorId="0" idx="1"><p:pos x="10" y="10"/><p:text>数字の出典を'
                '追記</p:text></p:cm></p:cmLst>')
    add_parts(path, {"ppt/comments/comment1.xml": comments}, {
        "ppt/slides/_rels/slide2.xml.rels":
            f'<Relationship Id="rId99" Type="{RELS}/comments" '
            'Target="../comments/comment1.xml"/>'})
    pages = extract_office(path, "pptx", OPTIONS).pages
    assert [page.text for page in pages] == [
        "営業本部 限定配布\n株式会社サンプル 社外秘",
        "地域別売上\n売上推移グラフ\n上期実績\n関東\n関西\n九州\n数字の出典を追記",
    ]
    assert not any("Click to edit" in page.text or "Master" in page.text for page in pages)


def test_page_method_is_ocr_only_when_pictures_are_all_it_holds() -> None:
    pictures = [PictureText("請求書", 90.0), PictureText("納品書", 70.0)]
    only_pictures = assemble(3, [], pictures)
    assert (only_pictures.method, only_pictures.confidence, only_pictures.ocr_images) == (
        "ocr", 80.0, 2)
    assert only_pictures.text == "請求書\n納品書"
    mixed = assemble(1, ["表題"], pictures[:1])
    assert (mixed.method, mixed.confidence, mixed.ocr_images, mixed.text) == (
        "text-layer", None, 1, "表題\n請求書")
    assert mixed.to_dict()["ocr_images"] == 1


def test_master_text_leaves_japanese_and_english_prompts_out() -> None:
    from defusedxml.ElementTree import fromstring

    from worker.extraction.office.drawings import master_lines

    def shape(text: str, placeholder: str | None) -> str:
        ph = f'<p:nvPr><p:ph type="{placeholder}"/></p:nvPr>' if placeholder else "<p:nvPr/>"
        return (f"<p:sp><p:nvSpPr>{ph}</p:nvSpPr><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r>"
                "</a:p></p:txBody></p:sp>")

    master = ('<p:sldMaster xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/'
              f'main" {A_NS}><p:cSld><p:spTree>'
              + shape("マスター タイトルの書式設定", "title")
              + shape("マスター テキストの書式設定", "body")
              + shape("Click to edit Master text styles", "body")
              + shape("2024年度 経営企画部", "ftr")
              + shape("ロゴ 株式会社サンプル", None)
              + shape("マスター タイトルの書式設定", None)  # a prompt copied into a box
              + "</p:spTree></p:cSld></p:sldMaster>")
    assert master_lines(fromstring(master)) == ["2024年度 経営企画部", "ロゴ 株式会社サンプル"]


def test_docx_chart_and_smartart_join_the_page(tmp_path: Path) -> None:
    path = docx_with_pictures_ruby_comment(tmp_path / "報告.docx", picture=False)
    c_ns = 'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"'
    chart = (f'<c:chartSpace {c_ns} {A_NS}><c:chart><c:title><c:tx><c:rich><a:p><a:r>'
             '<a:t>部門別経費</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea>'
             '<c:barChart><c:ser><c:tx><c:strRef><c:f>Sheet1!$B$1</c:f><c:strCache><c:pt '
             'idx="0"><c:v>交通費</c:v></c:pt></c:strCache></c:strRef></c:tx><c:cat><c:strRef>'
             '<c:strCache><c:pt idx="0"><c:v>総務部</c:v></c:pt><c:pt idx="1"><c:v>人事部</c:v>'
             '</c:pt></c:strCache></c:strRef></c:cat><c:val><c:numRef><c:numCache><c:pt idx="0">'
             '<c:v>1200</c:v></c:pt></c:numCache></c:numRef></c:val></c:ser></c:barChart>'
             '</c:plotArea></c:chart></c:chartSpace>')
    smartart = (f'<dgm:dataModel xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/'
                f'diagram" {A_NS}><dgm:ptLst><dgm:pt modelId="1"><dgm:t><a:p><a:r><a:t>承認'
                '</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>')
    add_parts(path, {"word/charts/chart1.xml": chart, "word/diagrams/data1.xml": smartart}, {
        "word/_rels/document.xml.rels":
            f'<Relationship Id="rId90" Type="{RELS}/chart" Target="charts/chart1.xml"/>'
            f'<Relationship Id="rId91" Type="{RELS}/diagramData" Target="diagrams/data1.xml"/>'})
    text = extract_office(path, "docx", OPTIONS).pages[0].text
    assert text == ("本社所在地：東京髙橋\n見積の条件\n単価を再確認してください\n"
                    "部門別経費\n交通費\n総務部\n人事部\n承認")
