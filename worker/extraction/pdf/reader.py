"""PDF → pages: the text layer where it is usable, OCR of the pages that need it.

Per page, the text layer (one pdftotext run for the whole document) is judged by
`text_layer.py`; only the pages it rejects are rendered (one page at a time, grayscale PGM,
at `options.dpi`) and OCR'd, so memory stays flat in the page count. Those pages are first
rendered together at PREVIEW_DPI in one pdftoppm run: a blank page (no pixel darker than
BLANK_PREVIEW) costs no full-resolution render and no OCR. A page larger than
`max_page_pixels` at `options.dpi` is rendered in tiles (tiles.py), each within the budget,
at full resolution. Budgets never truncate silently: past `max_pages` the rest is not read,
past `file_budget_s` the remaining pages that need OCR are left empty (status `partial` with
a reason). A text layer that pdftotext cannot read within its time (a few KB of nested form
XObjects can mean 10^10 drawing operations) is a permanent TooSlowError, never a retry.
Encrypted PDFs open with an empty user password; a user password is an EncryptedFileError.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from worker.errors import CorruptFileError, TimeoutExceededError, TooSlowError
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
    render_previews,
)
from worker.extraction.pdf.text_layer import needs_image_check, text_layer_problem
from worker.extraction.pdf.tiles import plan_tiles, tiled_dpi
from worker.extraction.result import Extracted
from worker.models import Page

MIN_DPI = 72  # below this a down-scaled page is not worth OCR
POPPLER_TIMEOUT_S = 120.0  # one poppler run (one page's render, previews)
TEXT_TIMEOUT_S = 20.0  # pdftotext: this, plus TEXT_PER_PAGE_S a page, at most the above
TEXT_PER_PAGE_S = 0.2
PREVIEW_DPI = 20  # blank-page previews: an A4 page is 165 x 234 pixels
BLANK_PREVIEW = 250  # a preview with no pixel darker than this is a blank page
PREVIEW_CHUNK = 200  # pages per preview run (~8 MB of 20 dpi PGM files at a time)
PREVIEW_TIMEOUT_S = 10.0  # one preview run: this plus PREVIEW_PER_PAGE_S a page
PREVIEW_PER_PAGE_S = 0.1
PREVIEW_PIXELS = 1_000_000  # a huge page's preview, to place its tile cuts
FULLER_OCR = 1.3  # OCR replaces a doubtful text layer holding 1.3x its characters ...
FULLER_MARGIN = 5  # ... plus these


@dataclass(frozen=True)
class TextLayers:
    """Each page's text layer, why the pages that are OCR'd cannot keep theirs, and the
    pages whose layer looks right but may lack characters (a TrueType subset without
    ToUnicode): those are OCR'd too, and the OCR wins when it finds much more text."""

    texts: list[str]
    problems: dict[int, str]
    verify: set[int] = field(default_factory=set)


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
    layers = judge_text_layers(path, info, to_read, budget)
    text_ms = (time.monotonic() - started) * 1000
    with tempfile.TemporaryDirectory(prefix="cis-pdf-") as scratch:
        blank = _blank_pages(path, sorted(layers.problems), Path(scratch), budget)

        def read(number: int) -> Page:
            if number in layers.verify and not budget.exhausted:
                return _fuller(Page(number, layers.texts[number - 1].strip(), "text-layer"),
                               _ocr(path, number, info, options, Path(scratch), budget))
            if number not in layers.problems:
                return Page(number, layers.texts[number - 1].strip(), "text-layer")
            if number in blank:
                return Page(number, "", "none")
            return _ocr(path, number, info, options, Path(scratch), budget)

        pages = list(map_pages(read, range(1, len(layers.texts) + 1), options.page_workers))
    return budget.extracted(pages, title=info.title, text_layer=round(text_ms, 1))


def judge_text_layers(path: Path, info: PdfInfo, to_read: int, budget: Budget) -> TextLayers:
    """pdftotext's text of pages 1..to_read and text_layer.py's verdict on each; a text
    layer too costly to read is a TooSlowError."""
    if not to_read:
        return TextLayers([], {})
    text_timeout = min(_timeout(budget), TEXT_TIMEOUT_S + TEXT_PER_PAGE_S * to_read)
    try:
        texts = pdf_text(path, first=1, last=to_read, timeout_s=text_timeout)
        unmapped, subsets = _pages_with_unmapped_fonts(path, to_read, budget)
        shares = _image_shares(path, texts, unmapped, info, budget)
    except TimeoutExceededError as exc:
        raise TooSlowError(f"{exc.reason}: the PDF's content is too costly to read (such as "
                           "deeply nested drawings)") from None
    problems = {}
    for number, text in enumerate(texts, start=1):
        problem = text_layer_problem(text, unmapped_font=number in unmapped,
                                     page_image_share=shares.get(number))
        if problem is not None:
            problems[number] = problem
    return TextLayers(texts, problems, subsets - set(problems))


def _fuller(layer: Page, ocr: Page) -> Page:
    """The OCR of a page whose text layer may lack characters, when it holds much more."""
    layer_chars = len("".join(layer.text.split()))
    ocr_chars = len("".join(ocr.text.split()))
    return ocr if ocr_chars >= FULLER_OCR * layer_chars + FULLER_MARGIN else layer


def _timeout(budget: Budget) -> float:
    return max(1.0, min(POPPLER_TIMEOUT_S, budget.deadline - time.monotonic()))


