"""extract(path, source, options) -> ExtractionOutcome: orchestration only.

Sniffs the type by content, hands the file to the extractor of that type, makes the
thumbnail, and assembles the Document (DESIGN.md §3). Pure: no AWS, no network.

Interface used by worker/batch.py (local `process`) and worker/service.py (queue worker):
- `extract(path, source, options)` raises PermanentError for unreadable input;
- `extract_or_record(...)` turns a PermanentError into a `status="failed"` document that
  still carries the file's metadata (name, size, sha256, type), `error_class`, `error_code`
  and `reason`, so the file can be found by name and the failure is visible. Transient and
  fatal errors are raised: they are the caller's to retry or to stop on.
- a bare ValueError, TypeError, KeyError, ... raised while a reader parses the content is a
  permanent CorruptFileError naming it (content_errors.py), never an "unexpected" transient;
- a file over `max_file_bytes` is refused on its size (stat) without being hashed, so its
  failed document has an empty sha256.

Containers (archives, e-mail; worker/extraction/archives/containers.py): each member or
attachment is written to a temporary file of a generated name and extracted like any file,
as its own Document (`parent_id`, `container_path`, an id derived from the parent's id and
the member path); the parent lists its `children`. `ExtractionOutcome.children` holds every
document inside, nested ones too, parents before their members.

Documented choices: `content` is the pages' text joined by blank lines; `language` is "ja"
when Japanese script (kana, kanji) makes up at least a fifth of the letters, "en" when there
are Latin letters only, else absent — a search-analyzer hint, not a language detector.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from worker import __version__
from worker.errors import (
    EmptyFileError,
    FileTooLargeError,
    ObjectGoneError,
    PermanentError,
    UnsupportedFileError,
)
from worker.extraction.archives.containers import is_container, unpack, unsupported_archive
from worker.extraction.archives.members import ContainerBudget, Member, Unpacking
from worker.extraction.content_errors import reading_content
from worker.extraction.office.ole2 import ole2_error
from worker.extraction.office.ooxml import embedded_thumbnail
from worker.extraction.office.word_powerpoint import extract_office
from worker.extraction.options import ExtractionOptions
from worker.extraction.result import Extracted
from worker.extraction.sniff import UNKNOWN, FileType, sniff
from worker.extraction.text.reader import extract_text
from worker.models import Document, SourceRef, child_document_id, utc_timestamp

_HASH_CHUNK = 1024 * 1024
_LANGUAGE_SAMPLE = 100_000
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class ExtractionOutcome:
    document: Document  # `thumbnail` is None here: the caller stores the bytes and sets it
    thumbnail_jpeg: bytes | None
    children: tuple[ExtractionOutcome, ...] = ()  # a container: every document inside


@dataclass(frozen=True)
class _Identity:
    """Who a document is: a file named or found, or a member of a container."""

    id: str
    file_name: str
    parent_id: str | None = None
    container_path: str | None = None


@dataclass(frozen=True)
class _Tree:
    """The containers above a file: how deep it sits, what the tree has used."""

    budget: ContainerBudget
    depth: int = 0


@dataclass(frozen=True)
class _FileFacts:
    size_bytes: int
    sha256: str
    file_type: FileType


def _inspect(path: Path, max_bytes: int) -> _FileFacts:
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
    return _FileFacts(size, digest, file_type)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_limits(facts: _FileFacts, options: ExtractionOptions) -> None:
    if facts.size_bytes == 0:
        raise EmptyFileError("the file is empty (0 bytes)")
    if facts.size_bytes > options.max_file_bytes:
        raise FileTooLargeError(f"the file is {facts.size_bytes} bytes; the limit is "
                                f"{options.max_file_bytes} bytes")


def _read(path: Path, file_type: FileType, options: ExtractionOptions) -> Extracted:
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


def _thumbnail(path: Path, file_type: FileType, options: ExtractionOptions) -> bytes | None:
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


def _tree(options: ExtractionOptions) -> _Tree:
    deadline = time.monotonic() + options.file_budget_s
    return _Tree(ContainerBudget(options.containers, deadline))


def _top(source: SourceRef) -> _Identity:
    return _Identity(source.document_id, source.file_name)


def _base_document(source: SourceRef, facts: _FileFacts | None,
                   identity: _Identity | None = None) -> Document:
    """The file's identity, as a failed document until extraction fills it in."""
    identity = identity or _top(source)
    return Document(
        id=identity.id, source=source, file_name=identity.file_name,
        parent_id=identity.parent_id, container_path=identity.container_path,
        mime_type=facts.file_type.mime_type if facts else UNKNOWN.mime_type,
        size_bytes=facts.size_bytes if facts else 0, sha256=facts.sha256 if facts else "",
        content="", pages=(), status="failed", processed_at=utc_timestamp(),
        processor_version=__version__,
    )


