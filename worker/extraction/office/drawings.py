"""Text that Office keeps outside the body: charts, SmartArt, drawings, comments, masters.

Each of these is a part of its own, related to the part that shows it:
- charts (`chart`): titles and axis titles (DrawingML paragraphs), series names and
  category labels (the cached values Office stores next to the formula);
- SmartArt (`diagramData`): the text of each node (its `diagrams/drawing*.xml` is a
  rendered copy of the same text and is not read);
- Excel drawings (`drawing`): text boxes and shapes on a sheet, and through them that
  sheet's charts, SmartArt and pictures;
- comments: Word `comments`, Excel `comments` (notes) and `threadedComment`, PowerPoint
  `comments` (legacy `p:cm` and modern threaded ones);
- PowerPoint footers (on the slides, layouts or masters) and the slide layouts' and masters'
  own text: text that really is on the slide (a company name, "社外秘" in a footer), once
  per file, but not the prompts of empty placeholders ("Click to edit Master
  title style", 「マスター タイトルの書式設定」): placeholders of a layout or master only
  show their text when the slide does not override it, so only non-placeholder shapes and
  footers are read there.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from worker.extraction.office.ooxml import OoxmlPackage, local
from worker.extraction.office.paragraphs import block_lines, placeholder_type

_SERIES_TEXT = frozenset({"tx", "cat"})
_MASTER_PLACEHOLDERS_READ = frozenset({"ftr"})
_COMMENT_ELEMENTS = frozenset({"comment", "cm", "threadedComment"})
_COMMENT_TEXT = frozenset({"t", "text"})
# Prompt texts of empty placeholders (English and Japanese Office), a safety net.
# Prompts and field stand-ins of empty placeholders: PowerPoint's "Click to edit…", the
# Japanese UI's, LibreOffice's "<footer>"/"<number>" and generic names ("Footer", "‹#›").
_PROMPT = re.compile(r"^Click to (edit|add)|の書式設定$|を入力$|^テキストを入力"
                     r"|^<[^<>]{1,20}>$|^‹#›$"
                     r"|^(Footer|Header|Date|Slide Number|フッター|ヘッダー|日付|スライド番号)$")


def _values(element: Element) -> list[str]:
    return [(v.text or "").strip() for v in element.iter()
            if local(v.tag) == "v" and (v.text or "").strip()]


def chart_lines(root: Element) -> list[str]:
    """Titles, axis titles, series names and category labels of a chart part."""
    lines = block_lines(root)
    for series in root.iter():
        if local(series.tag) != "ser":
            continue
        for child in series:
            if local(child.tag) in _SERIES_TEXT:
                lines.extend(_values(child))
    return _unique(lines)


def comment_lines(root: Element) -> list[str]:
    """One line per comment, whichever of the comment formats the part is in."""
    lines = []
    for comment in root.iter():
        if local(comment.tag) not in _COMMENT_ELEMENTS:
            continue
        paragraphs = block_lines(comment)  # Word and modern PowerPoint comments
        text = " ".join(paragraphs) if paragraphs else "".join(
            node.text or "" for node in comment.iter() if local(node.tag) in _COMMENT_TEXT)
        text = text.strip()
        if text:
            lines.append(text)
    return lines


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(line for line in lines if line))


def related_lines(package: OoxmlPackage, part: str) -> list[str]:
    """Text of the charts, SmartArt and comments related to `part` (not the part itself)."""
    lines: list[str] = []
    for kind, _rel_id, target in package.relationships(part):
        if not package.has(target):
            continue
        if kind == "chart":
            lines.extend(chart_lines(package.xml(target)))
        elif kind == "diagramData":
            lines.extend(block_lines(package.xml(target)))
        elif kind in ("comments", "threadedComment", "threadedComments"):
            lines.extend(comment_lines(package.xml(target)))
    return lines


def master_lines(root: Element) -> list[str]:
    """Text a slide layout or master puts on its slides: shapes that are not placeholders,
    and footers; never the prompt text of title/body placeholders."""
    lines: list[str] = []
    for tree in root.iter():
        if local(tree.tag) != "spTree":
            continue
        for shape in tree:
            kind = placeholder_type(shape)
            if kind is None or kind in _MASTER_PLACEHOLDERS_READ:
                lines.extend(block_lines(shape))  # the shape's own text body
        break
    return [line for line in lines if not _PROMPT.search(line)]


def footer_lines(root: Element) -> list[str]:
    """Text of a slide's own footer placeholders (left out of its body text because every
    slide repeats it; the caller keeps each footer once per file)."""
    lines: list[str] = []
    for shape in root.iter():
        if local(shape.tag) == "sp" and placeholder_type(shape) == "ftr":
            lines.extend(block_lines(shape))
    return lines
