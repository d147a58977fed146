"""HEIC/HEIF, AVIF, JPEG 2000, PNM, ICO and BigTIFF: recognised by their bytes, decoded by
well-kept decoders (pillow-heif, Pillow), OCRed with Japanese text, given a thumbnail, and
held to the same pixel limit as every image."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.fixtures.japanese_pages import GOTHIC, normalise
from worker.extraction.images.decoders import register_decoders
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract_or_record
from worker.extraction.sniff import sniff
from worker.models import SourceRef

pytestmark = pytest.mark.integration
LINE = "東京本社で会議を行います。"
SHORT = "請求書"


def _page(text: str, size: tuple[int, int], font_px: int, mode: str) -> Image.Image:
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((40, (size[1] - font_px) // 2), text,
                               font=ImageFont.truetype(GOTHIC, font_px), fill=0)
    return image.convert(mode)


def _encoded(fmt: str, mode: str = "L", **params: object) -> Callable[[], bytes]:
    def make() -> bytes:
        register_decoders()  # pillow-heif also registers its HEIF writer
        buffer = io.BytesIO()
        _page(LINE, (1000, 200), 56, mode).save(buffer, fmt, **params)
        return buffer.getvalue()
    return make


def _icon() -> bytes:
    buffer = io.BytesIO()
    _page(SHORT, (256, 256), 56, "RGB").save(buffer, "ICO", sizes=[(256, 256)])
    return buffer.getvalue()


CASES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "photo.heic": (_encoded("HEIF", "RGB", quality=90), "image/heic", LINE),
    "photo.avif": (_encoded("AVIF", "RGB", quality=90), "image/avif", LINE),
    "scan.jp2": (_encoded("JPEG2000"), "image/jp2", LINE),
    "scan.j2k": (_encoded("JPEG2000", no_jp2=True), "image/x-jp2-codestream", LINE),
    "scan.pgm": (_encoded("PPM", "L"), "image/x-portable-graymap", LINE),
    "scan.pbm": (_encoded("PPM", "1"), "image/x-portable-bitmap", LINE),
    "scan.ppm": (_encoded("PPM", "RGB"), "image/x-portable-pixmap", LINE),
    "favicon.ico": (_icon, "image/vnd.microsoft.icon", SHORT),
    "big.tif": (_encoded("TIFF", "L", big_tiff=True), "image/tiff", LINE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_format_is_recognised_read_and_thumbnailed(tmp_path: Path, name: str) -> None:
    make, mime, printed = CASES[name]
    path = tmp_path / f"{name}.bin"  # the bytes decide, not the name
    path.write_bytes(make())
    assert (sniff(path).kind, sniff(path).mime_type) == ("image", mime)
    outcome = extract_or_record(path, SourceRef(path=str(path)), ExtractionOptions())
    document = outcome.document
    assert (document.status, document.mime_type) == ("complete", mime), document.reason
    assert printed in normalise(document.content).replace(" ", "")
    assert document.pages[0].method == "ocr"
    assert outcome.thumbnail_jpeg is not None and outcome.thumbnail_jpeg[:2] == b"\xff\xd8"


@pytest.mark.parametrize("name", ["photo.heic", "photo.avif", "scan.jp2", "big.tif"])
def test_pixel_limit_holds_for_the_new_decoders(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(CASES[name][0]())
    options = ExtractionOptions(max_page_pixels=100_000)  # the test image is 200,000
    document = extract_or_record(path, SourceRef(path=str(path)), options).document
    assert (document.status, document.error_code) == ("failed", "decompression-bomb")


def test_truncated_heic_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.heic"
    path.write_bytes(CASES["photo.heic"][0]()[:600])
    document = extract_or_record(path, SourceRef(path=str(path)), ExtractionOptions()).document
    assert (document.status, document.error_code) == ("failed", "corrupt"), document.reason


def test_text_that_starts_like_a_signature_stays_text(tmp_path: Path) -> None:
    for head in ("P1 報告書の件\n", "P5 案件一覧 は以下の通り\n", "P3 2024 04 売上\n",
                 "P6 1024 768 の画面で確認\n"):
        path = tmp_path / "memo.txt"
        path.write_bytes(head.encode("cp932"))
        assert sniff(path).kind == "text", head


@pytest.mark.parametrize("size", [(1200, 800), (800, 1200)])
def test_heic_thumbnail_from_the_embedded_preview(tmp_path: Path,
                                                  size: tuple[int, int]) -> None:
    from worker.extraction.thumbnail import image_thumbnail

    register_decoders()
    path = tmp_path / "iphone.heic"
    _page(LINE, size, 40, "RGB").save(path, "HEIF", quality=80, thumbnails=[320])
    jpeg = image_thumbnail(path, ExtractionOptions())
    assert jpeg is not None
    with Image.open(io.BytesIO(jpeg)) as thumbnail:
        assert max(thumbnail.size) == 320
        assert (thumbnail.size[0] > thumbnail.size[1]) == (size[0] > size[1])
