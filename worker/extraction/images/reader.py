"""Images → pages by OCR: PNG, JPEG, TIFF and BigTIFF (every frame a page), BMP, GIF, WebP,
HEIC/HEIF, AVIF, JPEG 2000, PNM and ICO (formats.py recognises them, decoders.py adds HEIF).

Each frame is checked against `max_page_pixels` from its header before decoding (bombs are
refused with DecompressionBombError), its decoded size against `max_decode_bytes`
(FileTooLargeError), a JPEG against the bytes its pixels need at the least
(CorruptFileError); then it is turned upright by its EXIF orientation, made 8-bit
grayscale, its lighting flattened (photos of paper), and handed to Tesseract as a PGM file
with the image's resolution when it states a believable one (scans do; a photo's 72 dpi
does not, and Tesseract then estimates it from the text). Truncated or damaged images, and
frames Pillow cannot set up (a TIFF page without dimensions), are a CorruptFileError.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PIL import Image

from worker.extraction.images.picture import (
    check_decoded_bytes,
    check_holds_its_pixels,
    check_pixels,
    decode,
    flatten_lighting,
    frame_count,
    open_picture,
    seek,
    to_grayscale,
    upright,
)
from worker.extraction.ocr.page import Budget, ocr_page, require_content
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.models import Page

MULTI_PAGE_FORMATS = ("TIFF", "MPO")  # frames are pages; GIF/WebP frames are animation
BELIEVABLE_DPI = range(100, 1201)


def extract_image(path: Path, options: ExtractionOptions) -> Extracted:
    """OCR every page of an image file; see the module docstring."""
    file_bytes = require_content(path)
    budget = Budget(options.file_budget_s)
    pages: list[Page] = []
    with tempfile.TemporaryDirectory(prefix="cis-image-") as scratch, \
            open_picture(path) as picture:
        frames = frame_count(picture) if picture.format in MULTI_PAGE_FORMATS else 1
        to_read = min(frames, options.max_pages)
        if frames > to_read:
            budget.reasons.append(f"read {to_read} of {frames} frames "
                                  f"(page budget {options.max_pages})")
        for index in range(to_read):
            seek(picture, index)
            number = index + 1
            check_pixels(picture, options.max_page_pixels, f"page {number}")
            check_decoded_bytes(picture, options.max_decode_bytes, f"page {number}")
            check_holds_its_pixels(picture, file_bytes)
            page_file = Path(scratch) / f"page-{number}.pgm"
            _decode_to_pgm(picture, page_file)
            pages.append(ocr_page(page_file, number, options, dpi=_dpi(picture),
                                  budget=budget))
            page_file.unlink()
    return budget.extracted(pages)


def _decode_to_pgm(picture: Image.Image, target: Path) -> None:
    decode(picture)
    flatten_lighting(to_grayscale(upright(picture))).save(target, format="PPM")


def _dpi(picture: Image.Image) -> int | None:
    dpi = picture.info.get("dpi")
    if not dpi:
        return None
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value in BELIEVABLE_DPI else None
