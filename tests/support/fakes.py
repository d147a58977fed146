"""Fakes of our own ports (worker/ports.py) and of the extractor, for the queue worker tests.

The S3 side stays real (S3ObjectStore against moto); these stand in for the parts owned by
others while they are built, and give the fault tests handles that a real part has not:
- `FileSink` writes documents as JSON files and logs every write (to count "exactly once");
  like the real index it keeps the newest event: a write or delete older (by sequencer)
  than what it holds is `stale`, and a delete leaves a tombstone (OUTPUT_DIR/tombstones/)
  that an older write cannot pass. While OUTPUT_DIR/sink-down exists it answers with a
  transient error, like an index that is down; when the file holds a number N, only the
  next N writes fail (a recovery that the test decides, not the clock).
- `fake_extract` keeps the real extractor's contract (`extract_or_record`): a text file
  becomes a one-page document with no thumbnail (only pictures and PDFs get one, as in the
  real pipeline), a bad file becomes a `failed` document, and a fatal error is raised. It
  logs its start and end to OUTPUT_DIR/extract.log (to see whether two runs overlapped).
  The file's text drives it: `crash` kills the pool process that reads it; `corrupt` is a
  corrupt file; `fatal` is a missing program; `bug` an unforeseen ValueError (transient
  by classification, so retried until the DLQ); `hog` allocates past any memory limit of
  its process (a real MemoryError, as a decoder meets it); `wait-for <name>` marks itself started
  (`<name>.started` in OUTPUT_DIR) and blocks until OUTPUT_DIR/<name> exists: a "long
  file" whose end the test decides, with no timing.
- `FolderStore` is the object store as a folder (OUTPUT_DIR/objects/<bucket>/<key>), for
  the loop's unit tests on the in-memory queue (worker/queue/memory.py).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from worker.composition import build_options, build_store
from worker.config import Settings
from worker.errors import (
    CorruptFileError,
    FileTooLargeError,
    MissingProgramError,
    ObjectGoneError,
    PermanentError,
    ServiceUnavailableError,
)
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, failed_document
from worker.models import Document, Page, SourceRef, is_older
from worker.ports import StoredObject, WriteResult, replaced_children
from worker.service import ProcessingService

TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def _atomic_write(path: Path, text: str) -> None:
    """As the real local output does: a reader never sees half a document."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


class FileSink:
    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        (out_dir / "documents").mkdir(parents=True, exist_ok=True)

    def _path(self, document_id: str) -> Path:
        return self.out / "documents" / f"{document_id}.json"

    def _log(self, line: dict[str, object]) -> None:
        with (self.out / "writes.log").open("a", encoding="utf-8") as log:
            log.write(json.dumps(line, ensure_ascii=False) + "\n")

    def write(self, documents: Sequence[Document]) -> list[WriteResult]:
        results = []
        for document in documents:
            if self._down():
                self._log({"id": document.id, "refused": True})
                results.append(WriteResult(document.id, ServiceUnavailableError("sink down")))
                continue
            path = self._path(document.id)
            if is_older(document.source.sequencer, self._newest(document.id)):
                self._log({"id": document.id, "stale": True})
                results.append(WriteResult(document.id, stale=True))
                continue
            stored = json.loads(path.read_text("utf-8")).get("children", []) \
                if path.exists() else []
            self._tombstone(document.id).unlink(missing_ok=True)
            _atomic_write(path, json.dumps(document.to_dict(), ensure_ascii=False))
            self._log({"id": document.id, "key": document.source.key,
                       "sequencer": document.source.sequencer})
            results.append(WriteResult(document.id,
                                       replaced_children=replaced_children(stored, document)))
        return results

    def _down(self) -> bool:
        flag = self.out / "sink-down"
        try:
            left = flag.read_text().strip()
        except FileNotFoundError:
            return False
        if left.isdigit():
            if int(left) <= 0:
                return False
            flag.write_text(str(int(left) - 1))
        return True

    def _tombstone(self, document_id: str) -> Path:
        return self.out / "tombstones" / f"{document_id}.json"

    def _newest(self, document_id: str) -> str | None:
        """The sequencer of what the sink holds for this id: a document or a tombstone."""
        for path in (self._path(document_id), self._tombstone(document_id)):
            if path.exists():
                return json.loads(path.read_text("utf-8"))["source"].get("sequencer")  # type: ignore[no-any-return]
        return None

    def delete(self, source: SourceRef) -> None:
        if is_older(source.sequencer, self._newest(source.document_id)):
            self._log({"id": source.document_id, "deleted": False, "stale": True})
            return
        self._path(source.document_id).unlink(missing_ok=True)
        tombstone = self._tombstone(source.document_id)
        tombstone.parent.mkdir(exist_ok=True)
        _atomic_write(tombstone, json.dumps({"source": {"sequencer": source.sequencer}}))
        self._log({"id": source.document_id, "deleted": True})

    def stored_children(self, document_id: str) -> list[str]:
        path = self._path(document_id)
        if not path.exists():
            return []
        children: list[str] = json.loads(path.read_text("utf-8")).get("children", [])
        return [found for child in children for found in (child, *self.stored_children(child))]

    def children_removed(self, document_id: str, removed: Sequence[str]) -> None:
        """Nothing to forget: `write` reads the replaced children from the file it replaces."""

    def delete_documents(self, source: SourceRef, document_ids: Sequence[str]) -> list[str]:
        for document_id in document_ids:
            self._path(document_id).unlink(missing_ok=True)
            self._log({"id": document_id, "deleted": True})
        return list(document_ids)


