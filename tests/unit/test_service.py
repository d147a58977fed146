"""The processing service on in-memory fakes of its ports (no AWS, no processes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.fakes import fake_extract
from worker import metric_names
from worker.errors import (
    DocumentRejectedError,
    FileTooLargeError,
    ObjectGoneError,
    PermanentError,
    StaleEventError,
    ThrottledError,
    TooSlowError,
    WorkerError,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome
from worker.messages import ObjectEvent
from worker.models import Document, SourceRef
from worker.observability import FileMetrics, emit_metrics
from worker.ports import StoredObject, WriteResult, replaced_children
from worker.service import ProcessingService


class MemoryStore:
    def __init__(self, objects: dict[str, bytes], error: WorkerError | None = None) -> None:
        self.objects = objects
        self.error = error
        self.thumbnails: dict[str, bytes] = {}

    def download(self, source: SourceRef, dest_dir: Path, max_bytes: int) -> StoredObject:
        if self.error:
            raise self.error
        if source.key not in self.objects:
            raise ObjectGoneError(source.uri)
        path = dest_dir / "source.txt"
        path.write_bytes(self.objects[str(source.key)])
        return StoredObject(path, path.stat().st_size, version_id="v9")

    def put_thumbnail(self, document_id: str, jpeg: bytes) -> str:
        self.thumbnails[document_id] = jpeg
        return f"thumbnails/{document_id}.jpg"

    def delete_thumbnail(self, document_id: str) -> None:
        self.thumbnails.pop(document_id, None)

    def exists(self, source: SourceRef) -> bool:
        return source.key in self.objects


class MemorySink:
    def __init__(self, answer: WriteResult | None = None) -> None:
        self.documents: dict[str, Document] = {}
        self.answer = answer
        self.reads = 0  # stored_children calls: each is an index round trip in production
        self.removals: list[tuple[str, tuple[str, ...]]] = []

    def write(self, documents: Sequence[Document]) -> list[WriteResult]:
        if self.answer:
            return [self.answer]
        results = []
        for document in documents:
            stored = self.documents.get(document.id)
            self.documents[document.id] = document
            results.append(WriteResult(document.id, replaced_children=replaced_children(
                stored.children if stored else (), document)))
        return results

    def delete(self, source: SourceRef) -> None:
        self.documents.pop(source.document_id, None)

    def children_removed(self, document_id: str, removed: Sequence[str]) -> None:
        self.removals.append((document_id, tuple(removed)))

    def stored_children(self, document_id: str) -> list[str]:
        self.reads += 1
        stored = self.documents.get(document_id)
        children = list(stored.children) if stored else []
        return [found for child in children for found in (child, *self.stored_children(child))]

    def delete_documents(self, source: SourceRef, document_ids: Sequence[str]) -> list[str]:
        return [doc_id for doc_id in document_ids if self.documents.pop(doc_id, None)]


class Embedder:
    model_id = "test-model"

    def __init__(self, error: WorkerError | None = None) -> None:
        self.error = error

    def embed(self, text: str) -> tuple[float, ...]:
        if self.error:
            raise self.error
        return (float(len(text)), 1.0)


def event(kind: str = "created", key: str = "a/見積書.txt", size: int = 9) -> ObjectEvent:
    return ObjectEvent(kind, SourceRef(bucket="landing", key=key, sequencer="0A"),  # type: ignore[arg-type]
                       size_bytes=size)


def service(store: MemoryStore, sink: MemorySink, embedder: Embedder | None = None,
            tmp: Path | None = None) -> ProcessingService:
    return ProcessingService(store, sink, embedder, fake_extract, ExtractionOptions(),
                             work_dir=tmp)


@pytest.fixture(autouse=True)
def output_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path))  # where fake_extract logs


def test_created_event_writes_document_thumbnail_and_embedding() -> None:
    store, sink = MemoryStore({"a/見積書.pdf": "見積".encode()}), MemorySink()
    metrics = service(store, sink, Embedder()).handle(event(key="a/見積書.pdf"))
    [document] = sink.documents.values()
    assert document.content == "見積" and document.source.version_id == "v9"
    assert document.thumbnail == f"thumbnails/{document.id}.jpg" and store.thumbnails
    assert document.embedding == (2.0, 1.0) and document.embedding_model == "test-model"
    assert metrics.outcome == "indexed" and metrics.bytes_downloaded == 6
    assert metrics.error_class is None and metrics.processing_ms >= 0


def test_deleted_event_removes_document_and_thumbnail_unless_key_is_back() -> None:
    store, sink = MemoryStore({"a/見積書.txt": b"x"}), MemorySink()
    service(store, sink).handle(event())
    assert service(store, sink).handle(event("deleted")).outcome == "stale"  # still exists
    assert sink.documents
    del store.objects["a/見積書.txt"]
    assert service(store, sink).handle(event("deleted")).outcome == "deleted"
    assert not sink.documents and not store.thumbnails


@pytest.mark.parametrize(("error", "outcome"), [(ObjectGoneError("x"), "gone"),
                                                (StaleEventError("x"), "stale")])
def test_gone_and_stale_objects_are_acknowledged_without_a_document(
        error: WorkerError, outcome: str) -> None:
    sink = MemorySink()
    assert service(MemoryStore({}, error), sink).handle(event()).outcome == outcome
    assert not sink.documents


def test_too_large_file_is_recorded_as_failed_document_findable_by_name() -> None:
    sink = MemorySink()
    metrics = service(MemoryStore({}, FileTooLargeError("too big")), sink).handle(
        event(size=10**10))
    [document] = sink.documents.values()
    assert document.status == "failed" and document.error_class == "permanent"
    assert document.error_code == "too-large" and document.mime_type == "text/plain"
    assert document.file_name == "見積書.txt" and document.size_bytes == 10**10
    assert metrics.outcome == "recorded" and metrics.error_class == "permanent"


def test_transient_errors_propagate_for_a_retry() -> None:
    store = MemoryStore({"a/見積書.txt": b"x"})
    with pytest.raises(ThrottledError):
        service(store, MemorySink(), Embedder(ThrottledError("slow down"))).handle(event())
    down = MemorySink(WriteResult("id", ThrottledError("index busy")))
    with pytest.raises(ThrottledError):
        service(store, down).handle(event())


def test_refused_embedding_still_indexes_the_text() -> None:
    store, sink = MemoryStore({"a/見積書.txt": b"text"}), MemorySink()
    service(store, sink, Embedder(PermanentError("input too long"))).handle(event())
    [document] = sink.documents.values()
    assert document.embedding is None and document.content == "text"


def test_rejected_and_stale_writes_are_reported() -> None:
    store = MemoryStore({"a/見積書.txt": b"x"})
    rejected = MemorySink(WriteResult("id", DocumentRejectedError("mapping")))
    metrics = service(store, rejected).handle(event())
    assert metrics.outcome == "rejected" and metrics.error_class == "permanent"
    assert service(store, MemorySink(WriteResult("id", stale=True))).handle(
        event()).outcome == "stale"


def test_emf_lines_name_the_alarm_metrics(capsys: pytest.CaptureFixture[str]) -> None:
    emit_metrics([FileMetrics("indexed", pages=3, pages_ocr=1, processing_ms=12.0),
                  FileMetrics("recorded", error_class="permanent"),
                  FileMetrics("retry", error_class="transient")], "prod")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    main, permanent, transient = lines
    assert main["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Environment"]]
    assert main[metric_names.FILES_PROCESSED] == [1.0] and main[metric_names.FILES_FAILED] == [
        1.0, 1.0]
    assert main[metric_names.PAGES_OCRED] == [1.0, 0.0]
    assert (permanent["ErrorClass"], transient["ErrorClass"]) == ("permanent", "transient")
    assert permanent["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [
        ["Environment", "ErrorClass"]]


def test_an_archive_is_written_with_its_children_and_removed_with_them(tmp_path: Path) -> None:
    from tests.archive_files import write_zip
    from worker.extraction.pipeline import extract_or_record

    first = write_zip(tmp_path / "v1.zip", {"見積書.txt": "見積".encode(),
                                            "古い/議事録.txt": "議事録".encode()})
    second = write_zip(tmp_path / "v2.zip", {"見積書.txt": "見積 改訂".encode(),
                                             "新規.txt": "新規".encode()})
    store, sink = MemoryStore({"a/見積書.txt": first.read_bytes()}), MemorySink()
    real = ProcessingService(store, sink, None, extract_or_record, ExtractionOptions())
    real.handle(event())
    parent_id = event().document_id
    names = {d.container_path for d in sink.documents.values() if d.parent_id == parent_id}
    assert names == {"見積書.txt/見積書.txt", "見積書.txt/古い/議事録.txt"}
    store.objects["a/見積書.txt"] = second.read_bytes()  # overwritten: 議事録 is gone
    real.handle(event())
    real.handle(event())  # a replay changes nothing
    names = {d.container_path for d in sink.documents.values() if d.parent_id == parent_id}
    assert names == {"見積書.txt/見積書.txt", "見積書.txt/新規.txt"}
    assert len(sink.documents) == 3
    store.error = FileTooLargeError("now over the limit")  # the next version is too large
    real.handle(event())
    assert list(sink.documents) == [parent_id]
    assert sink.documents[parent_id].error_code == "too-large"
    store.error = None
    real.handle(event())
    assert len(sink.documents) == 3
    del store.objects["a/見積書.txt"]
    assert real.handle(event("deleted")).outcome == "deleted"
    assert sink.documents == {}


def test_a_plain_file_costs_no_read_and_replacing_an_archive_removes_its_members(
        tmp_path: Path) -> None:
    """The common path (a file that is no container and never was one) writes without
    reading the stored document first; a text file written over an archive under the same
    key still removes the archive's members, nested ones too, and their thumbnails."""
    from tests.archive_files import write_zip
    from worker.extraction.pipeline import extract_or_record

    inner = write_zip(tmp_path / "inner.zip", {"深い/メモ.txt": "メモ".encode()})
    archive = write_zip(tmp_path / "v1.zip", {"見積書.txt": "見積".encode(),
                                              "資料.zip": inner.read_bytes()})
    store, sink = MemoryStore({"a/見積書.txt": "ただの文書".encode()}), MemorySink()
    real = ProcessingService(store, sink, None, extract_or_record, ExtractionOptions())
    real.handle(event())
    real.handle(event())  # a replay of a plain file: still no read
    assert (sink.reads, list(sink.documents)) == (0, [event().document_id])
    store.objects["a/見積書.txt"] = archive.read_bytes()
    real.handle(event())
    assert len(sink.documents) == 4  # the zip, its two members, the nested zip's member
    store.thumbnails.update({doc_id: b"jpeg" for doc_id in sink.documents})
    store.objects["a/見積書.txt"] = "改訂版の文書".encode()
    assert real.handle(event()).outcome == "indexed"
    assert list(sink.documents) == [event().document_id]
    assert list(store.thumbnails) == [event().document_id]
    # the zip's own two members were reported and removed; the nested member was found
    assert [(doc_id, len(ids)) for doc_id, ids in sink.removals] == [(event().document_id, 2)]


