"""A folder as the output: documents as JSON files, thumbnails as JPEGs (no AWS at all).

Used by `cis-worker process` and by the queue worker's dry run (OUTPUT_DIR), where it stands
in for the search index as a DocumentSink (worker/ports.py):

    OUT/documents/<id>.json     Document.to_dict(), UTF-8, Japanese as is (ensure_ascii off)
    OUT/thumbnails/<id>.jpg     the thumbnail; Document.thumbnail = "thumbnails/<id>.jpg"
    OUT/tombstones/<id>.json    the sequencer of a delete, so a late older create stays dead

Every file is written to a temporary name in the same folder, flushed and renamed, so a
reader never sees half a document. Ordering (DESIGN.md, Messages): S3 sequencers are hex
strings of varying length; they are compared zero-padded (`worker.models.is_older`). An
event without a sequencer (local files, backfill) has no order and always writes. Version
ids are opaque in S3 and cannot be ordered, so they are not compared. A lock file
serialises the compare-and-write of concurrent worker processes writing to the same folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from worker.errors import WorkerError, classify
from worker.models import Document, SourceRef, is_older
from worker.ports import WriteResult, replaced_children


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


class LocalOutput:
    """documents/, thumbnails/ and tombstones/ under `out_dir`; a DocumentSink."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.documents_dir = out_dir / "documents"
        self.thumbnails_dir = out_dir / "thumbnails"
        self.tombstones_dir = out_dir / "tombstones"
        for folder in (self.documents_dir, self.thumbnails_dir):
            folder.mkdir(parents=True, exist_ok=True)

    # -- thumbnails (the ObjectStore side of a local run) ----------------------------------

    def put_thumbnail(self, document_id: str, jpeg: bytes) -> str:
        """Write the thumbnail; return its path relative to the output folder."""
        relative = f"thumbnails/{document_id}.jpg"
        atomic_write(self.out_dir / relative, jpeg)
        return relative

    def delete_thumbnail(self, document_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.thumbnails_dir / f"{document_id}.jpg").unlink()

    # -- documents (DocumentSink) ---------------------------------------------------------

    def document_path(self, document_id: str) -> Path:
        return self.documents_dir / f"{document_id}.json"

    def read(self, document_id: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(self.document_path(document_id).read_bytes())
        except FileNotFoundError:
            return None
        return data

    def write(self, documents: Sequence[Document]) -> list[WriteResult]:
        """Write each document unless what is stored (or deleted) comes from a newer event."""
        results = []
        with self._locked():
            for document in documents:
                results.append(self._write_one(document))
        return results

    def delete(self, source: SourceRef) -> None:
        """Remove the document and thumbnail of `source`, unless a newer event wrote (or
        deleted) it."""
        self.delete_documents(source, [source.document_id])

    def delete_documents(self, source: SourceRef, document_ids: Sequence[str]) -> list[str]:
        """Remove these documents (and thumbnails) of `source`'s file, each unless a newer
        event wrote (or deleted) it; the ids removed."""
        removed = []
        with self._locked():
            for document_id in document_ids:
                if is_older(source.sequencer, self._newest_known(document_id)):
                    continue
                if source.sequencer:
                    tombstone = {"sequencer": source.sequencer}
                    atomic_write(self.tombstones_dir / f"{document_id}.json",
                                 json.dumps(tombstone).encode())
                with contextlib.suppress(FileNotFoundError):
                    self.document_path(document_id).unlink()
                self.delete_thumbnail(document_id)
                removed.append(document_id)
        return removed

    def children_removed(self, document_id: str, removed: Sequence[str]) -> None:
        """Nothing to forget: `write` reads the replaced children from the file it replaces
        (a dry run keeps no marker, so a crash between the two can leave a member file)."""

    def stored_children(self, document_id: str) -> list[str]:
        """Every stored descendant, from the `children` of the stored documents."""
        found: list[str] = []
        wanted = [document_id]
        while wanted:
            stored = [self.read(doc_id) for doc_id in wanted]
            wanted = [child for body in stored if body for child in body.get("children", ())
                      if child not in found]
            found.extend(wanted)
        return found

    def _newest_known(self, document_id: str) -> str | None:
        stored = self.read(document_id)
        if stored is not None:
            sequencer: str | None = stored.get("source", {}).get("sequencer")
            return sequencer
        try:
            tombstone = json.loads((self.tombstones_dir / f"{document_id}.json").read_bytes())
        except FileNotFoundError:
            return None
        deleted: str | None = tombstone.get("sequencer")
        return deleted

    def _write_one(self, document: Document) -> WriteResult:
        try:
            if is_older(document.source.sequencer, self._newest_known(document.id)):
                return WriteResult(document.id, stale=True)
            stored = self.read(document.id) or {}
            body = json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"
            atomic_write(self.document_path(document.id), body.encode("utf-8"))
        except (OSError, ValueError) as exc:
            error: WorkerError = classify(exc)
            return WriteResult(document.id, error=error)
        return WriteResult(document.id, replaced_children=replaced_children(
            stored.get("children", ()), document))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with (self.out_dir / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
