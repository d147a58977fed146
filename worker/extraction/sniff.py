"""What a file is, by its content: magic bytes, the parts of a zip, the bytes of a text.

A file's name says what someone called it, not what it is: a `.pdf` that is really a Word
file must go to the Word reader. So the type comes from the first bytes (a small table of
signatures), from `[Content_Types].xml` for Office Open XML (docx, xlsx and pptx are all
zips; their main part's content type tells them apart), and from strict decoding for text.

Why a table and not a library: the signatures we dispatch on are a dozen well-known byte
strings, while the hard parts — telling docx/xlsx/pptx apart by content and telling
Japanese text from binary — are things `filetype`/`puremagic` either do by extension or not
at all. A library would add a dependency and still leave those to us.

Only for text, whose bytes cannot say "CSV" or "Markdown", the extension refines the MIME
type (text/csv, text/markdown); HTML is recognised by its content.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from worker.extraction.archives.inflate import InflateBudget, read_member
from worker.extraction.images.formats import extra_image_mime
from worker.extraction.mail.detect import is_outlook_message, looks_like_mail
from worker.extraction.office.damaged import damaged_office_kind, kind_from_content_types
from worker.extraction.office.ole2 import LEGACY_MIME, ole2_kind
from worker.extraction.text.encoding import detect

Kind = Literal["pdf", "image", "docx", "xlsx", "pptx", "ole2", "zip", "text", "html", "unknown",
               "tar", "gzip", "bzip2", "xz", "archive", "eml", "msg",
               "doc", "xls", "ppt", "rtf", "odt", "ods", "odp", "xml"]

_SAMPLE_BYTES = 65536
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024

OOXML_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

# (offset, signature, kind, mime type); the first match wins.
_SIGNATURES: tuple[tuple[int, bytes, Kind, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image", "image/png"),
    (0, b"\xff\xd8\xff", "image", "image/jpeg"),
    (0, b"II*\x00", "image", "image/tiff"),
    (0, b"MM\x00*", "image", "image/tiff"),
    (0, b"GIF87a", "image", "image/gif"),
    (0, b"GIF89a", "image", "image/gif"),
    (0, b"BM", "image", "image/bmp"),  # with a known DIB header size, checked below
    (8, b"WEBP", "image", "image/webp"),  # after b"RIFF" and a length, checked below
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2", "application/x-ole-storage"),
    (0, b"PK\x03\x04", "zip", "application/zip"),
    (0, b"\x1f\x8b\x08", "gzip", "application/gzip"),
    (0, b"BZh", "bzip2", "application/x-bzip2"),  # with a block or end marker, checked below
    (0, b"\xfd7zXZ\x00", "xz", "application/x-xz"),
    (257, b"ustar", "tar", "application/x-tar"),
    # archive types that are recognised but not unpacked (a clear `unsupported`)
    (0, b"7z\xbc\xaf\x27\x1c", "archive", "application/x-7z-compressed"),
    (0, b"Rar!\x1a\x07", "archive", "application/vnd.rar"),
    (0, b"MSCF\x00\x00\x00\x00", "archive", "application/vnd.ms-cab-compressed"),
    (2, b"-lh", "archive", "application/x-lzh-compressed"),  # -lh5- etc., checked below
)
# OpenDocument: the `mimetype` member (first in the zip, stored) names the kind.
ODF_KINDS: dict[str, Kind] = {"application/vnd.oasis.opendocument.text": "odt",
                              "application/vnd.oasis.opendocument.spreadsheet": "ods",
                              "application/vnd.oasis.opendocument.presentation": "odp"}
_TEXT_MIME_BY_SUFFIX = {".csv": "text/csv", ".tsv": "text/tab-separated-values",
                        ".md": "text/markdown", ".markdown": "text/markdown"}
_BMP_DIB_HEADER_SIZES = frozenset({12, 40, 52, 56, 64, 108, 124})
_BZIP2_BODY = re.compile(rb"[1-9](1AY&SY|\x17rE8P\x90)", re.DOTALL)


@dataclass(frozen=True)
class FileType:
    kind: Kind
    mime_type: str
    encoding_hint: str | None = None  # text: what the first bytes decoded as
    encoding_confidence: float | None = None  # text: how sure that is, 0..1


UNKNOWN = FileType("unknown", "application/octet-stream")


def _by_signature(head: bytes) -> FileType | None:
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf").startswith(b"%PDF-"):  # tolerated padding
        return FileType("pdf", "application/pdf")
    for offset, signature, kind, mime in _SIGNATURES:
        if head[offset:offset + len(signature)] != signature:
            continue
        if mime == "image/webp" and not head.startswith(b"RIFF"):
            continue
        if mime == "image/bmp" and int.from_bytes(head[14:18], "little") \
                not in _BMP_DIB_HEADER_SIZES:
            continue  # "BM" alone is too weak: a text may start with it
        if kind == "bzip2" and not _BZIP2_BODY.match(head[3:10]):
            continue
        if mime == "application/x-lzh-compressed" and head[6:7] != b"-":
            continue
        return FileType(kind, mime)
    return None


def ooxml_kind(archive: zipfile.ZipFile) -> Kind | None:
    """docx / xlsx / pptx from the main part's content type in [Content_Types].xml, or None
    for other zips. The part is inflated under its limit counted on the bytes produced: a
    lying declared size is a DecompressionBombError, a damaged part a CorruptFileError.
    Only `*.main+xml` content types count: a presentation that embeds a
    Word file lists the Word type too, as a plain default for the embedded part."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None
    if info.file_size > _MAX_CONTENT_TYPES_BYTES:
        return None
    budget = InflateBudget(max_total_bytes=_MAX_CONTENT_TYPES_BYTES)
    data = read_member(archive, info, _MAX_CONTENT_TYPES_BYTES, budget)  # sizes can lie
    return kind_from_content_types(data.decode("utf-8", "replace"))


