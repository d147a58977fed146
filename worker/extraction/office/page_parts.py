"""One Office page from the parts that show on it: their text, what they relate to, pictures.

A Word document, a slide or a sheet is a main part plus parts it points to: charts,
SmartArt, comments (drawings.py) and pictures (OCRed by pictures.py). `PageAssembler.page`
gathers them for one page, in this order: the page's own text, then the related parts'
text, then what comes last in the file's own order (footnotes, footers), then the OCRed
pictures' text, each picture as its own block.

Page fields: `method` stays "text-layer" when the file itself holds any text for the page;
a page whose only text came from OCRed pictures (a scan pasted into an empty slide) is
"ocr", with the pictures' mean confidence. `ocr_images` counts the pictures whose OCR gave
text on that page, whatever the method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import fmean
from xml.etree.ElementTree import Element

from worker.extraction.office.drawings import related_lines
from worker.extraction.office.ooxml import OoxmlPackage
from worker.extraction.office.pictures import PictureReader, PictureText
from worker.extraction.office.readings import ReadingList, ruby_readings
from worker.models import Page


@dataclass
class PageAssembler:
    package: OoxmlPackage
    pictures: PictureReader
    readings: ReadingList
    _pending: list[tuple[int, str]] = field(default_factory=list)  # (page, picture part)

    def page(self, number: int, lines: list[str], parts: list[tuple[str, Element]],
             tail: tuple[str, ...] = ()) -> Page:
        """Page `number`: `lines` (its own text), then for each (part, root) shown on it the
        related charts/SmartArt/comments, then `tail` (footnotes, footers); its pictures are
        noted for `with_pictures` and ruby readings collected on the way."""
        own = list(lines)
        for part, root in parts:
            own.extend(related_lines(self.package, part))
            self._pending.extend((number, picture)
                                 for picture in self.pictures.new_pictures(part, root))
            self.readings.extend(ruby_readings(root))
        return assemble(number, [*own, *tail], [])

    def with_pictures(self, pages: tuple[Page, ...]) -> tuple[Page, ...]:
        """The pages with the OCR text of the pictures they show (all pictures of the file
        read at once, so they can share the cores)."""
        kept = {page.number for page in pages}
        found: dict[int, list[PictureText]] = {}
        for number, text in self.pictures.read_all(
                [(number, part) for number, part in self._pending if number in kept]):
            found.setdefault(number, []).append(text)
        return tuple(assemble(page.number, [page.text], found[page.number])
                     if page.number in found else page for page in pages)


def assemble(number: int, lines: list[str], pictures: list[PictureText]) -> Page:
    own = "\n".join(line for line in lines if line)
    text = "\n".join(part for part in (own, *(p.text for p in pictures)) if part)
    count = len(pictures) or None
    if own.strip() or not pictures:
        return Page(number, text, "text-layer", ocr_images=count)
    confidences = [p.confidence for p in pictures if p.confidence is not None]
    return Page(number, text, "ocr", fmean(confidences) if confidences else None,
                ocr_images=count)
