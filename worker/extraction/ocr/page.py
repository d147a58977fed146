"""OCR of one page image into a Page, inside the file's time budget; shared by pdf and images.

A page whose OCR runs past its timeout (or past the file's budget) becomes an empty page
with method "none" and a reason, so the document is recorded as partial instead of being
retried forever on a page that will time out again. A page that is entirely white is not
sent to Tesseract at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from PIL import Image

from worker.errors import EmptyFileError, TimeoutExceededError
from worker.extraction.ocr.plan import ocr_image_file
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.models import Page

T = TypeVar("T")
R = TypeVar("R")
BLANK_DARKEST = 200  # a page whose darkest pixel is lighter than this has nothing to read
REASONS_SHOWN = 5


@dataclass
class Budget:
    """The file's time budget and the reasons a document ended up partial."""

    seconds: float
    started: float = field(default_factory=time.monotonic)
    reasons: list[str] = field(default_factory=list)
    ocr_ms: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add_ocr_ms(self, ms: float) -> None:
        with self._lock:  # pages of one file may be OCR'd on several threads
            self.ocr_ms += ms

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    @property
    def exhausted(self) -> bool:
        return time.monotonic() >= self.deadline

    @property
    def reason(self) -> str | None:
        """The partial reasons, the first few in full: a reason stays readable."""
        if not self.reasons:
            return None
        shown = "; ".join(self.reasons[:REASONS_SHOWN])
        more = len(self.reasons) - REASONS_SHOWN
        return f"{shown}; and {more} more" if more > 0 else shown

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000

    def extracted(self, pages: list[Page], title: str | None = None,
                  **timings_ms: float) -> Extracted:
        """The pages read within this budget: partial with the reasons, if there are any."""
        timings = {**timings_ms, "ocr": round(self.ocr_ms, 1), "total": round(self.elapsed_ms(), 1)}
        return Extracted(pages=tuple(pages), status="partial" if self.reasons else "complete",
                         reason=self.reason, title=title, timings_ms=timings)


def require_content(path: Path) -> int:
    """The file's size; an empty file is a permanent error, not an empty document."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(f"{path.name} is empty (0 bytes)")
    return size


def is_blank(image: Path) -> bool:
    """True when a grayscale page image has no pixel dark enough to be ink."""
    with Image.open(image) as picture:
        extrema = picture.convert("L").getextrema()
    darkest = extrema[0]
    assert isinstance(darkest, int)
    return darkest >= BLANK_DARKEST


def ocr_page(image: Path, number: int, options: ExtractionOptions, *, dpi: int | None,
             budget: Budget) -> Page:
    """Read one page image; on timeout return an empty page and note why in the budget."""
    if is_blank(image):
        return Page(number, "", "none")
    if budget.exhausted:
        budget.reasons.append(f"page {number}: not OCR'd, the file's "
                              f"{budget.seconds:g} s budget ran out")
        return Page(number, "", "none")
    started = time.monotonic()
    try:
        result = ocr_image_file(image, options, dpi=dpi, deadline=budget.deadline)
    except TimeoutExceededError as exc:
        budget.reasons.append(f"page {number}: {exc.reason}")
        return Page(number, "", "none")
    finally:
        budget.add_ocr_ms((time.monotonic() - started) * 1000)
    return Page(number, result.text, "ocr", result.confidence,
                dropped_words=result.dropped_words)


def map_pages(read: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """`read` over the pages in order, `workers` at a time. Threads are enough: the work
    is in Tesseract and poppler children, and each thread holds one rendered page."""
    if workers <= 1:
        yield from map(read, items)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
        yield from pool.map(read, items)