def _zip_type(path: Path, head: bytes) -> FileType:
    """OOXML, else OpenDocument, else a plain zip — from one opening of the archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            kind = ooxml_kind(archive)
            odf = None if kind else _odf_type(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        kind, odf = damaged_office_kind(head, path.suffix), None  # its reader reports it
    if kind is not None:
        return FileType(kind, OOXML_MIME[kind])
    return odf or FileType("zip", "application/zip")


def _odf_type(archive: zipfile.ZipFile) -> FileType | None:
    """odt / ods / odp (templates too) from the `mimetype` member, else None."""
    try:
        info = archive.getinfo("mimetype")
        declared = archive.read(info).decode("ascii", "replace").strip() \
            if info.file_size < 200 else ""
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            zlib.error):
        return None
    kind = ODF_KINDS.get(declared.removesuffix("-template"))
    return FileType(kind, declared.removesuffix("-template")) if kind else None


def _ole2_type(path: Path) -> FileType:
    kind = ole2_kind(path)
    if kind in LEGACY_MIME:
        return FileType(kind, LEGACY_MIME[kind])  # type: ignore[arg-type]
    return FileType("ole2", "application/x-ole-storage")


def _text_type(path: Path, head: bytes) -> FileType | None:
    detected = detect(head, final=len(head) < _SAMPLE_BYTES)
    if detected is None:
        return None
    encoding, sure = detected
    start = head[:4096].decode(encoding, "ignore").lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<") and ("<html" in start or start.startswith("<!doctype html")):
        return FileType("html", "text/html", encoding, sure)
    if looks_like_mail(head[:16384].decode(encoding, "ignore")):
        return FileType("eml", "message/rfc822", encoding, sure)
    if start.startswith("<?xml") or (start.startswith("<") and path.suffix.lower() == ".xml"):
        return FileType("xml", "application/xml", encoding, sure)
    mime = _TEXT_MIME_BY_SUFFIX.get(path.suffix.lower(), "text/plain")
    return FileType("text", mime, encoding, sure)


def sniff(path: Path) -> FileType:
    """The type of the file at `path`, by content. An empty file is `unknown`."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if not head:
        return UNKNOWN
    by_signature = _by_signature(head)
    if by_signature is not None and by_signature.kind == "zip":
        return _zip_type(path, head)
    if by_signature is not None and by_signature.kind == "ole2":
        return FileType("msg", "application/vnd.ms-outlook") if is_outlook_message(path) \
            else _ole2_type(path)
    if by_signature is not None:
        return by_signature
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):  # 7-bit, or binary \bin
        return FileType("rtf", "application/rtf")
    image_mime = extra_image_mime(head)  # HEIC, AVIF, JPEG 2000, PNM, ICO, BigTIFF
    if image_mime:
        return FileType("image", image_mime)
    return _text_type(path, head) or UNKNOWN
