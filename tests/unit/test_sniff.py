"""Types come from content: magic bytes, the parts of a zip, the bytes of a text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.files import make_docx, make_ole2, make_pptx, make_xlsx, write_package
from worker.extraction.sniff import sniff


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "mime"), [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("TIFF", "image/tiff"), ("BMP", "image/bmp"),
    ("GIF", "image/gif"), ("WEBP", "image/webp"),
])
def test_images_by_magic_whatever_the_name(tmp_path: Path, fmt: str, mime: str) -> None:
    path = tmp_path / "report.txt"  # a misleading name
    path.write_bytes(_image(fmt))
    found = sniff(path)
    assert (found.kind, found.mime_type) == ("image", mime)


def test_pdf_by_header_even_after_padding(tmp_path: Path) -> None:
    path = tmp_path / "scan.docx"
    path.write_bytes(b"\r\n%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert sniff(path).kind == "pdf"


def test_ooxml_told_apart_by_content_types_not_extension(tmp_path: Path) -> None:
    assert sniff(make_docx(tmp_path / "a.xlsx")).kind == "docx"
    assert sniff(make_xlsx(tmp_path / "b.pptx")).kind == "xlsx"
    pptx = sniff(make_pptx(tmp_path / "c.docx"))
    assert pptx.kind == "pptx"
    assert pptx.mime_type.endswith("presentationml.presentation")


def test_plain_zip_and_broken_zip_are_zip(tmp_path: Path) -> None:
    plain = write_package(tmp_path / "x.zip", {"a.txt": "hello"}, main="a.txt",
                          main_type="text/plain")
    assert sniff(plain).kind == "zip"
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert sniff(broken).kind == "zip"
    office_named = tmp_path / "broken.docx"  # nothing left but the name says Word
    office_named.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert sniff(office_named).kind == "docx"


def test_ole2_is_recognised(tmp_path: Path) -> None:
    assert sniff(make_ole2(tmp_path / "old.doc", "WordDocument")).kind == "ole2"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc-jp", "iso-2022-jp", "utf-16"])
def test_japanese_text_in_any_encoding_is_text(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "memo"
    path.write_bytes("議事録：来週の打ち合わせについて\n".encode(encoding))
    found = sniff(path)
    assert (found.kind, found.mime_type, found.encoding_hint) == ("text", "text/plain", encoding)


def test_text_subtype_from_suffix_and_html_from_content(tmp_path: Path) -> None:
    csv = tmp_path / "請求書.CSV"
    csv.write_bytes("品名,金額\n".encode("cp932"))
    assert sniff(csv).mime_type == "text/csv"
    markdown = tmp_path / "README.md"
    markdown.write_text("# 手順書\n")
    assert sniff(markdown).mime_type == "text/markdown"
    html = tmp_path / "page.txt"
    html.write_text("\ufeff<!DOCTYPE html><html><body>お知らせ</body></html>")
    assert sniff(html).kind == "html"


def test_binary_and_weak_signatures_are_unknown(tmp_path: Path) -> None:
    binary = tmp_path / "data.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    assert sniff(binary).kind == "unknown"
    bmw = tmp_path / "cars.txt"
    bmw.write_text("BMW and Mercedes sales, Q1 report with enough text to be read\n")
    assert sniff(bmw).kind == "text"  # "BM" is not enough for a bitmap
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sniff(empty).kind == "unknown"


def test_embedded_word_file_does_not_make_a_presentation_a_docx(tmp_path: Path) -> None:
    source = make_pptx(tmp_path / "source.pptx")
    target = tmp_path / "with-embedded-word.pptx"
    word_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"<Default ", f'<Default Extension="docx" ContentType='
                                    f'"{word_type}"/><Default '.encode(), 1)
            new.writestr(info, data)
        new.writestr("ppt/embeddings/Microsoft_Word_Document.docx", b"PK\x03\x04")
    assert sniff(target).kind == "pptx"
