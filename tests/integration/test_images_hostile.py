"""Small image files that would take large memory or read as junk (issue 10), made in code:
a JPEG whose header declares 10950 x 10950, a TIFF page without dimensions, a frame over the
decode budget. Each is a permanent error before a pixel is decoded."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.fixtures.hostile_pages import jpeg_with_lying_header, tiff_with_a_page_missing_dimensions
from worker.errors import CorruptFileError, FileTooLargeError, PermanentError
from worker.extraction.images.picture import open_picture
from worker.extraction.images.reader import extract_image
from worker.extraction.options import ExtractionOptions

OPTIONS = ExtractionOptions()


def test_a_small_jpeg_declaring_10950_pixels_square_is_corrupt_before_decoding(
        tmp_path: Path) -> None:
    path = tmp_path / "lying.jpg"
    path.write_bytes(jpeg_with_lying_header())
    assert path.stat().st_size < 5_000
    with open_picture(path) as picture:
        assert picture.size == (10950, 10950)  # within max_page_pixels: 119.9 Mpx

    started = time.monotonic()
    with pytest.raises(CorruptFileError, match="declares 10950 x 10950 pixels") as caught:
        extract_image(path, OPTIONS)

    assert not caught.value.retryable
    assert time.monotonic() - started < 5  # refused from the header, not after decoding


def test_a_real_large_jpeg_of_white_paper_is_not_mistaken_for_a_lying_one(
        tmp_path: Path) -> None:
    """A blank 5000 x 7000 page compresses better than anything real; it still holds far
    more than the floor, and is read (empty) rather than refused."""
    path = tmp_path / "white.jpg"
    Image.new("L", (5000, 7000), 255).save(path, "JPEG", quality=95)

    extracted = extract_image(path, OPTIONS)

    assert [page.text for page in extracted.pages] == [""]


def test_a_tiff_page_without_dimensions_is_corrupt_not_transient(tmp_path: Path) -> None:
    path = tmp_path / "broken.tif"
    path.write_bytes(tiff_with_a_page_missing_dimensions())

    with pytest.raises(CorruptFileError, match="Missing dimensions") as caught:
        extract_image(path, OPTIONS)

    assert isinstance(caught.value, PermanentError) and caught.value.code == "corrupt"


def test_a_frame_over_the_decode_budget_is_too_large_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "rgb.png"
    Image.new("RGB", (1000, 1000), "white").save(path)  # 3,000,000 bytes decoded
    options = dataclasses.replace(OPTIONS, max_decode_bytes=2_000_000)

    with pytest.raises(FileTooLargeError, match="3,000,000 bytes, over the limit of 2,000,000"):
        extract_image(path, options)

    gray = tmp_path / "gray.png"
    Image.new("L", (1000, 1000), 255).save(gray)  # 1,000,000 bytes: within the budget
    assert extract_image(gray, options).status == "complete"
