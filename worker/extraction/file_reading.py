"""One file, by concern, for the pipeline (worker/extraction/pipeline.py, which keeps the
orchestration): what the file is (size, sha256, type by content; the size limits), which
reader reads each type, its thumbnail, and a language hint for the search analyzer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from worker.errors import (
    EmptyFileError,
    FileTooLargeError,
    ObjectGoneError,
    PermanentError,
    UnsupportedFileError,
)
from worker.extraction.archives.containers import unsupported_archive
from worker.extraction.content_errors import reading_content
from worker.extraction.office.ole2 import ole2_error
from worker.extraction.office.ooxml import embedded_thumbnail
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.extraction.sniff import UNKNOWN, FileType, sniff
from worker.extraction.text.reader import extract_text

_HASH_CHUNK = 1024 * 1024
_LANGUAGE_SAMPLE = 100_000


@dataclass(frozen=True)
class FileFacts:
    size_bytes: int
    sha256: str
    file_type: FileType


def inspect(path: Path, max_bytes: int) -> FileFacts:
    """Size, streamed sha256 and type; a vanished or unreadable file is permanent. The size
    comes first (stat): a file over `max_bytes` is not hashed (its sha256 is left empty),
    so a 20 GB file is refused at once instead of after reading it all."""
    try:
        size = path.stat().st_size
        digest = _sha256(path) if size <= max_bytes else ""  # an empty file has a hash too
        with reading_content("the file's type"):
            file_type = sniff(path) if size else UNKNOWN
    except FileNotFoundError as exc:
        raise ObjectGoneError(f"the file is gone: {exc.strerror}") from exc
    except (PermissionError, IsADirectoryError) as exc:
        raise UnsupportedFileError(f"the file cannot be read: {exc.strerror}") from exc
    return FileFacts(size, digest, file_type)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_limits(facts: FileFacts, options: ExtractionOptions) -> None:
    if facts.size_bytes == 0:
        raise EmptyFileError("the file is empty (0 bytes)")
    if facts.size_bytes > options.max_file_bytes:
        raise FileTooLargeError(f"the file is {facts.size_bytes} bytes; the limit is "
                                f"{options.max_file_bytes} bytes")


def read_by_type(path: Path, file_type: FileType, options: ExtractionOptions) -> Extracted:
    kind = file_type.kind
    if kind == "pdf":
        from worker.extraction.pdf.reader import extract_pdf  # poppler and OCR only when needed
        return extract_pdf(path, options)
    if kind == "image":
        from worker.extraction.images.reader import extract_image
        return extract_image(path, options)
    if kind in ("docx", "xlsx", "pptx"):
        return extract_office(path, kind, options)
    if kind in ("doc", "xls", "ppt", "rtf"):
        from worker.extraction.office.legacy import extract_legacy  # LibreOffice converts
        return extract_legacy(path, kind, options)
    if kind in ("odt", "ods", "odp"):
        from worker.extraction.office.opendocument import extract_opendocument
        return extract_opendocument(path, kind, options)
    if kind in ("text", "html", "xml"):
        return extract_text(path, file_type, options)
    if kind == "ole2":
        raise ole2_error(path)
    if kind == "archive":
        raise unsupported_archive(file_type)
    raise UnsupportedFileError("unrecognised binary content: not a PDF, image, Office "
                               "(OOXML, 97-2003, OpenDocument, RTF), mail, archive or text file")


def make_thumbnail(path: Path, file_type: FileType, options: ExtractionOptions) -> bytes | None:
    """A JPEG for PDFs, images and Office files that embed one; None for the rest."""
    if not options.thumbnails:
        return None
    try:
        with reading_content("the thumbnail"):
            return _thumbnail_of(path, file_type, options)
    except PermanentError:
        return None  # the text was read; a picture that cannot be made is no failure


def _thumbnail_of(path: Path, file_type: FileType, options: ExtractionOptions) -> bytes | None:
    from worker.extraction.thumbnail import image_thumbnail, pdf_thumbnail
    if file_type.kind == "pdf":
        return pdf_thumbnail(path, options)
    if file_type.kind == "image":
        return image_thumbnail(path, options)
    if file_type.kind in ("docx", "xlsx", "pptx"):
        embedded = embedded_thumbnail(path)
        return image_thumbnail(embedded, options) if embedded else None
    if file_type.kind in ("odt", "ods", "odp"):
        from worker.extraction.office.opendocument import embedded_thumbnail as odf_preview
        preview = odf_preview(path)
        return image_thumbnail(preview, options) if preview else None
    return None


def guess_language(text: str) -> str | None:
    japanese = latin = 0
    for char in text[:_LANGUAGE_SAMPLE]:
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            japanese += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if japanese and japanese * 5 >= japanese + latin:
        return "ja"
    return "en" if latin else None


