"""OCR of the pictures inside Office files: a scanned page pasted into a .docx or a slide.

The pictures a part shows (`a:blip r:embed`, VML `v:imagedata r:id`) are taken in the order
they appear. Most are icons, logos and photos too small to hold a line of text: those are
skipped from their header alone (MIN_SIDE, MIN_PIXELS), before a byte of pixels is decoded.
The rest go through the same checks and steps as an image file (images/picture.py): the
pixel limit (`max_page_pixels`: a bomb is refused with a reason, the document is partial),
upright, grayscale, lighting flattened, then OCR (ocr/page.py) inside the file's time budget,
`page_workers` pictures at a time. A picture used on several slides is read once; its text
joins the first page that shows it.
Vector pictures (EMF/WMF/SVG) have no pixels to read and are left out.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from worker.errors import PermanentError
from worker.extraction.images.picture import (
    check_pixels,
    decode,
    flatten_lighting,
    open_picture,
    to_grayscale,
    upright,
)
from worker.extraction.ocr.page import Budget, map_pages, ocr_page
from worker.extraction.office.ooxml import OoxmlPackage, local
from worker.extraction.options import ExtractionOptions

MIN_SIDE = 200  # px: narrower pictures are rules, icons, logos
MIN_PIXELS = 200_000  # about a screenshot of a few lines of text
MAX_PICTURE_BYTES = 64 * 1024 * 1024
_RASTER_SUFFIXES = (".png", ".jpeg", ".jpg", ".jpe", ".tif", ".tiff", ".bmp", ".gif", ".webp",
                    ".jp2", ".heic", ".heif", ".avif")
_REFERENCES = frozenset({"blip", "imagedata"})
_REFERENCE_ATTRIBUTES = frozenset({"embed", "id"})  # a:blip r:embed, v:imagedata r:id


@dataclass(frozen=True)
class PictureText:
    text: str
    confidence: float | None


@dataclass
class PictureReader:
    """Reads a file's pictures with one time budget. `new_pictures` names the pictures a
    part shows that no earlier page showed; `read_all` then OCRs them, `options.page_workers`
    at a time (the spare cores of a batch with fewer files than processes, as for PDF
    pages). Its scratch folder exists only while pictures are read."""

    package: OoxmlPackage
    options: ExtractionOptions
    budget: Budget
    seen: set[str] = field(default_factory=set)
    _scratch: Path | None = None
    _zip_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def new_pictures(self, part: str, root: Element) -> list[str]:
        """The raster picture parts `part` shows, in order of appearance, not seen before."""
        targets = self.package.relationship_ids(part)
        found: list[str] = []
        for element in root.iter():
            if local(element.tag) not in _REFERENCES:
                continue
            target = targets.get(_reference(element))
            if target and target not in self.seen \
                    and target.lower().endswith(_RASTER_SUFFIXES) and self.package.has(target):
                self.seen.add(target)
                found.append(target)
        return found

    def read_all(self, pictures: list[tuple[int, str]]) -> list[tuple[int, PictureText]]:
        """(page number, OCR text) of the (page number, picture part) given, in their order;
        pictures too small, blank or unreadable give nothing (unreadable ones a reason)."""
        if not pictures:
            return []
        self._scratch = Path(tempfile.mkdtemp(prefix="cis-office-"))
        try:
            items = list(enumerate(pictures))
            results = list(map_pages(self._read_one, items, self.options.page_workers))
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        return [(number, text) for (_i, (number, _part)), text in zip(items, results, strict=True)
                if text is not None]

    def _read_one(self, item: tuple[int, tuple[int, str]]) -> PictureText | None:
        index, (number, part) = item
        try:
            with self._zip_lock:
                data = self.package.read(part, limit=MAX_PICTURE_BYTES)
            page_file = self._to_pgm(data, part, index)
        except PermanentError as exc:
            self.budget.reasons.append(f"picture {part}: not read: {exc.reason}")
            return None
        if page_file is None:
            return None
        try:
            page = ocr_page(page_file, number, self.options, dpi=None, budget=self.budget)
        finally:
            page_file.unlink()
        if page.method != "ocr" or not page.text.strip():
            return None
        return PictureText(page.text.strip(), page.confidence)

    def _to_pgm(self, data: bytes, part: str, index: int) -> Path | None:
        """The picture as a grayscale PGM ready for OCR, or None when it is too small."""
        with open_picture(data) as picture:
            width, height = picture.size
            if min(width, height) < MIN_SIDE or width * height < MIN_PIXELS:
                return None
            check_pixels(picture, self.options.max_page_pixels, f"picture {part}")
            decode(picture)
            assert self._scratch is not None
            target = self._scratch / f"picture-{index}.pgm"
            flatten_lighting(to_grayscale(upright(picture))).save(target, format="PPM")
        return target


def _reference(element: Element) -> str:
    """The relationship id a picture element points to (namespaced r:embed or r:id)."""
    for key, value in element.attrib.items():
        if key.startswith("{") and local(key) in _REFERENCE_ATTRIBUTES:
            return value
    return ""


def picture_reader(package: OoxmlPackage, options: ExtractionOptions) -> PictureReader:
    return PictureReader(package, options, Budget(options.file_budget_s))
