"""Japanese OCR accuracy with the real Tesseract: horizontal, tategaki, rotated, noisy scan.

Each case renders known text with the IPA fonts, OCRs it through `ocr_image_file` and
asserts a character error rate (after NFKC; spaces count, so the CJK space clean-up is
tested too). Bounds were set from measured rates with a small margin (see each case).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.japanese_pages import character_error_rate, horizontal_page, noisy_scan
from worker.extraction.images import extract_image
from worker.extraction.ocr import ocr_image_file
from worker.extraction.options import ExtractionOptions

OPTIONS = ExtractionOptions()

# name → CER bound; measured on Tesseract 5.3.0 (Debian 12): horizontal 0.000,
# rotated 90° and 180° 0.008 (one kanji), vertical 0.000, noisy JPEG photo (below) 0.023.
CER_BOUNDS = {
    "horizontal": 0.01,
    "rotated-90": 0.02,
    "rotated-180": 0.02,
    "vertical": 0.02,
}
NOISY_SCAN_CER_BOUND = 0.05


@pytest.mark.parametrize("case", sorted(CER_BOUNDS))
def test_japanese_page_reads_within_error_bound(
        case: str, page_images: dict[str, tuple[Path, str]]) -> None:
    image, printed = page_images[case]

    result = ocr_image_file(image, OPTIONS, dpi=300)

    cer = character_error_rate(printed, result.text)
    print(f"CER {case}: {cer:.4f} ({result.languages}, {result.passes} passes)")
    assert cer <= CER_BOUNDS[case], result.text
    assert result.confidence is not None and result.confidence > 50


def test_vertical_page_is_read_with_jpn_vert(page_images: dict[str, tuple[Path, str]]) -> None:
    image, _ = page_images["vertical"]

    result = ocr_image_file(image, OPTIONS, dpi=300)

    assert result.vertical and "jpn_vert" in result.languages


def test_horizontal_page_is_read_once_without_jpn_vert(
        page_images: dict[str, tuple[Path, str]]) -> None:
    image, _ = page_images["horizontal"]

    result = ocr_image_file(image, OPTIONS, dpi=300)

    assert (result.passes, result.vertical, result.languages) == (1, False, "jpn+eng")


def test_noisy_photo_of_a_page_reads_within_error_bound(tmp_path: Path) -> None:
    scan = noisy_scan(horizontal_page())
    photo = tmp_path / "photo.jpg"
    scan.image.save(photo, quality=45)  # no dpi in the file: Tesseract estimates it

    extracted = extract_image(photo, OPTIONS)

    (page,) = extracted.pages
    cer = character_error_rate(scan.text, page.text)
    print(f"CER noisy-scan: {cer:.4f}")
    assert page.method == "ocr"
    assert cer <= NOISY_SCAN_CER_BOUND, page.text