@contextmanager
def _timer(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round((time.perf_counter() - started) * 1000, 1)


def _extract(path: Path, source: SourceRef, facts: _FileFacts, options: ExtractionOptions,
             identity: _Identity, tree: _Tree) -> ExtractionOutcome:
    _check_limits(facts, options)
    if is_container(facts.file_type.kind):
        return _extract_container(path, source, facts, options, identity, tree)
    timings: dict[str, float] = {}
    with _timer(timings, "extract"), reading_content(f"the {facts.file_type.kind} file"):
        extracted = _read(path, facts.file_type, options)
    with _timer(timings, "thumbnail"):
        thumbnail = _thumbnail(path, facts.file_type, options)
    content = "\n\n".join(page.text for page in extracted.pages if page.text)
    document = replace(
        _base_document(source, facts, identity), content=content, pages=extracted.pages,
        status=extracted.status, reason=extracted.reason, title=extracted.title,
        language=guess_language(content), encoding=extracted.encoding,
        encoding_confidence=extracted.encoding_confidence, readings=extracted.readings,
        timings_ms={**extracted.timings_ms, **timings},
    )
    return ExtractionOutcome(document, thumbnail)


def _extract_container(path: Path, source: SourceRef, facts: _FileFacts,
                       options: ExtractionOptions, identity: _Identity,
                       tree: _Tree) -> ExtractionOutcome:
    """The container's own document, with every member extracted as a child."""
    timings: dict[str, float] = {}
    with _timer(timings, "extract"), reading_content(f"the {facts.file_type.kind} file"):
        unpacking = unpack(path, facts.file_type, identity.file_name, tree.budget,
                           tree.depth, options.max_file_bytes)
        inside = tuple(_members(unpacking, source, identity, options, tree))
        extracted = unpacking.parent()
    content = "\n\n".join(page.text for page in extracted.pages if page.text)
    document = replace(
        _base_document(source, facts, identity), content=content, pages=extracted.pages,
        status=extracted.status, reason=extracted.reason, title=extracted.title,
        language=guess_language(content), mail=unpacking.headers, timings_ms=timings,
        children=tuple(o.document.id for o in inside if o.document.parent_id == identity.id))
    return ExtractionOutcome(document, None, inside)


def _members(unpacking: Unpacking, source: SourceRef, parent: _Identity,
             options: ExtractionOptions, tree: _Tree) -> Iterator[ExtractionOutcome]:
    """Each member's outcome, then the documents inside it (flattened), in order."""
    seen: Counter[str] = Counter()
    inner = _Tree(tree.budget, tree.depth + 1)
    with tempfile.TemporaryDirectory(prefix="cis-members-") as folder:
        for index, member in enumerate(unpacking.members, start=1):
            seen[member.path] += 1
            key = member.path if seen[member.path] == 1 else f"{member.path}#{seen[member.path]}"
            identity = _Identity(
                child_document_id(parent.id, key), member.path.rsplit("/", 1)[-1], parent.id,
                f"{parent.container_path or parent.file_name}/{member.path}")
            suffix = _SUFFIX.search(member.path)
            temp = Path(folder) / f"member-{index}{suffix.group(0) if suffix else ''}"
            outcome = _member(member, temp, source, identity, options, inner)
            yield replace(outcome, children=())
            yield from outcome.children


def _member(member: Member, temp: Path, source: SourceRef, identity: _Identity,
            options: ExtractionOptions, tree: _Tree) -> ExtractionOutcome:
    """One member through the same extraction as a file; a failed document if it cannot."""
    facts: _FileFacts | None = None
    try:
        if member.error is not None:
            raise member.error
        assert member.save is not None
        with temp.open("wb") as destination:
            member.save(destination)
        facts = _inspect(temp, options.max_file_bytes)
        return _extract(temp, source, facts, options, identity, tree)
    except PermanentError as exc:
        return ExtractionOutcome(failed_document(source, exc, facts, identity), None)
    finally:
        temp.unlink(missing_ok=True)


def extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    """The document of the file at `path`; PermanentError when it cannot be read at all."""
    return _extract(path, source, _inspect(path, options.max_file_bytes), options, _top(source),
                    _tree(options))


def extract_or_record(path: Path, source: SourceRef,
                      options: ExtractionOptions) -> ExtractionOutcome:
    """Like `extract`, but a PermanentError becomes a `status="failed"` document."""
    facts: _FileFacts | None = None
    try:
        facts = _inspect(path, options.max_file_bytes)
        return _extract(path, source, facts, options, _top(source),
                        _tree(options))
    except PermanentError as exc:
        return ExtractionOutcome(failed_document(source, exc, facts), None)


def failed_document(source: SourceRef, error: PermanentError,
                    facts: _FileFacts | None = None,
                    identity: _Identity | None = None) -> Document:
    """The `status="failed"` record of a file that could not be read: findable by name,
    with the error's class, code and reason (also what the queue worker indexes for a file
    it does not download, such as one over the size limit)."""
    return replace(_base_document(source, facts, identity), reason=error.reason,
                   error_class=error.error_class, error_code=error.code)
