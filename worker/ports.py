"""The small interfaces the processing service depends on (cosmicpython's ports).

worker/service.py takes these as parameters; worker/composition.py (the one composition root)
wires the AWS adapters (S3, OpenSearch, Bedrock) or the local ones (a folder, no embedder).
Tests pass fakes of these ports, never patched SDKs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from worker.errors import WorkerError
from worker.models import Document, SourceRef


@dataclass(frozen=True)
class StoredObject:
    """What a download produced: the local copy and what the store said about it."""

    path: Path
    size_bytes: int
    version_id: str | None = None
    content_type: str | None = None


class ObjectStore(Protocol):
    """Where source files come from and thumbnails go (S3 in production)."""

    def download(self, source: SourceRef, dest_dir: Path, max_bytes: int) -> StoredObject:
        """Fetch the object (by version when the source has one). ObjectGoneError if absent,
        FileTooLargeError past max_bytes, TransientError for throttling and 5xx."""
        ...

    def put_thumbnail(self, document_id: str, jpeg: bytes) -> str:
        """Store a thumbnail; return its key (DESIGN: thumbnails/<id>.jpg)."""
        ...

    def delete_thumbnail(self, document_id: str) -> None: ...

    def exists(self, source: SourceRef) -> bool:
        """Whether the key has a current object now (not deleted, no delete marker): an
        `Object Deleted` event for a key that exists again is older than its re-creation."""
        ...


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing one document: `error` is None when it was written (or when
    it was older than what the sink holds, and `stale` says so)."""

    document_id: str
    error: WorkerError | None = None
    stale: bool = False


class DocumentSink(Protocol):
    """Where documents go: the search index, or a folder of JSON files for a dry run."""

    def write(self, documents: Sequence[Document]) -> list[WriteResult]:
        """Write a batch; one result per document, in order. An older event (by the
        source's sequencer, `worker.models.is_older`) never overwrites a newer document."""
        ...

    def delete(self, source: SourceRef) -> None:
        """Remove the document of this source, unless a newer event wrote it."""
        ...

    def stored_children(self, document_id: str) -> list[str]:
        """The ids of the documents stored as inside this one (archive members, mail
        attachments, and theirs in turn), read from the stored `children` lists as they are
        now (not from a search that may lag)."""
        ...

    def delete_documents(self, source: SourceRef, document_ids: Sequence[str]) -> list[str]:
        """Remove these documents (children of `source`'s file) under `source`'s event
        order; return the ids really removed (not those a newer event wrote)."""
        ...


class Embedder(Protocol):
    """Turns document text into vectors (Bedrock Titan in production)."""

    model_id: str

    def embed(self, text: str) -> tuple[float, ...]:
        """One vector for the text (long text chunked inside). TransientError when
        throttled."""
        ...
