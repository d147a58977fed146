"""PDF → pages: the text layer where it is usable, OCR of the pages that need it.

Per page, the text layer (one pdftotext run for the whole document) is judged by
`text_layer.py`; only the pages it rejects are rendered (one page at a time, grayscale PGM,
at `options.dpi`) and OCR'd, so memory stays flat in the page count. Budgets never truncate
silently: past `max_pages` the rest is not read, past `file_budget_s` the remaining pages
that need OCR are left empty, and a page larger than `max_page_pixels` at `options.dpi` is
rendered at the highest resolution that fits (or left empty below MIN_DPI) — each recorded
as `status="partial"` with a reason, except the down-scaled page, which is still read whole.
Encrypted PDFs open with an empty user password; a user password is an EncryptedFileError.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

from worker.errors import CorruptFileError
from worker.extraction.ocr.page import Budget, map_pages, ocr_page, require_content
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.poppler import (
    PdfImage,
    PdfInfo,
    pdf_fonts,
    pdf_images,
    pdf_info,
    pdf_text,
    render_page,
)
from worker.extraction.pdf.text_layer import needs_image_check, text_layer_problem
from worker.extraction.result import Extracted
from worker.models import Page

MIN_DPI = 72  # below this a down-scaled page is not worth OCR
POPPLER_TIMEOUT_S = 120.0  # one poppler run (whole-document text, one page's render)


def extract_pdf(path: Path, options: ExtractionOptions) -> Extracted:
    """Read every page of a PDF within the options' budgets; see the module docstring."""
    require_content(path)
    budget = Budget(options.file_budget_s)
    info = pdf_info(path, last_page=options.max_pages, timeout_s=_timeout(budget))
    to_read = min(info.page_count, options.max_pages)
    if info.page_count > to_read:
        budget.reasons.append(f"read {to_read} of {info.page_count} pages "
                              f"(page budget {options.max_pages})")
    started = time.monotonic()
    texts = pdf_text(path, first=1, last=to_read, timeout_s=_timeout(budget)) if to_read else []
    unmapped = _pages_with_unmapped_fonts(path, to_read, budget)
    shares = _image_shares(path, texts, unmapped, info, budget)
    text_ms = (time.monotonic() - started) * 1000
    usable = {number for number, text in enumerate(texts, start=1)
              if text_layer_problem(text, unmapped_font=number in unmapped,
                                    page_image_share=shares.get(number)) is None}
    with tempfile.TemporaryDirectory(prefix="cis-pdf-") as scratch:
        def read(number: int) -> Page:
            if number in usable:
                return Page(number, texts[number - 1].strip(), "text-layer")
            return _ocr(path, number, info, options, Path(scratch), budget)

        pages = list(map_pages(read, range(1, len(texts) + 1), options.page_workers))
    return budget.extracted(pages, title=info.title, text_layer=round(text_ms, 1))


def _timeout(budget: Budget) -> float:
    return max(1.0, min(POPPLER_TIMEOUT_S, budget.deadline - time.monotonic()))


def _pages_with_unmapped_fonts(path: Path, to_read: int, budget: Budget) -> set[int]:
    """Pages using an Identity-H/V font without ToUnicode; per page only if the file has one."""
    if to_read == 0:
        return set()
    fonts = pdf_fonts(path, first=1, last=to_read, timeout_s=_timeout(budget))
    if not any(font.unmapped_cid for font in fonts):
        return set()
    return {number for number in range(1, to_read + 1)
            if any(font.unmapped_cid for font in
                   pdf_fonts(path, first=number, last=number, timeout_s=_timeout(budget)))}


def _image_shares(path: Path, texts: list[str], unmapped: set[int], info: PdfInfo,
                  budget: Budget) -> dict[int, float]:
    """Share of the page covered by images, for the pages whose few characters may be
    stray text over a scan; one pdfimages run over the range of those pages."""
    suspects = [number for number, text in enumerate(texts, start=1)
                if number not in unmapped and needs_image_check(text)]
    if not suspects:
        return {}
    images = pdf_images(path, first=suspects[0], last=suspects[-1], timeout_s=_timeout(budget))
    return {number: _image_share(images.get(number, []), _page_size(info, number))
            for number in suspects}


def _page_size(info: PdfInfo, number: int) -> tuple[float, float]:
    sizes = info.page_sizes_pt
    return sizes[number - 1] if number <= len(sizes) else (595.0, 842.0)  # A4 if unknown


def _image_share(images: list[PdfImage], size_pt: tuple[float, float]) -> float:
    page_sq_in = (size_pt[0] / 72) * (size_pt[1] / 72)
    return sum(image.area_sq_in for image in images) / page_sq_in if page_sq_in else 0.0


def _ocr(path: Path, number: int, info: PdfInfo, options: ExtractionOptions, scratch: Path,
         budget: Budget) -> Page:
    width_pt, height_pt = _page_size(info, number)
    dpi = _fitting_dpi(width_pt, height_pt, options.dpi, options.max_page_pixels)
    if dpi < MIN_DPI:
        budget.reasons.append(f"page {number}: too large to render "
                              f"({width_pt:.0f} x {height_pt:.0f} pt)")
        return Page(number, "", "none")
    if budget.exhausted:
        budget.reasons.append(f"page {number}: not OCR'd, the file's "
                              f"{budget.seconds:g} s budget ran out")
        return Page(number, "", "none")
    try:
        image = render_page(path, page=number, dpi=dpi, out_dir=scratch,
                            timeout_s=_timeout(budget))
    except CorruptFileError as exc:
        budget.reasons.append(f"page {number}: {exc.reason}")
        return Page(number, "", "none")
    try:
        return ocr_page(image, number, options, dpi=dpi, budget=budget)
    finally:
        image.unlink(missing_ok=True)


def _fitting_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int:
    """`dpi`, or the highest resolution at which the page stays within max_pixels."""
    pixels = (width_pt / 72 * dpi) * (height_pt / 72 * dpi)
    if pixels <= max_pixels:
        return dpi
    return int(dpi * math.sqrt(max_pixels / pixels))
