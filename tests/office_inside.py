"""Office files with text outside the body, made by the real writers (python-docx,
python-pptx, openpyxl) and, where those cannot write a feature (ruby, phonetic runs, Excel
text boxes, SmartArt), by adding the XML Office itself writes to their output."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.fixtures.japanese_pages import GOTHIC

SCAN_LINES = ("御見積書の内容を確認しました。", "納期は来月末までにお願いします。")
SCAN_TEXT = "御見積書の内容を確認しました"  # what OCR must find of SCAN_LINES
SLIDE_SCAN_LINES = ("新製品の販売計画について", "東京本社で説明会を開きます。")
SHEET_SCAN_LINES = ("請求金額の内訳は別紙の通りです。",)
RUBY = (("東京", "とうきょう"), ("髙橋", "たかはし"))
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def scan_png(lines: tuple[str, ...]) -> bytes:
    """Japanese lines on white, like a scanned page cut to its text (PNG, 300 dpi)."""
    font = ImageFont.truetype(GOTHIC, 48)
    image = Image.new("L", (1400, 140 + 90 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((80, 70 + row * 90), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


def logo_png() -> bytes:
    """A small logo with text on it: too small to be worth OCR, so it is skipped."""
    image = Image.new("RGB", (160, 60), "navy")
    ImageDraw.Draw(image).text((10, 10), "LOGO", fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _ruby_run(base: str, reading: str) -> str:
    return (f'<w:r xmlns:w="{W}"><w:ruby><w:rubyPr><w:rubyAlign w:val="distributeSpace"/>'
            f"</w:rubyPr><w:rt><w:r><w:t>{reading}</w:t></w:r></w:rt><w:rubyBase><w:r>"
            f"<w:t>{base}</w:t></w:r></w:rubyBase></w:ruby></w:r>")


def docx_with_pictures_ruby_comment(path: Path, picture: bool = True) -> Path:
    """Body text with ruby (東京, 髙橋), a comment, a pasted scan and a small logo."""
    import docx
    from docx.oxml import parse_xml
    from docx.shared import Inches

    document = docx.Document()
    document.sections[0].header.paragraphs[0].add_run().add_picture(io.BytesIO(logo_png()))
    paragraph = document.add_paragraph("本社所在地：")
    for base, reading in RUBY:
        paragraph._p.append(parse_xml(_ruby_run(base, reading)))
    commented = document.add_paragraph("見積の条件").runs[0]
    document.add_comment(commented, text="単価を再確認してください", author="田中")
    if picture:
        document.add_picture(io.BytesIO(scan_png(SCAN_LINES)), width=Inches(5))
    document.save(str(path))
    return path


def pptx_with_scan_chart_master(path: Path, picture: bool = True) -> Path:
    """Slide 1: only a pasted scan; slide 2: a title and a chart; the master carries a text
    box (会社名) that shows on every slide, and the stock prompt placeholders; both slides
    have the same footer."""
    import pptx
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.util import Inches

    presentation = pptx.Presentation()
    blank = presentation.slide_layouts[6]
    first = presentation.slides.add_slide(blank)
    company = first.shapes.add_textbox(Inches(0.2), Inches(7), Inches(4), Inches(0.4))
    company.text_frame.text = "株式会社サンプル 社外秘"
    presentation.slide_master.shapes._spTree.append(company._element)  # moved to the master
    if picture:
        first.shapes.add_picture(io.BytesIO(scan_png(SLIDE_SCAN_LINES)), Inches(0.5),
                                 Inches(1), width=Inches(9))
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    assert second.shapes.title is not None
    second.shapes.title.text = "地域別売上"
    data = CategoryChartData()
    data.categories = ["関東", "関西", "九州"]
    data.add_series("上期実績", (120, 80, 45))
    chart = second.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2),
                                    Inches(6), Inches(4), data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "売上推移グラフ"
    for slide in presentation.slides:  # Insert > Header & Footer: a footer on every slide
        layout_footer = next(placeholder for placeholder in slide.slide_layout.placeholders
                             if placeholder.placeholder_format.type == PP_PLACEHOLDER.FOOTER)
        slide.shapes.clone_placeholder(layout_footer)
        slide.shapes[-1].text_frame.text = "営業本部 限定配布"
    presentation.save(str(path))
    return path


def xlsx_with_chart_comment_picture(path: Path, picture: bool = True) -> Path:
    """A sheet with a chart (title, series name, categories), a comment and a pasted scan."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image as SheetImage

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "売上"
    for row in (["支店", "売上高"], ["札幌支店", 10], ["名古屋支店", 20]):
        sheet.append(row)
    sheet["A2"].comment = Comment("前年より増加", "経理部")
    chart = BarChart()
    chart.title = "支店別売上高"
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=3))
    sheet.add_chart(chart, "D2")
    if picture:
        sheet.add_image(SheetImage(io.BytesIO(scan_png(SHEET_SCAN_LINES))), "D20")
    workbook.save(str(path))
    return path


def add_parts(path: Path, parts: dict[str, str], rels: dict[str, str]) -> Path:
    """Add parts to a package and Relationship elements to existing .rels parts."""
    with zipfile.ZipFile(path) as old:
        members = {info.filename: old.read(info) for info in old.infolist()}
    for rels_part, relationship in rels.items():
        members[rels_part] = members[rels_part].replace(
            b"</Relationships>", relationship.encode() + b"</Relationships>")
    members.update({name: data.encode() for name, data in parts.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members.items():
            new.writestr(name, data)
    return path