def test_a_text_file_gets_no_thumbnail_and_a_corrupt_file_a_failed_document() -> None:
    store = MemoryStore({"a/見積書.txt": b"text", "b/broken.pdf": b"corrupt"})
    sink = MemorySink()
    service(store, sink).handle(event())
    metrics = service(store, sink).handle(event(key="b/broken.pdf"))
    text, broken = sink.documents.values()
    assert text.thumbnail is None and not store.thumbnails
    assert (broken.status, broken.error_code) == ("failed", "corrupt")
    assert metrics.outcome == "recorded" and metrics.error_class == "permanent"


def test_a_file_past_the_memory_limit_is_a_failed_too_large_document(tmp_path: Path) -> None:
    def hungry(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
        raise MemoryError()

    sink = MemorySink()
    store = MemoryStore({"a/見積書.txt": b"x" * 5})
    metrics = ProcessingService(store, sink, None, hungry, ExtractionOptions()).handle(event())
    [document] = sink.documents.values()
    assert (document.status, document.error_code) == ("failed", "too-large")
    assert "memory" in (document.reason or "") and document.size_bytes == 5
    assert metrics.outcome == "recorded"


def test_record_failure_writes_the_failed_document_of_a_created_event() -> None:
    sink = MemorySink()
    svc = service(MemoryStore({}), sink)
    metrics = svc.record_failure(event(size=42), TooSlowError("past the hard cap"))
    [document] = sink.documents.values()
    assert (document.status, document.error_code, document.reason) == (
        "failed", "too-slow", "past the hard cap")
    assert document.size_bytes == 42 and document.mime_type == "text/plain"
    assert metrics.outcome == "recorded"
    assert svc.record_failure(event("deleted"), TooSlowError("x")).outcome == "skipped"
