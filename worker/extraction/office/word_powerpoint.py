"""Text of Word and PowerPoint files (Office Open XML); Excel lives in xlsx.py.

Pages, since OOXML has no fixed pages (Word lays them out when it renders):
- docx: one page — headers, body (paragraphs, tables and text boxes, in order; the walker is
  paragraphs.py), the charts, SmartArt and comments of the body, footnotes, endnotes,
  footers; identical headers/footers (first/even/default) appear once;
- xlsx: one page per sheet, in workbook order (see xlsx.py);
- pptx: one page per slide, in presentation order: the slide's text, its footer and the
  text its layout and master add (each once per file: a company name, 社外秘; never
  placeholder prompts), its notes, its charts, SmartArt and comments.
Pictures large enough to hold text are OCRed into the page that shows them (pictures.py,
page_parts.py); ruby readings go to `readings` (readings.py). Text read from the file is
method "text-layer" (text that was never OCRed).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import Element

from worker.errors import CorruptFileError
from worker.extraction.office.drawings import footer_lines, master_lines
from worker.extraction.office.ooxml import OoxmlPackage, attribute, local, relationship_id
from worker.extraction.office.page_parts import PageAssembler
from worker.extraction.office.paragraphs import block_lines
from worker.extraction.office.pictures import picture_reader
from worker.extraction.office.readings import ReadingList
from worker.extraction.office.xlsx import workbook_pages
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.extraction.sniff import Kind
from worker.models import Page

# block_lines lives in paragraphs.py; still importable from here
__all__ = ["MAX_CHARS", "block_lines", "extract_office"]

MAX_CHARS = 20_000_000  # per document: past it the document is partial
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def _roots(package: OoxmlPackage, parts: list[str]) -> list[tuple[str, Element]]:
    return [(part, package.xml(part)) for part in parts if package.has(part)]


def _unique_texts(roots: list[tuple[str, Element]]) -> list[str]:
    texts: list[str] = []
    for _part, root in roots:
        text = "\n".join(block_lines(root))
        if text and text not in texts:
            texts.append(text)
    return texts


def _notes_texts(roots: list[tuple[str, Element]]) -> list[str]:
    """Footnotes or endnotes, without Word's separator notes."""
    texts = []
    for _part, root in roots:
        for note in root:
            if (attribute(note, "type") or "normal") not in _SEPARATOR_NOTES:
                text = "\n".join(block_lines(note))
                if text:
                    texts.append(text)
    return texts


def _docx_pages(package: OoxmlPackage, pages: PageAssembler) -> list[Page]:
    main = package.main_part()
    root = package.xml(main)
    body = next((child for child in root if local(child.tag) == "body"), None)
    if body is None:
        raise CorruptFileError("the Word document has no body")
    headers = _roots(package, package.related(main, "header"))
    footers = _roots(package, package.related(main, "footer"))
    notes = _roots(package, [*package.related(main, "footnotes"),
                             *package.related(main, "endnotes")])
    lines = [*_unique_texts(headers), "\n".join(block_lines(body))]
    tail = (*_notes_texts(notes), *_unique_texts(footers))
    return [pages.page(1, lines, [(main, root), *headers, *notes, *footers], tail)]


def _slide_parts(package: OoxmlPackage, main: str) -> list[str]:
    targets = package.relationship_ids(main)
    slides: list[str] = []
    for element in package.xml(main).iter():
        if local(element.tag) == "sldId":
            target = targets.get(relationship_id(element))
            if target and package.has(target):
                slides.append(target)
    return slides


def _repeated_text(package: OoxmlPackage, slide: str, root: Element,
                   seen: set[str]) -> list[str]:
    """What repeats on slides — the slide's footers, the text its layout and master add —
    for what this file has not shown yet (`seen` holds parts and lines already taken)."""
    lines = footer_lines(root)
    for layout in package.related(slide, "slideLayout"):
        for part in [layout, *package.related(layout, "slideMaster")]:
            if part not in seen and package.has(part):
                seen.add(part)
                lines.extend(master_lines(package.xml(part)))
    new = [line for line in dict.fromkeys(lines) if line not in seen]
    seen.update(new)
    return new


def _pptx_pages(package: OoxmlPackage, pages: PageAssembler) -> list[Page]:
    result = []
    seen: set[str] = set()
    for number, slide in enumerate(_slide_parts(package, package.main_part()), start=1):
        root = package.xml(slide)
        lines = [*block_lines(root), *_repeated_text(package, slide, root, seen)]
        notes = _roots(package, package.related(slide, "notesSlide"))
        for _part, notes_root in notes:
            lines.extend(block_lines(notes_root))
        result.append(pages.page(number, lines, [(slide, root)]))
    return result


def _capped(pages: list[Page]) -> Extracted:
    kept: list[Page] = []
    total = 0
    for page in pages:
        if total + len(page.text) > MAX_CHARS:
            reason = (f"text past {MAX_CHARS} characters was not read "
                      f"({len(kept)} of {len(pages)} pages kept)")
            return Extracted(tuple(kept), status="partial", reason=reason)
        total += len(page.text)
        kept.append(page)
    return Extracted(tuple(kept))


def _read(package: OoxmlPackage, kind: Kind, pages: PageAssembler) -> Extracted:
    if kind == "docx":
        return _capped(_docx_pages(package, pages))
    if kind == "pptx":
        return _capped(_pptx_pages(package, pages))
    if kind == "xlsx":
        return workbook_pages(package, MAX_CHARS, pages)
    raise ValueError(f"not an Office Open XML kind: {kind}")


def _with_budget(extracted: Extracted, pages: PageAssembler) -> Extracted:
    """The pictures' text, readings, and the pictures' partial reasons (a bomb refused, OCR
    out of time)."""
    extracted = replace(extracted, pages=pages.with_pictures(extracted.pages))
    budget = pages.pictures.budget
    reasons = [reason for reason in (extracted.reason, budget.reason) if reason]
    timings = {**extracted.timings_ms, "ocr": round(budget.ocr_ms, 1)} if budget.ocr_ms \
        else extracted.timings_ms
    return replace(extracted, status="partial" if reasons else extracted.status,
                   reason="; ".join(reasons) or None, readings=pages.readings.result(),
                   timings_ms=timings)


def extract_office(path: Path, kind: Kind, options: ExtractionOptions) -> Extracted:
    """Pages, title and readings of a docx, xlsx or pptx file."""
    with OoxmlPackage(path) as package:
        pages = PageAssembler(package, picture_reader(package, options), ReadingList())
        try:
            extracted = _with_budget(_read(package, kind, pages), pages)
        except RecursionError:
            raise CorruptFileError("the document's XML is nested too deeply to read") from None
        return replace(extracted, title=package.title())
