"""XML files indexed as their text: element text and attribute-free content, no markup.

A generic XML file (a data export, a configuration, an SVG) is searched for the words in it,
not for its tags. The decoded text (reader.py chose the encoding, the XML declaration's
included) is parsed with defusedxml — entities and external references refused — with the
declaration removed, since the text is already Unicode. Each element's own text becomes a
line. Markup that does not parse (a truncated export) falls back to stripping the tags, so a
broken file still yields its words rather than failing.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from worker.errors import DecompressionBombError

_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|<[^>]*>", re.DOTALL)


def declared_encoding(data: bytes) -> str | None:
    """The `encoding` of the XML declaration, if there is one."""
    match = _DECLARED_ENCODING.match(data[:512])
    return match.group(1).decode("ascii").lower() if match else None


def _lines(root: Element) -> list[str]:
    lines = []
    for element in root.iter():
        for piece in (element.text, element.tail):
            text = " ".join((piece or "").split())
            if text:
                lines.append(text)
    return lines


def xml_text(text: str) -> str:
    """The words of an XML document, one text node per line."""
    try:
        root = fromstring(_DECLARATION.sub("", text, count=1))
    except DefusedXmlException as exc:
        raise DecompressionBombError("the XML declares entities (XML bomb risk): "
                                     "refused") from exc
    except ParseError:
        stripped = _TAG.sub("\n", text)
        return "\n".join(line for line in (" ".join(part.split())
                                           for part in stripped.splitlines()) if line)
    return "\n".join(_lines(root))
