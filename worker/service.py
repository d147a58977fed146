"""Process one object event with injected ports: the queue worker's unit of work.

`Object Created`: download (checked against S3's current state) → extract_or_record →
thumbnail to the store → optional embedding → write to the sink, with the file's child
documents (archive members, mail attachments) written before it; children that an earlier
version had and this one has not are removed next — the sink names them in its answer to
the write (`WriteResult.replaced_children`), so no read precedes a write. `Object Deleted`:
remove the document, its children and their thumbnails, unless the key exists again (then
the delete is older than the re-creation). Children carry the file's own source and event
order, so the sink's ordering rule covers them too. Permanent problems with the file end as
a document with `status="failed"` and its reason, so the file can still be found by name —
also when it needs more memory than the process may use (`too-large`), or when it killed or
outlasted its pool process (`record_failure`, called by the queue loop); a gone object or a
stale event is acknowledged; transient errors propagate (the message is retried). Nothing
here knows about SQS, AWS or processes (cosmicpython): worker/composition.py wires the real
adapters, tests pass fakes of worker/ports.py.
"""

from __future__ import annotations

import dataclasses
import logging
import mimetypes
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from worker import limits, tracing
from worker.errors import (
    FileTooLargeError,
    ObjectGoneError,
    PermanentError,
    StaleEventError,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, failed_document
from worker.messages import ObjectEvent
from worker.models import Document, SourceRef
from worker.observability import FileMetrics
from worker.ports import DocumentSink, Embedder, ObjectStore, WriteResult

log = logging.getLogger(__name__)
WRITE_BATCH = 200  # documents per bulk request: an archive of 10,000 members is 50 requests

Extractor = Callable[[Path, SourceRef, ExtractionOptions], ExtractionOutcome]


class ProcessingService:
    def __init__(self, store: ObjectStore, sink: DocumentSink, embedder: Embedder | None,
                 extract: Extractor, options: ExtractionOptions,
                 work_dir: Path | None = None) -> None:
        self._store = store
        self._sink = sink
        self._embedder = embedder
        self._extract = extract
        self._options = options
        self._work_dir = work_dir

    def handle(self, event: ObjectEvent) -> FileMetrics:
        """Apply one event. Raises TransientError (retry) or FatalError (stop)."""
        started = time.monotonic()
        if str(event.source.key).endswith("/"):  # a folder placeholder, not a file
            return FileMetrics("skipped")
        if event.kind == "deleted":
            metrics = self._delete(event)
        else:
            with tempfile.TemporaryDirectory(prefix="cis-", dir=self._work_dir) as tmp:
                metrics = self._create(event, Path(tmp))
        return dataclasses.replace(metrics, processing_ms=_ms_since(started),
                                   event_age_ms=_age_ms(event))

    def record_failure(self, event: ObjectEvent, error: PermanentError) -> FileMetrics:
        """Write the failed document of a file whose processing could not finish (it killed
        or outlasted its process); nothing for a delete event."""
        if event.kind == "deleted":
            return FileMetrics("skipped")
        document = _unread_document(event.source, error, event.size_bytes)
        log.error("file recorded as failed", extra=error.to_dict())
        return self._write([document], FileMetrics("recorded", error_class="permanent"))

    def _delete(self, event: ObjectEvent) -> FileMetrics:
        if self._store.exists(event.source):
            log.info("delete event is older than the current object; kept the document")
            return FileMetrics("stale")
        with tracing.span("index"):  # children first: a replay still finds them
            children = self._sink.stored_children(event.document_id)
            removed = self._sink.delete_documents(event.source, children) if children else []
            self._sink.delete(event.source)
        with tracing.span("thumbnail"):
            for document_id in (*removed, event.document_id):
                self._store.delete_thumbnail(document_id)
        log.info("document deleted", extra={"children": len(removed)})
        return FileMetrics("deleted")

    def _remove_replaced(self, source: SourceRef, results: list[WriteResult],
                         kept: set[str]) -> None:
        """An overwrite: remove the children (and theirs in turn) that the stored versions
        listed and the new ones do not — the sink reports them with the write, so a file
        that never had children costs no read. The sink keeps reporting them until
        `children_removed`, so a replay after a crash still removes them."""
        replacing = [result for result in results if result.replaced_children]
        if not replacing:
            return
        with tracing.span("index"):
            gone = [found for result in replacing for child in result.replaced_children
                    for found in (child, *self._sink.stored_children(child))]
            removed = self._sink.delete_documents(
                source, [child for child in dict.fromkeys(gone) if child not in kept])
            for result in replacing:
                self._sink.children_removed(result.document_id, result.replaced_children)
        for child in removed:
            self._store.delete_thumbnail(child)
        log.info("children removed", extra={"children": len(removed)})

    def _create(self, event: ObjectEvent, tmp: Path) -> FileMetrics:
        source = event.source
        try:
            with tracing.span("download"):
                stored = self._store.download(source, tmp, self._options.max_file_bytes)
        except (ObjectGoneError, StaleEventError) as exc:
            log.info("event skipped", extra={"reason": exc.reason, "code": exc.code})
            return FileMetrics("gone" if isinstance(exc, ObjectGoneError) else "stale")
        except FileTooLargeError as exc:  # never downloaded: its type is guessed by name
            document = _unread_document(source, exc, event.size_bytes)
            return self._write([document], FileMetrics("recorded", error_class="permanent"))
        source = dataclasses.replace(source, version_id=stored.version_id or source.version_id)
        extract_start = tracing.now()
        with tracing.span("extract"):
            outcome = self._extract_within_memory(stored.path, source)
            document = outcome.document
            metrics = _extraction_metrics(document, stored.size_bytes)
            tracing.record_span("ocr", extract_start, metrics.ocr_ms / 1000.0,
                                pages=metrics.pages_ocr)
        family = [self._finish(each) for each in (outcome, *outcome.children)]
        return self._write(family, metrics)

    def _finish(self, outcome: ExtractionOutcome) -> Document:
        """The document with its stored thumbnail and its embedding."""
        document = outcome.document
        if outcome.thumbnail_jpeg:
            with tracing.span("thumbnail"):
                key = self._store.put_thumbnail(document.id, outcome.thumbnail_jpeg)
            document = dataclasses.replace(document, thumbnail=key)
        return self._embed(document)

    def _extract_within_memory(self, path: Path, source: SourceRef) -> ExtractionOutcome:
        try:
            return self._extract(path, source, self._options)
        except MemoryError as exc:  # the file's own content: retrying cannot help
            error = limits.too_large(exc)
            log.error("file needs too much memory", extra=error.to_dict())
            document = dataclasses.replace(failed_document(source, error),
                                           size_bytes=path.stat().st_size)
            return ExtractionOutcome(document, None)

    def _embed(self, document: Document) -> Document:
        if self._embedder is None or document.status == "failed" or not document.content.strip():
            return document
        try:
            with tracing.span("embed"):
                vector = self._embedder.embed(document.content)
        except PermanentError as exc:  # e.g. refused input: index the text without a vector
            log.warning("embedding refused", extra={"reason": exc.reason, "code": exc.code})
            return document
        return dataclasses.replace(document, embedding=vector,
                                   embedding_model=self._embedder.model_id)

    def _write(self, documents: list[Document], metrics: FileMetrics) -> FileMetrics:
        """Write the file's children (bulk requests of WRITE_BATCH), then its document, so
        the `children` it lists are there when it is."""
        children: list[WriteResult] = []
        with tracing.span("index"):
            for start in range(1, len(documents), WRITE_BATCH):
                children.extend(self._sink.write(documents[start:start + WRITE_BATCH]))
            [result] = self._sink.write(documents[:1])
        for child in children:
            if child.error is not None and child.error.retryable:
                raise child.error  # the whole file again: the writes are idempotent
            if child.error is not None:
                log.error("child document rejected", extra={**child.error.to_dict(),
                                                            "document_id": child.document_id})
        document = documents[0]
        written = [each for each in (*children, result) if each.error is None and not each.stale]
        self._remove_replaced(document.source, written, {each.id for each in documents})
        if result.error is not None:
            if not isinstance(result.error, PermanentError):
                raise result.error
            log.error("document rejected", extra=result.error.to_dict())
            return dataclasses.replace(metrics, outcome="rejected",
                                       error_class=result.error.error_class)
        if result.stale:
            log.info("a newer event already wrote this document")
            return dataclasses.replace(metrics, outcome="stale")
        log.info("document written", extra={"status": document.status,
                                            "pages": document.page_count,
                                            "reason": document.reason,
                                            "children": len(documents) - 1})
        return metrics


def _unread_document(source: SourceRef, error: PermanentError, size: int | None) -> Document:
    """The failed document of a file not read to the end: its type is guessed by name."""
    return dataclasses.replace(
        failed_document(source, error), size_bytes=size or 0,
        mime_type=mimetypes.guess_type(source.file_name)[0] or "application/octet-stream")


def _extraction_metrics(document: Document, bytes_downloaded: int) -> FileMetrics:
    failed = document.status == "failed"
    return FileMetrics(
        "recorded" if failed else "indexed", error_class="permanent" if failed else None,
        pages=document.page_count,
        pages_ocr=sum(1 for page in document.pages if page.method == "ocr"),
        ocr_ms=float(document.timings_ms.get("ocr", 0.0)), bytes_downloaded=bytes_downloaded)


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000.0, 1)


def _age_ms(event: ObjectEvent) -> float | None:
    if event.event_time is None:
        return None
    return round((datetime.now(UTC) - event.event_time).total_seconds() * 1000.0, 1)
