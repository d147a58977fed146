"""Which Office format a damaged zip was meant to be, so its failure is reported as `corrupt`.

A .docx cut short by a failed upload or copy has lost its central directory (at the end of
the zip), so `zipfile` cannot open it at all; without this module such a file looked like
"a zip archive that is not an Office Open XML document". Its first bytes still hold the
local file headers (each member's name, in clear) and, usually first of all,
`[Content_Types].xml`, whose deflated bytes can be inflated from the local header on (at
most MAX_CONTENT_TYPES_BYTES, stopping quietly where the file ends). The main part's
content type then names the format, as for an intact package; failing that, member names
(word/, xl/, ppt/), the application docProps/app.xml names, or, for a file cut inside its
very first members, the file's Office extension. The Office reader then opens the file
and reports it as corrupt.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Literal

OfficeKind = Literal["docx", "xlsx", "pptx"]

MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_LOCAL_HEADER = b"PK\x03\x04"
_HEADER = struct.Struct("<4sHHHHHIIIHH")  # signature .. extra length: 30 bytes
_DEFLATED, _STORED = 8, 0
_MAIN_CONTENT_TYPE = re.compile(r'contenttype="([^"]*\.main\+xml)"')
_MARKERS: tuple[tuple[str, OfficeKind], ...] = (
    ("wordprocessingml", "docx"), ("ms-word", "docx"),
    ("spreadsheetml", "xlsx"), ("ms-excel", "xlsx"),
    ("presentationml", "pptx"), ("ms-powerpoint", "pptx"),
)
_APPLICATIONS: tuple[tuple[str, OfficeKind], ...] = (
    ("<Application>Microsoft Excel", "xlsx"), ("<Application>Microsoft Office Word", "docx"),
    ("<Application>Microsoft Office PowerPoint", "pptx"), ("<Application>Microsoft Word", "docx"),
    ("<Application>Microsoft PowerPoint", "pptx"))
_FOLDERS: tuple[tuple[str, OfficeKind], ...] = (("word/", "docx"), ("xl/", "xlsx"),
                                                 ("ppt/", "pptx"))
_SUFFIXES: dict[str, OfficeKind] = {
    **dict.fromkeys((".docx", ".docm", ".dotx", ".dotm"), "docx"),
    **dict.fromkeys((".xlsx", ".xlsm", ".xltx", ".xltm"), "xlsx"),
    **dict.fromkeys((".pptx", ".pptm", ".ppsx", ".ppsm", ".potx", ".potm"), "pptx"),
}


def kind_from_content_types(content_types: str) -> OfficeKind | None:
    """docx / xlsx / pptx from the `*.main+xml` content types of [Content_Types].xml."""
    main_types = _MAIN_CONTENT_TYPE.findall(content_types.lower())
    for marker, kind in _MARKERS:
        if any(marker in main_type for main_type in main_types):
            return kind
    return None


def _members(head: bytes) -> list[tuple[str, int, bytes]]:
    """(name, compression method, data from there to the end of `head`) per local header."""
    members = []
    offset = head.find(_LOCAL_HEADER)
    while offset >= 0 and offset + _HEADER.size <= len(head):
        fields = _HEADER.unpack_from(head, offset)
        method, name_length, extra_length = fields[3], fields[9], fields[10]
        name_start = offset + _HEADER.size
        data_start = name_start + name_length + extra_length
        name = head[name_start:name_start + name_length].decode("utf-8", "replace")
        members.append((name, method, head[data_start:]))
        offset = head.find(_LOCAL_HEADER, data_start)
    return members


def _inflate(method: int, data: bytes) -> str:
    if method == _STORED:
        return data[:MAX_CONTENT_TYPES_BYTES].decode("utf-8", "replace")
    if method != _DEFLATED:
        return ""
    try:
        inflated = zlib.decompressobj(-15).decompress(data, MAX_CONTENT_TYPES_BYTES)
    except zlib.error:
        return ""
    return inflated.decode("utf-8", "replace")


def damaged_office_kind(head: bytes, suffix: str) -> OfficeKind | None:
    """The Office format of a zip that cannot be opened, or None when nothing says Office."""
    members = _members(head)
    for name, method, data in members:
        if name == "[Content_Types].xml":
            kind = kind_from_content_types(_inflate(method, data))
            if kind:
                return kind
    for name, method, data in members:
        for folder, kind in _FOLDERS:
            if name.startswith(folder):
                return kind
        if name == "docProps/app.xml":
            application = _inflate(method, data)
            for marker, kind in _APPLICATIONS:
                if marker in application:
                    return kind
    return _SUFFIXES.get(suffix.lower())
