"""Text of Word and PowerPoint files (Office Open XML); Excel lives in xlsx.py.

Pages, since OOXML has no fixed pages (Word lays them out when it renders):
- docx: one page — headers, body (paragraphs and tables, in order), footnotes, endnotes,
  footers; identical headers/footers (first/even/default) appear once;
- xlsx: one page per sheet, in workbook order (see xlsx.py);
- pptx: one page per slide, in presentation order, the slide's notes after its text.
Text read from the file is method "text-layer" (text that was never OCRed).

WordprocessingML and DrawingML share the local names that matter (p, r, t, tab, br, tr, tc),
so one walker reads both. Fallback branches of mc:AlternateContent (a VML copy of the same
text box), deleted text and field codes are skipped; text boxes are read where they sit.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import Element

from worker.errors import CorruptFileError
from worker.extraction.office.ooxml import OoxmlPackage, attribute, children, local, relationship_id
from worker.extraction.office.xlsx import workbook_pages
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.extraction.sniff import Kind
from worker.models import Page

MAX_CHARS = 20_000_000  # per document: past it the document is partial

# Subtrees that are not body text: properties, alternate copies, deleted text, field codes,
# and ruby (furigana, w:rt) — its base text is kept, the reading would double the name.
_SKIP = frozenset({"pPr", "rPr", "tblPr", "tblGrid", "trPr", "tcPr", "sectPr", "Fallback",
                   "delText", "instrText", "delInstrText", "bodyPr", "lstStyle", "nvSpPr",
                   "spPr", "nvGraphicFramePr", "xfrm", "rt", "rubyPr"})
# PowerPoint placeholders that repeat on every slide or hold no text of their own.
_SKIP_PLACEHOLDERS = frozenset({"sldNum", "sldImg", "dt", "ftr", "hdr"})
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def _placeholder_type(shape: Element) -> str | None:
    for element in shape.iter():
        if local(element.tag) == "ph":
            return element.get("type") or "body"
    return None


def _inline_text(element: Element) -> str:
    """Text of a paragraph: runs, tabs and breaks; a text box inside it on its own lines."""
    parts: list[str] = []
    for child in element:
        name = local(child.tag)
        if name in _SKIP:
            continue
        if name == "t":
            parts.append(child.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "noBreakHyphen":
            parts.append("-")
        elif name == "txbxContent":
            parts.append("\n" + "\n".join(block_lines(child)) + "\n")
        else:
            parts.append(_inline_text(child))
    return "".join(parts)


def _row_text(row: Element) -> str:
    cells = (" ".join(block_lines(cell)) for cell in children(row, "tc"))
    return "\t".join(cells).rstrip("\t")


def block_lines(element: Element) -> list[str]:
    """Lines of text under `element`: one per paragraph, one per table row (cells by tab)."""
    lines: list[str] = []
    for child in element:
        name = local(child.tag)
        if name in _SKIP:
            continue
        if name == "sp" and _placeholder_type(child) in _SKIP_PLACEHOLDERS:
            continue
        if name == "p":
            text = _inline_text(child).strip()
        elif name == "tr":
            text = _row_text(child)
        else:
            lines.extend(block_lines(child))
            continue
        if text:
            lines.append(text)
    return lines


def _unique_texts(package: OoxmlPackage, parts: list[str]) -> list[str]:
    texts: list[str] = []
    for part in parts:
        if package.has(part):
            text = "\n".join(block_lines(package.xml(part)))
            if text and text not in texts:
                texts.append(text)
    return texts


def _notes_texts(package: OoxmlPackage, part: str, kind: str) -> list[str]:
    """Footnotes or endnotes, without Word's separator notes."""
    texts = []
    for notes_part in package.related(part, kind):
        if not package.has(notes_part):
            continue
        for note in package.xml(notes_part):
            if (attribute(note, "type") or "normal") not in _SEPARATOR_NOTES:
                text = "\n".join(block_lines(note))
                if text:
                    texts.append(text)
    return texts


def _docx_pages(package: OoxmlPackage) -> list[Page]:
    main = package.main_part()
    root = package.xml(main)
    body = next((child for child in root if local(child.tag) == "body"), None)
    if body is None:
        raise CorruptFileError("the Word document has no body")
    sections = [
        *_unique_texts(package, package.related(main, "header")),
        "\n".join(block_lines(body)),
        *_notes_texts(package, main, "footnotes"),
        *_notes_texts(package, main, "endnotes"),
        *_unique_texts(package, package.related(main, "footer")),
    ]
    return [Page(1, "\n".join(section for section in sections if section), "text-layer")]


def _slide_parts(package: OoxmlPackage, main: str) -> list[str]:
    targets = package.relationship_ids(main)
    slides: list[str] = []
    for element in package.xml(main).iter():
        if local(element.tag) == "sldId":
            target = targets.get(relationship_id(element))
            if target and package.has(target):
                slides.append(target)
    return slides


def _pptx_pages(package: OoxmlPackage) -> list[Page]:
    pages = []
    for number, slide in enumerate(_slide_parts(package, package.main_part()), start=1):
        lines = block_lines(package.xml(slide))
        for notes in package.related(slide, "notesSlide"):
            if package.has(notes):
                lines.extend(block_lines(package.xml(notes)))
        pages.append(Page(number, "\n".join(lines), "text-layer"))
    return pages


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


def extract_office(path: Path, kind: Kind, options: ExtractionOptions) -> Extracted:
    """Pages and title of a docx, xlsx or pptx file."""
    with OoxmlPackage(path) as package:
        try:
            if kind == "docx":
                extracted = _capped(_docx_pages(package))
            elif kind == "pptx":
                extracted = _capped(_pptx_pages(package))
            elif kind == "xlsx":
                extracted = workbook_pages(package, MAX_CHARS)
            else:
                raise ValueError(f"not an Office Open XML kind: {kind}")
        except RecursionError:
            raise CorruptFileError("the document's XML is nested too deeply to read") from None
        return replace(extracted, title=package.title())
