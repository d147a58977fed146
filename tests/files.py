"""Small documents made by the tests themselves: Office packages (via python-docx, openpyxl,
python-pptx, or hand-written XML for edge cases), zip bombs and OLE2 look-alikes."""

from __future__ import annotations

import datetime
import io
import subprocess
import zipfile
import zlib
from pathlib import Path

from PIL import Image

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def jpeg_bytes(size: tuple[int, int] = (60, 40), color: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "定例会議 議事録"
    section = document.sections[0]
    section.header.paragraphs[0].text = "株式会社サンプル 社外秘"
    section.footer.paragraphs[0].text = "総務部"
    document.add_heading("定例会議 議事録", 1)
    document.add_paragraph("日時：2024年1月15日（月）10:00〜11:00")
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("項目", "担当", "期限")):
        table.cell(0, column).text = text
    for column, text in enumerate(("見積書の送付", "田中", "1月20日")):
        table.cell(1, column).text = text
    document.add_paragraph("以上")
    document.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "見積明細"
    sheet.append(["品名", "数量", "単価", "納期"])
    sheet.append(["ノートPC", 2, 150000, datetime.date(2024, 1, 15)])
    sheet["C2"].number_format = '"¥"#,##0'
    sheet["D2"].number_format = "yyyy/m/d"
    summary = workbook.create_sheet("集計")
    summary["A1"] = "値引率"
    summary["B1"] = 0.125
    summary["B1"].number_format = "0.0%"
    summary["A2"] = "差額"
    summary["B2"] = -5000
    summary["B2"].number_format = "#,##0;△#,##0"
    workbook.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    import pptx

    presentation = pptx.Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[1])
    assert first.shapes.title is not None
    first.shapes.title.text = "四半期報告"
    first.placeholders[1].text = "売上は前年比120%"
    first.notes_slide.notes_text_frame.text = "ここで質問を受ける"
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    assert second.shapes.title is not None
    second.shapes.title.text = "今後の課題"
    presentation.save(str(path))
    return path


def write_package(path: Path, parts: dict[str, str | bytes], main: str = "word/document.xml",
                  main_type: str = DOCX_MAIN) -> Path:
    """A minimal OOXML package: content types, the package relationship, the given parts."""
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
        '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{main_type}"/></Types>')
    package_rels = (f'<?xml version="1.0"?><Relationships xmlns="{PKG_RELS}">'
                    f'<Relationship Id="rId1" Type="{DOC_REL}" Target="{main}"/>'
                    '</Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", package_rels)
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def word_body(inner: str) -> str:
    return (f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
            f'<w:body>{inner}</w:body></w:document>')


def make_zip_bomb_docx(path: Path, expanded_bytes: int = 64 * 1024 * 1024) -> Path:
    """A docx whose document part inflates ~1000x: tens of KB on disk."""
    write_package(path, {})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/document.xml", "w", force_zip64=True) as part:
        part.write(word_body("").encode()[:-len("</w:body></w:document>")])
        chunk = b" " * (1024 * 1024)
        for _ in range(expanded_bytes // len(chunk)):
            part.write(chunk)
        part.write(b"</w:body></w:document>")
    return path


def make_ole2(path: Path, stream_name: str) -> Path:
    """An OLE2 look-alike: the signature and a directory entry name (UTF-16LE)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = stream_name.encode("utf-16-le").ljust(64, b"\x00")
    path.write_bytes(header + b"\x00" * 512 + entry + b"\x00" * 448)
    return path


def png_header_bomb(path: Path, width: int = 30_000, height: int = 30_000) -> Path:
    """A PNG that declares width x height pixels (a 1-bit grey image) in a few dozen bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def text_pdf(path: Path, pages: int) -> Path:
    """A born-digital PDF with one line of text per page (no OCR needed)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=True)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 12)
        canvas.drawString(72, 720, f"Page {number} of the annual archive, section {number % 7}")
        canvas.showPage()
    canvas.save()
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    subprocess.run(["qpdf", "--encrypt", user_password, "owner-secret", "256", "--",
                    str(source), str(target)], check=True)
    return target


def truncated(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[:int(len(data) * fraction)])
    return target
