"""Thumbnails: size, orientation and colour of what a person sees; None where there is none."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.fixtures.bad_images import png_bomb
from tests.fixtures.pdfs import born_digital, encrypt
from worker.extraction.options import ExtractionOptions
from worker.extraction.thumbnail import image_thumbnail, pdf_thumbnail

OPTIONS = ExtractionOptions()
EXIF_ORIENTATION = 0x0112


def _open(jpeg: bytes | None) -> Image.Image:
    assert jpeg is not None and jpeg[:3] == b"\xff\xd8\xff"
    picture = Image.open(BytesIO(jpeg))
    assert picture.format == "JPEG"
    return picture


def test_photo_thumbnail_is_small_and_upright(tmp_path: Path) -> None:
    # 4000 x 3000 (12 MP) stored landscape, EXIF says "rotate 90° to view": portrait
    photo = Image.new("RGB", (4000, 3000), (250, 250, 250))
    photo.paste((200, 0, 0), (0, 0, 2000, 3000))  # left half red in storage = top when upright
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    path = tmp_path / "photo.jpg"
    photo.save(path, exif=exif, quality=85)

    thumb = _open(image_thumbnail(path, OPTIONS))

    assert thumb.size == (240, 320)
    top, bottom = thumb.getpixel((120, 10)), thumb.getpixel((120, 310))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 and top[1] < 80  # red on top
    assert min(bottom) > 200  # white below


@pytest.mark.parametrize("make, corner", [
    pytest.param(lambda: Image.new("CMYK", (800, 600), (0, 0, 0, 255)), "dark", id="cmyk"),
    pytest.param(lambda: Image.new("RGBA", (800, 600), (0, 0, 0, 0)), "white",
                 id="transparent-rgba"),
    pytest.param(lambda: Image.new("I;16", (800, 600), 30_000), "gray", id="16-bit"),
    pytest.param(lambda: Image.new("1", (800, 600), 0), "dark", id="1-bit"),
])
def test_any_mode_becomes_an_rgb_or_gray_jpeg(make: object, corner: str) -> None:
    assert callable(make)
    source = BytesIO()
    picture = make()
    picture.save(source, format="TIFF" if picture.mode == "CMYK" else "PNG")

    thumb = _open(image_thumbnail(source.getvalue(), OPTIONS))

    assert max(thumb.size) == 320 and thumb.mode in ("RGB", "L")
    brightness = ImageStat.Stat(thumb.convert("L")).mean[0]
    expected = {"dark": (0, 40), "white": (240, 256), "gray": (100, 140)}[corner]
    assert expected[0] <= brightness < expected[1]


def test_palette_image_with_transparency_is_on_white() -> None:
    picture = Image.new("P", (400, 400), 0)
    picture.putpalette([0, 0, 0] * 256)
    source = BytesIO()
    picture.save(source, format="PNG", transparency=0)

    thumb = _open(image_thumbnail(source.getvalue(), OPTIONS))

    assert ImageStat.Stat(thumb.convert("L")).mean[0] > 240


def test_pdf_thumbnail_is_the_first_page_at_thumbnail_size(tmp_path: Path) -> None:
    pdf = born_digital(tmp_path / "doc.pdf", pages=2)

    thumb = _open(pdf_thumbnail(pdf, OPTIONS))

    assert max(thumb.size) == 320 and thumb.size[1] > thumb.size[0]  # A4 portrait
    darkest, _ = thumb.convert("L").getextrema()
    assert isinstance(darkest, int) and darkest < 100  # the text is there


def test_no_thumbnail_for_what_cannot_be_pictured(tmp_path: Path) -> None:
    locked = encrypt(born_digital(tmp_path / "doc.pdf", pages=1), tmp_path / "locked.pdf",
                     user_password="secret")

    assert pdf_thumbnail(locked, OPTIONS) is None
    assert image_thumbnail(png_bomb(), OPTIONS) is None
    assert image_thumbnail(b"not an image", OPTIONS) is None