def _blank_pages(path: Path, numbers: list[int], scratch: Path, budget: Budget) -> set[int]:
    blank: set[int] = set()
    for start in range(0, len(numbers), PREVIEW_CHUNK):
        chunk = numbers[start:start + PREVIEW_CHUNK]
        timeout_s = min(_timeout(budget), PREVIEW_TIMEOUT_S + PREVIEW_PER_PAGE_S * len(chunk))
        blank |= blank_page_numbers(path, chunk, scratch, timeout_s=timeout_s)
    return blank


def blank_page_numbers(path: Path, numbers: list[int], scratch: Path, *,
                       timeout_s: float) -> set[int]:
    """Which of these pages are blank, from one low-resolution render of their range; when
    that render fails or runs out of time, none (each page is then rendered in full)."""
    if not numbers:
        return set()
    with tempfile.TemporaryDirectory(dir=scratch, prefix="previews-") as folder:
        try:
            previews = render_previews(path, first=numbers[0], last=numbers[-1],
                                       dpi=PREVIEW_DPI, out_dir=Path(folder),
                                       timeout_s=timeout_s)
        except (CorruptFileError, TimeoutExceededError):
            return set()
        return {number for number in numbers
                if number in previews and _no_ink(previews[number], BLANK_PREVIEW)}


def _no_ink(image: Path, lightest_ink: int) -> bool:
    with Image.open(image) as picture:
        darkest = picture.convert("L").getextrema()[0]
    return isinstance(darkest, int) and darkest >= lightest_ink


def _pages_with_unmapped_fonts(path: Path, to_read: int,
                               budget: Budget) -> tuple[set[int], set[int]]:
    """Pages using a CID font without a Unicode map, and pages using a TrueType subset
    without one (poppler.PdfFont); pdffonts per page only if the file has such fonts."""
    fonts = pdf_fonts(path, first=1, last=to_read, timeout_s=_timeout(budget))
    if not any(font.unmapped_cid or font.unmapped_subset for font in fonts):
        return set(), set()
    unmapped, subsets = set(), set()
    for number in range(1, to_read + 1):
        on_page = pdf_fonts(path, first=number, last=number, timeout_s=_timeout(budget))
        if any(font.unmapped_cid for font in on_page):
            unmapped.add(number)
        if any(font.unmapped_subset for font in on_page):
            subsets.add(number)
    return unmapped, subsets


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
    width_in, height_in = (side / 72 for side in _page_size(info, number))
    dpi = tiled_dpi(width_in, height_in, options.dpi, options.max_page_pixels)
    if dpi < MIN_DPI:
        budget.reasons.append(f"page {number}: too large to render "
                              f"({width_in * 72:.0f} x {height_in * 72:.0f} pt)")
        return Page(number, "", "none")
    if budget.exhausted:
        budget.reasons.append(f"page {number}: not OCR'd, the file's "
                              f"{budget.seconds:g} s budget ran out")
        return Page(number, "", "none")
    size = (round(width_in * dpi), round(height_in * dpi))
    if size[0] * size[1] <= options.max_page_pixels:
        return _ocr_tile(path, number, None, dpi, options, scratch, budget)
    preview = _preview(path, number, width_in * height_in, scratch, budget)
    reads = [_ocr_tile(path, number, tile.box, dpi, options, scratch, budget)
             for tile in plan_tiles(*size, options.max_page_pixels, preview)
             if preview is None or not _blank_in(preview, tile.box, size)]
    texts = [page.text for page in reads if page.text]
    confidences = [page.confidence for page in reads if page.confidence is not None]
    return Page(number, "\n".join(texts), "ocr" if texts else "none",
                sum(confidences) / len(confidences) if confidences else None)


def _blank_in(preview: Image.Image, box: tuple[int, int, int, int],
              size: tuple[int, int]) -> bool:
    """Whether a tile's part of the page preview has no ink: that tile is not rendered."""
    scale_x, scale_y = preview.width / size[0], preview.height / size[1]
    x, y, width, height = box
    part = preview.crop((int(x * scale_x), int(y * scale_y),
                         max(int(x * scale_x) + 1, round((x + width) * scale_x)),
                         max(int(y * scale_y) + 1, round((y + height) * scale_y))))
    darkest = part.getextrema()[0]
    return isinstance(darkest, int) and darkest >= BLANK_PREVIEW


def _ocr_tile(path: Path, number: int, crop: tuple[int, int, int, int] | None, dpi: int,
              options: ExtractionOptions, scratch: Path, budget: Budget) -> Page:
    """Render the page (or one tile of it) and OCR it; a render that fails or runs past its
    time leaves the page empty with a reason (partial), never a retry of the file."""
    try:
        image = render_page(path, page=number, dpi=dpi, out_dir=scratch,
                            timeout_s=_timeout(budget), crop=crop)
    except (CorruptFileError, TimeoutExceededError) as exc:
        budget.reasons.append(f"page {number}: {exc.reason}")
        return Page(number, "", "none")
    try:
        return ocr_page(image, number, options, dpi=dpi, budget=budget)
    finally:
        image.unlink(missing_ok=True)


def _preview(path: Path, number: int, area_sq_in: float, scratch: Path,
             budget: Budget) -> Image.Image | None:
    """A huge page at about PREVIEW_PIXELS, to cut its tiles in white space."""
    dpi = max(1, int((PREVIEW_PIXELS / area_sq_in) ** 0.5))
    folder = scratch / f"tiles-{number}"
    folder.mkdir(exist_ok=True)
    try:
        previews = render_previews(path, first=number, last=number, dpi=dpi, out_dir=folder,
                                   timeout_s=_timeout(budget))
    except (CorruptFileError, TimeoutExceededError):
        return None
    rendered = previews.get(number)
    if rendered is None:
        return None
    with Image.open(rendered) as picture:
        picture.load()
    rendered.unlink()
    return picture
