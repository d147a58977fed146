"""Text of Excel workbooks (xlsx): every sheet, by name, cells as they are shown.

One page per sheet, in workbook order (hidden sheets too: their text is still content); the
page text starts with the sheet name, then one line per row with the cells separated by tabs.
Cells: shared strings (without the phonetic furigana runs, <rPh>, that Japanese Excel stores
next to the text: those become the document's `readings`, readings.py), inline strings,
formula results (the cached value), booleans, errors and numbers rendered with their number
format (numfmt.py), so dates read 2024/1/15 and amounts ¥1,234 as on screen. Worksheets are
streamed (iterparse) and cleared row by row, so a large sheet does not become a large tree.
After the cells come the sheet's drawings (text boxes, shapes, charts, SmartArt, OCRed
pictures) and its comments (page_parts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from worker.extraction.office.numfmt import BUILTIN_FORMATS, format_value
from worker.extraction.office.ooxml import OoxmlPackage, children, local, relationship_id
from worker.extraction.office.page_parts import PageAssembler
from worker.extraction.office.paragraphs import block_lines
from worker.extraction.office.readings import ReadingList, phonetic_readings
from worker.extraction.result import Extracted
from worker.models import Page


@dataclass(frozen=True)
class _Workbook:
    sheets: list[tuple[str, str]]  # (name, part)
    shared_strings: list[str]
    cell_formats: list[str | None]  # style index -> number format code
    date1904: bool
    readings: ReadingList


def _string_item_text(item: Element) -> str:
    """Text of a shared/inline string (<si> or <is>): plain or rich runs, no furigana."""
    parts: list[str] = []
    for child in item:
        name = local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in children(child, "t"))
    return "".join(parts)


def _streamed(package: OoxmlPackage, part: str, name: str) -> Iterator[Element]:
    """The `name` elements of a part, each complete, then dropped from the tree."""
    parents: list[Element] = []
    for event, element in package.iter_elements(part):
        if event == "start":
            parents.append(element)
            continue
        parents.pop()
        if local(element.tag) == name:
            yield element
            if parents:
                parents[-1].remove(element)


def _shared_strings(package: OoxmlPackage, workbook: str,
                    readings: ReadingList) -> list[str]:
    strings: list[str] = []
    for part in package.related(workbook, "sharedStrings"):
        if package.has(part):
            for item in _streamed(package, part, "si"):
                text = _string_item_text(item)
                readings.extend(phonetic_readings(item, text))
                strings.append(text)
    return strings


def _cell_formats(package: OoxmlPackage, workbook: str) -> list[str | None]:
    formats: list[str | None] = []
    for part in package.related(workbook, "styles"):
        if not package.has(part):
            continue
        root = package.xml(part)
        custom: dict[int, str] = {}
        for element in root.iter():
            if local(element.tag) == "numFmt":
                custom[_int(element.get("numFmtId")) or -1] = element.get("formatCode") or ""
        for section in root:
            if local(section.tag) == "cellXfs":
                for xf in children(section, "xf"):
                    fmt_id = _int(xf.get("numFmtId"))
                    formats.append(custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id)))
    return formats


def _workbook(package: OoxmlPackage, readings: ReadingList) -> _Workbook:
    main = package.main_part()
    root = package.xml(main)
    targets = package.relationship_ids(main)
    sheets: list[tuple[str, str]] = []
    date1904 = False
    for element in root.iter():
        name = local(element.tag)
        if name == "sheet":
            part = targets.get(relationship_id(element))
            if part and package.has(part):
                sheets.append((element.get("name") or "", part))
        elif name == "workbookPr":
            date1904 = (element.get("date1904") or "").lower() in ("1", "true")
    return _Workbook(sheets, _shared_strings(package, main, readings),
                     _cell_formats(package, main), date1904, readings)


def _int(value: str | None) -> int:
    """An index attribute; a missing or non-numeric one is 0 (the default style)."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _shared_string(value: str, book: _Workbook) -> str:
    """The shared string a `t="s"` cell points to. A value that is no index (a broken
    writer's `<v>abc</v>`) is kept as its literal text: it is the only text the cell has,
    and dropping it would lose content; an index out of range is empty."""
    try:
        index = int(value)
    except ValueError:
        return value.strip()
    return book.shared_strings[index] if 0 <= index < len(book.shared_strings) else ""


def _cell_text(cell: Element, book: _Workbook) -> str:
    kind = cell.get("t") or "n"
    value_element = next(children(cell, "v"), None)
    value = value_element.text if value_element is not None else None
    if kind == "inlineStr":
        inline = next(children(cell, "is"), None)
        if inline is None:
            return ""
        text = _string_item_text(inline)
        book.readings.extend(phonetic_readings(inline, text))
        return text
    if value is None:
        return ""
    if kind == "s":
        return _shared_string(value, book)
    if kind == "b":
        return "TRUE" if value.strip() == "1" else "FALSE"
    if kind in ("str", "e"):
        return value
    style = _int(cell.get("s"))
    code = book.cell_formats[style] if 0 <= style < len(book.cell_formats) else None
    try:
        return format_value(float(value), code, book.date1904)
    except ValueError:
        return value


def _sheet_text(package: OoxmlPackage, name: str, part: str, book: _Workbook,
                budget: int) -> tuple[str, bool]:
    """The sheet's text and whether it fitted in `budget` characters (else it is cut)."""
    lines = [name]
    used = len(name)
    for row in _streamed(package, part, "row"):
        cells = (_cell_text(cell, book) for cell in children(row, "c"))
        line = "\t".join(text for text in cells if text)
        if not line:
            continue
        used += len(line) + 1
        if used > budget:
            return "\n".join(lines), False
        lines.append(line)
    return "\n".join(lines), True


def _sheet_page(package: OoxmlPackage, number: int, part: str, text: str,
                pages: PageAssembler) -> Page:
    """The sheet's cells, then its drawings' text boxes and shapes, their charts, SmartArt
    and pictures, and the sheet's comments (page_parts.py)."""
    drawings = [(drawing, package.xml(drawing)) for drawing in package.related(part, "drawing")
                if package.has(drawing)]
    lines = [text, *(line for _part, root in drawings for line in block_lines(root))]
    return pages.page(number, lines, [(part, Element("worksheet")), *drawings])


def workbook_pages(package: OoxmlPackage, max_chars: int, pages_of: PageAssembler) -> Extracted:
    """One page per sheet; past `max_chars` the rest is left and the result is partial."""
    book = _workbook(package, pages_of.readings)
    pages: list[Page] = []
    budget = max_chars
    for number, (name, part) in enumerate(book.sheets, start=1):
        text, complete = _sheet_text(package, name, part, book, budget)
        pages.append(_sheet_page(package, number, part, text, pages_of))
        budget -= len(text)
        if not complete:
            reason = (f"text past {max_chars} characters was not read: stopped in sheet "
                      f"{name!r} ({number} of {len(book.sheets)})")
            return Extracted(tuple(pages), status="partial", reason=reason)
    return Extracted(tuple(pages))
