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

from dataclasses import dataclass
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

    def page(self, number: int, lines: list[str], parts: list[tuple[str, Element]],
             tail: tuple[str, ...] = ()) -> Page:
        """Page `number`: `lines` (its own text), then for each (part, root) shown on it the
        related charts/SmartArt/comments, then `tail` (footnotes, footers), then the
        pictures' text; ruby readings are collected on the way."""
        own = list(lines)
        found: list[PictureText] = []
        for part, root in parts:
            own.extend(related_lines(self.package, part))
            found.extend(self.pictures.read(part, root, number))
            self.readings.extend(ruby_readings(root))
        return assemble(number, [*own, *tail], found)


def assemble(number: int, lines: list[str], pictures: list[PictureText]) -> Page:
    own = "\n".join(line for line in lines if line)
    text = "\n".join(part for part in (own, *(p.text for p in pictures)) if part)
    count = len(pictures) or None
    if own.strip() or not pictures:
        return Page(number, text, "text-layer", ocr_images=count)
    confidences = [p.confidence for p in pictures if p.confidence is not None]
    return Page(number, text, "ocr", fmean(confidences) if confidences else None,
                ocr_images=count)
