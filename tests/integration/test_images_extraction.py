"""Images through the real Tesseract: every format, EXIF orientation, TIFF frames, bad input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures.bad_images import png_bomb
from tests.fixtures.japanese_pages import HORIZONTAL_LINES, character_error_rate, horizontal_page
from worker.errors import (
    CorruptFileError,
    DecompressionBombError,
    EmptyFileError,
    UnsupportedFileError,
)
from worker.extraction.images.reader import extract_image
from worker.extraction.options import ExtractionOptions

OPTIONS = ExtractionOptions()
LINES = HORIZONTAL_LINES[:2]
CER_BOUND = 0.03  # measured 0.000 for every format below
EXIF_ORIENTATION = 0x0112
ROTATED_90_CW = 6  # "rotate 90° clockwise to display"


@pytest.fixture(scope="module")
def small_page() -> Image.Image:
    return horizontal_page(LINES).image


@pytest.mark.parametrize("file_format, suffix, mode", [
    ("PNG", "png", "L"), ("JPEG", "jpg", "RGB"), ("BMP", "bmp", "RGB"), ("GIF", "gif", "P"),
    ("WEBP", "webp", "RGB"), ("TIFF", "tif", "1"),
])
def test_every_image_format_is_read(small_page: Image.Image, tmp_path: Path, file_format: str,
                                    suffix: str, mode: str) -> None:
    path = tmp_path / f"page.{suffix}"
    small_page.convert(mode).save(path, format=file_format)

    (page,) = extract_image(path, OPTIONS).pages

    assert page.method == "ocr"
    assert character_error_rate("\n".join(LINES), page.text) <= CER_BOUND, page.text


def test_exif_orientation_is_honoured_before_ocr(small_page: Image.Image, tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90_CW
    small_page.rotate(90, expand=True).convert("RGB").save(path, exif=exif, quality=90)
    no_osd = dataclasses.replace(OPTIONS, detect_orientation=False)  # only EXIF can fix it

    (page,) = extract_image(path, no_osd).pages

    assert character_error_rate("\n".join(LINES), page.text) <= CER_BOUND, page.text


def test_every_tiff_frame_is_a_page(tmp_path: Path) -> None:
    first, second = horizontal_page(LINES).image, horizontal_page(HORIZONTAL_LINES[2:4]).image
    path = tmp_path / "fax.tif"
    first.save(path, save_all=True, append_images=[second], compression="tiff_deflate")

    extracted = extract_image(path, OPTIONS)

    assert [page.number for page in extracted.pages] == [1, 2]
    assert character_error_rate("\n".join(HORIZONTAL_LINES[2:4]),
                                extracted.pages[1].text) <= CER_BOUND


def test_tiff_frames_past_the_page_budget_make_a_partial_document(tmp_path: Path) -> None:
    blank = Image.new("L", (200, 200), 255)
    path = tmp_path / "many.tif"
    blank.save(path, save_all=True, append_images=[blank] * 4)

    extracted = extract_image(path, dataclasses.replace(OPTIONS, max_pages=2))

    assert [page.method for page in extracted.pages] == ["none", "none"]  # blank: not OCR'd
    assert (extracted.status, extracted.reason) == ("partial",
                                                    "read 2 of 5 frames (page budget 2)")


def test_truncated_jpeg_is_corrupt(small_page: Image.Image, tmp_path: Path) -> None:
    whole = tmp_path / "whole.jpg"
    small_page.save(whole, quality=90)
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    with pytest.raises(CorruptFileError, match="truncated"):
        extract_image(truncated, OPTIONS)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb())

    with pytest.raises(DecompressionBombError, match="decompression bomb"):
        extract_image(bomb, OPTIONS)


def test_image_over_the_configured_pixel_limit_is_refused(small_page: Image.Image,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    small_page.save(path)
    limit = small_page.width * small_page.height - 1

    with pytest.raises(DecompressionBombError, match="over the limit"):
        extract_image(path, dataclasses.replace(OPTIONS, max_page_pixels=limit))


def test_empty_and_unknown_files_are_refused_clearly(tmp_path: Path) -> None:
    empty, junk = tmp_path / "empty.png", tmp_path / "junk.png"
    empty.write_bytes(b"")
    junk.write_bytes(b"definitely not an image" * 10)

    with pytest.raises(EmptyFileError):
        extract_image(empty, OPTIONS)
    with pytest.raises(UnsupportedFileError, match="not an image"):
        extract_image(junk, OPTIONS)


def test_a_page_whose_ocr_times_out_is_left_empty_and_the_document_partial(
        small_page: Image.Image, tmp_path: Path) -> None:
    path = tmp_path / "slow.png"
    small_page.save(path)

    extracted = extract_image(path, dataclasses.replace(OPTIONS, page_timeout_s=0.05))

    assert [page.method for page in extracted.pages] == ["none"]
    assert (extracted.status, extracted.reason) == ("partial",
                                                    "page 1: OCR stopped after 0.05 s")
