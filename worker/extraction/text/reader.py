"""Text, CSV, Markdown, HTML and XML files: decode them right, keep what a reader sees.

The encoding is decided by encoding.py (Japanese first, by strict decoding) and recorded in
`Extracted.encoding`. An HTML file's own `<meta charset>` (an XML file's declared encoding)
wins when the bytes really decode with it (it settles the rare CP932/EUC-JP tie). HTML is
reduced to its visible text with the standard library's html.parser — chosen over
lxml/BeautifulSoup on purpose: it is tolerant of broken markup, needs no dependency, and
visible text plus <title> is all we need. XML keeps its text nodes (xml.py).

One page per file (method "text-layer": text that was never OCRed). Only the first
MAX_TEXT_BYTES are read; a longer file is `partial` with the reason.

A text damaged in a few places (invalid byte sequences, a stray NUL; encoding.py decides it
is still text) is read with each invalid sequence replaced by U+FFFD and the NULs dropped,
and the document is `partial` with a reason that counts them ("3 invalid byte sequences
(3 bytes) replaced with U+FFFD (cp932)"): the indexed text is not all of the file's text,
and `partial` with its `reason` is where DESIGN.md puts exactly that, so an operator who
lists the files that are not `complete` finds it; `complete` would hide the loss.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from pathlib import Path

from worker.errors import UnsupportedFileError
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.extraction.sniff import FileType
from worker.extraction.text.encoding import Detected, detect, lenient_decode, strict_decode
from worker.extraction.text.xml import declared_encoding, xml_text
from worker.models import Page

MAX_TEXT_BYTES = 64 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""",
                           re.IGNORECASE)
# Declared names whose strict superset is what the file really holds.
_SUPERSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
              "windows-31j": "cp932", "ms932": "cp932", "euc-jp": "euc-jp", "x-euc-jp": "euc-jp"}
_HIDDEN = frozenset({"script", "style", "noscript", "template", "head", "svg", "math"})
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "table", "ul", "ol", "dl", "dt", "dd", "section", "article", "header",
                     "footer", "nav", "aside", "blockquote", "pre", "hr", "form", "title",
                     "main", "figure", "figcaption", "caption", "address"})
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, and the <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._hidden_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _HIDDEN:
            self._hidden_depth += 1
        if tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "td" or tag == "th":
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._hidden_depth:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)

    def title(self) -> str | None:
        return " ".join("".join(self.title_parts).split()) or None


def _declared_charset(data: bytes, kind: str) -> str | None:
    """The charset an HTML `<meta>` or an XML declaration names, as a Python codec."""
    if kind == "xml":
        name = declared_encoding(data) or ""
    else:
        match = _META_CHARSET.search(data[:4096])
        if match is None:
            return None
        name = match.group(1).decode("ascii", "ignore").lower()
    name = _SUPERSETS.get(name, name)
    if not name:
        return None
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _choose_encoding(data: bytes, file_type: FileType, final: bool) -> Detected:
    """The HTML's or XML's declared charset (confidence 1: the file says so and decodes with it),
    else what sniffing found in the first bytes if the whole text decodes with it (with the
    confidence of that first look), else detection over the whole text (the first bytes were
    plain ASCII, say, and Japanese comes later)."""
    declared = _declared_charset(data, file_type.kind) \
        if file_type.kind in ("html", "xml") else None
    if declared and strict_decode(data, declared, final) is not None:
        return Detected(declared, 1.0)
    hint = file_type.encoding_hint
    if hint and strict_decode(data, hint, final) is not None:
        sure = file_type.encoding_confidence
        return Detected(hint, sure if sure is not None else 0.5)
    detected = detect(data, final)
    if detected is None:
        raise UnsupportedFileError("the file is neither text in a known encoding nor a "
                                   "supported document type")
    return detected


def _decode(data: bytes, encoding: str, final: bool) -> tuple[str, list[str]]:
    """The text (line breaks normalised, NULs dropped) and what was lost on the way."""
    decoded = lenient_decode(data, encoding, final)
    text = decoded.text
    losses = []
    if decoded.invalid_sequences:
        losses.append(f"{decoded.invalid_sequences} invalid byte sequences "
                      f"({decoded.invalid_bytes} bytes) replaced with U+FFFD ({encoding})")
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        losses.append(f"{nuls} NUL bytes dropped")
    return text.replace("\r\n", "\n").replace("\r", "\n"), losses


def _read_capped(path: Path) -> tuple[bytes, int]:
    """At most MAX_TEXT_BYTES of the file, and its size. read(n) allocates n bytes up front:
    asked for no more than the file holds, a 5 KB CSV costs 5 KB, not 64 MiB."""
    with path.open("rb") as handle:
        size = path.stat().st_size
        data = handle.read(min(MAX_TEXT_BYTES, size + 1))  # +1: growth while reading shows
    return data, max(size, len(data))


def extract_text(path: Path, file_type: FileType, options: ExtractionOptions) -> Extracted:
    """One page with the decoded text; the encoding used; a title for HTML and Markdown."""
    data, size = _read_capped(path)
    complete = size <= len(data)
    encoding, sure = _choose_encoding(data, file_type, final=complete)
    text, losses = _decode(data, encoding, final=complete)
    title: str | None = None
    if file_type.kind == "html":
        parser = _VisibleText()
        parser.feed(text)
        parser.close()
        text, title = parser.text(), parser.title()
    elif file_type.kind == "xml":
        text = xml_text(text)
    elif file_type.mime_type == "text/markdown":
        heading = _MARKDOWN_HEADING.search(text)
        title = heading.group(1) if heading else None
    pages = (Page(1, text, "text-layer"),)
    if not complete:
        losses.append(f"only the first {MAX_TEXT_BYTES} of {size} bytes were read")
    if not losses:
        return Extracted(pages, title=title, encoding=encoding, encoding_confidence=sure)
    return Extracted(pages, status="partial", reason="; ".join(losses), title=title,
                     encoding=encoding, encoding_confidence=sure)


def visible_text(html: str) -> str:
    """The text a browser would show of an HTML string (a mail's HTML part, too)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()
