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

import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from worker import __version__
from worker.errors import PermanentError
from worker.extraction.archives.containers import is_container, unpack
from worker.extraction.archives.members import ContainerBudget, Member, Unpacking
from worker.extraction.content_errors import reading_content
from worker.extraction.file_reading import (
    FileFacts,
    check_limits,
    guess_language,
    inspect,
    make_thumbnail,
    read_by_type,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.sniff import UNKNOWN
from worker.models import Document, SourceRef, child_document_id, utc_timestamp

__all__ = ["ExtractionOutcome", "extract", "extract_or_record", "failed_document",
           "guess_language"]

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


def _tree(options: ExtractionOptions) -> _Tree:
    deadline = time.monotonic() + options.file_budget_s
    return _Tree(ContainerBudget(options.containers, deadline))


def _top(source: SourceRef) -> _Identity:
    return _Identity(source.document_id, source.file_name)


def _base_document(source: SourceRef, facts: FileFacts | None,
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


def _extract(path: Path, source: SourceRef, facts: FileFacts, options: ExtractionOptions,
             identity: _Identity, tree: _Tree) -> ExtractionOutcome:
    check_limits(facts, options)
    if is_container(facts.file_type.kind):
        return _extract_container(path, source, facts, options, identity, tree)
    timings: dict[str, float] = {}
    with _timer(timings, "extract"), reading_content(f"the {facts.file_type.kind} file"):
        extracted = read_by_type(path, facts.file_type, options)
    with _timer(timings, "thumbnail"):
        thumbnail = make_thumbnail(path, facts.file_type, options)
    content = "\n\n".join(page.text for page in extracted.pages if page.text)
    document = replace(
        _base_document(source, facts, identity), content=content, pages=extracted.pages,
        status=extracted.status, reason=extracted.reason, title=extracted.title,
        language=guess_language(content), encoding=extracted.encoding,
        encoding_confidence=extracted.encoding_confidence, readings=extracted.readings,
        timings_ms={**extracted.timings_ms, **timings},
    )
    return ExtractionOutcome(document, thumbnail)


def _extract_container(path: Path, source: SourceRef, facts: FileFacts,
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
    facts: FileFacts | None = None
    try:
        if member.error is not None:
            raise member.error
        assert member.save is not None
        with temp.open("wb") as destination:
            member.save(destination)
        facts = inspect(temp, options.max_file_bytes)
        return _extract(temp, source, facts, options, identity, tree)
    except PermanentError as exc:
        return ExtractionOutcome(failed_document(source, exc, facts, identity), None)
    finally:
        temp.unlink(missing_ok=True)


def extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    """The document of the file at `path`; PermanentError when it cannot be read at all."""
    return _extract(path, source, inspect(path, options.max_file_bytes), options, _top(source),
                    _tree(options))


def extract_or_record(path: Path, source: SourceRef,
                      options: ExtractionOptions) -> ExtractionOutcome:
    """Like `extract`, but a PermanentError becomes a `status="failed"` document."""
    facts: FileFacts | None = None
    try:
        facts = inspect(path, options.max_file_bytes)
        return _extract(path, source, facts, options, _top(source),
                        _tree(options))
    except PermanentError as exc:
        return ExtractionOutcome(failed_document(source, exc, facts), None)


def failed_document(source: SourceRef, error: PermanentError,
                    facts: FileFacts | None = None,
                    identity: _Identity | None = None) -> Document:
    """The `status="failed"` record of a file that could not be read: findable by name,
    with the error's class, code and reason (also what the queue worker indexes for a file
    it does not download, such as one over the size limit)."""
    return replace(_base_document(source, facts, identity), reason=error.reason,
                   error_class=error.error_class, error_code=error.code)
