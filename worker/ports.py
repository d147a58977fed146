"""The small interfaces the processing service and the queue loop depend on (cosmicpython's
ports).

worker/service.py takes the store, sink and embedder as parameters; worker/queue/ runs on a
MessageQueue. worker/composition.py (the one composition root) wires the AWS adapters (S3,
SQS, OpenSearch, Bedrock) or the local ones (a folder, no embedder). Tests pass fakes of
these ports (or worker/queue/memory.py, the in-memory queue), never patched SDKs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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
    # The children the stored version listed and this one does not (with any an interrupted
    # earlier write left behind): the caller removes them, then calls `children_removed`.
    replaced_children: tuple[str, ...] = ()


def replaced_children(stored: Sequence[str], document: Document) -> tuple[str, ...]:
    """The ids of `stored` (a stored version's children) that `document` no longer lists."""
    kept = set(document.children)
    return tuple(child for child in stored if child not in kept)


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

    def children_removed(self, document_id: str, removed: Sequence[str]) -> None:
        """The caller removed these `replaced_children` of the document: the sink may forget
        them (until then, every write of the document reports them again)."""
        ...


class Embedder(Protocol):
    """Turns document text into vectors (Bedrock Titan in production)."""

    model_id: str

    def embed(self, text: str) -> tuple[float, ...]:
        """One vector for the text (long text chunked inside). TransientError when
        throttled."""
        ...


@dataclass(frozen=True)
class ReceivedMessage:
    """One delivery of a queue message: the receipt handle is this delivery's."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    sent_at: datetime | None


@dataclass(frozen=True)
class BatchFailure:
    """An entry of a batch call that did not happen (the rest did)."""

    message_id: str
    code: str


class MessageQueue(Protocol):
    """The work queue (SQS in production, worker/queue/memory.py in tests). Receiving hides
    a message for `visibility_s`; unless it is deleted it is delivered again afterwards, and
    the queue's redrive policy moves it to the DLQ after its last allowed receive."""

    url: str

    def receive(self, max_messages: int, wait_s: int,
                visibility_s: int) -> list[ReceivedMessage]:
        """Up to `max_messages` (1-10), waiting up to `wait_s` for the first. TransientError
        when the queue cannot be reached; ConfigurationError when it does not exist."""
        ...

    def delete(self, messages: Sequence[ReceivedMessage]) -> list[BatchFailure]:
        """Acknowledge; a stale receipt handle fails that entry."""
        ...

    def change_visibility(self, messages: Sequence[ReceivedMessage],
                          timeout_s: int) -> list[BatchFailure]:
        """Hidden for `timeout_s` more from now (0: visible at once)."""
        ...

    def max_receives(self) -> int | None:
        """The receives after which the queue dead-letters a message (its redrive policy's
        maxReceiveCount); None when it has none or it cannot be read."""
        ...
