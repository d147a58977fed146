"""The one walker of Office text: paragraphs, runs, tables and text boxes, in order.

WordprocessingML and DrawingML share the local names that matter (p, r, t, tab, br, tr, tc),
so one walker reads Word bodies, PowerPoint slides, Excel drawings, charts and SmartArt.
Fallback branches of mc:AlternateContent (a VML copy of the same text box), deleted text and
field codes are skipped; text boxes are read where they sit; ruby readings (w:rt) are left
out of the text (readings.py collects them).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from worker.extraction.office.ooxml import children, local

# Subtrees that are not body text: properties, alternate copies, deleted text, field codes,
# and ruby (furigana, w:rt) — its base text is kept, the reading would double the name.
_SKIP = frozenset({"pPr", "rPr", "tblPr", "tblGrid", "trPr", "tcPr", "sectPr", "Fallback",
                   "delText", "instrText", "delInstrText", "bodyPr", "lstStyle", "nvSpPr",
                   "spPr", "nvGraphicFramePr", "xfrm", "rt", "rubyPr"})
# PowerPoint placeholders that repeat on every slide or hold no text of their own.
_SKIP_PLACEHOLDERS = frozenset({"sldNum", "sldImg", "dt", "ftr", "hdr"})


def placeholder_type(shape: Element) -> str | None:
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
        if name == "sp" and placeholder_type(child) in _SKIP_PLACEHOLDERS:
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