def _trace(line: str) -> None:
    with (Path(os.environ["OUTPUT_DIR"]) / "extract.log").open("a", encoding="utf-8") as log:
        log.write(line + "\n")


def fake_extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    _trace(f"start {source.document_id}")
    try:
        return _extract(path, source, options)
    finally:
        _trace(f"end {source.document_id}")


PICTURED = (".jpg", ".jpeg", ".png", ".pdf")  # what the real pipeline makes thumbnails of


def _extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    try:
        return _read(path, source, options)
    except PermanentError as exc:  # as extract_or_record: a bad file is a failed document
        return ExtractionOutcome(failed_document(source, exc), None)


def _read(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    if text.startswith("crash"):
        os._exit(3)  # the pool process dies mid-file (as when the OOM killer strikes)
    if text.startswith("corrupt"):
        raise CorruptFileError("the file is damaged (fake)")
    if text.startswith("fatal"):
        raise MissingProgramError("tesseract is not installed (fake)")
    if text.startswith("bug"):  # an unforeseen failure: classified transient
        raise ValueError("a parser bug (fake)")
    if text.startswith("hog"):  # 4 GiB, untouched: a real MemoryError under a memory limit
        hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]
        text = f"hoarded {len(hoard)} blocks"
    if text.startswith("wait-for "):
        out = Path(os.environ["OUTPUT_DIR"])
        name = text.split()[1]
        (out / f"{name}.started").touch()
        while not (out / name).exists():
            time.sleep(0.05)
    document = Document(
        id=source.document_id, source=source, file_name=source.file_name,
        mime_type=mimetypes.guess_type(source.file_name)[0] or "text/plain",
        size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        content=text, pages=(Page(1, text, "text-layer"),), status="complete",
        processed_at="2026-01-01T00:00:00Z", processor_version="test")
    pictured = source.file_name.lower().endswith(PICTURED)
    return ExtractionOutcome(document, TINY_JPEG if options.thumbnails and pictured else None)


def build_fake_service(settings: Settings) -> ProcessingService:
    assert settings.output_dir, "the fake service writes to OUTPUT_DIR"
    return ProcessingService(build_store(settings), FileSink(Path(settings.output_dir)), None,
                             fake_extract, build_options(settings))


class FolderStore:
    """Objects are files under ROOT/<bucket>/<key>; thumbnails go to ROOT/thumbnails/."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _object(self, source: SourceRef) -> Path:
        return self.root / str(source.bucket) / str(source.key)

    def download(self, source: SourceRef, dest_dir: Path, max_bytes: int) -> StoredObject:
        path = self._object(source)
        if not path.exists():
            raise ObjectGoneError(f"{source.uri} does not exist")
        if path.stat().st_size > max_bytes:
            raise FileTooLargeError(f"{path.stat().st_size} bytes, over {max_bytes}")
        copy = dest_dir / source.file_name
        shutil.copyfile(path, copy)
        return StoredObject(copy, copy.stat().st_size)

    def put_thumbnail(self, document_id: str, jpeg: bytes) -> str:
        (self.root / "thumbnails").mkdir(exist_ok=True)
        (self.root / "thumbnails" / f"{document_id}.jpg").write_bytes(jpeg)
        return f"thumbnails/{document_id}.jpg"

    def delete_thumbnail(self, document_id: str) -> None:
        (self.root / "thumbnails" / f"{document_id}.jpg").unlink(missing_ok=True)

    def exists(self, source: SourceRef) -> bool:
        return self._object(source).exists()


def build_folder_service(settings: Settings) -> ProcessingService:
    """The service on a folder store and the file sink, both under OUTPUT_DIR (runs in
    each pool process of the loop's unit tests)."""
    assert settings.output_dir, "the fake service writes to OUTPUT_DIR"
    os.environ["OUTPUT_DIR"] = settings.output_dir  # where fake_extract logs
    out = Path(settings.output_dir)
    return ProcessingService(FolderStore(out / "objects"), FileSink(out), None, fake_extract,
                             build_options(settings))
