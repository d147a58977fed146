"""Fakes of our own ports (worker/ports.py) and of the extractor, for the queue worker tests.

The S3 side stays real (S3ObjectStore against moto); these stand in for the parts owned by
others while they are built, and give the fault tests handles that a real part has not:
- `FileSink` writes documents as JSON files and logs every write (to count "exactly once");
  while OUTPUT_DIR/sink-down exists it answers with a transient error, like an index that
  is down; when the file holds a number N, only the next N writes fail (a recovery that
  the test decides, not the clock).
- `fake_extract` turns a text file into a one-page document, and logs its start and end
  to OUTPUT_DIR/extract.log (to see whether two runs overlapped). A file whose text is
  `crash` kills the pool process that reads it. A file whose text is
  `wait-for <name>` marks itself started (`<name>.started` in OUTPUT_DIR) and blocks until
  OUTPUT_DIR/<name> exists: a "long file" whose end the test decides, with no timing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from worker.composition import build_options, build_store
from worker.config import Settings
from worker.errors import ServiceUnavailableError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome
from worker.models import Document, Page, SourceRef, is_older
from worker.ports import WriteResult
from worker.service import ProcessingService

TINY_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


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
            if path.exists():
                stored = json.loads(path.read_text("utf-8"))["source"].get("sequencer")
                if is_older(document.source.sequencer, stored):
                    results.append(WriteResult(document.id, stale=True))
                    continue
            path.write_text(json.dumps(document.to_dict(), ensure_ascii=False), "utf-8")
            self._log({"id": document.id, "key": document.source.key,
                       "sequencer": document.source.sequencer})
            results.append(WriteResult(document.id))
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

    def delete(self, source: SourceRef) -> None:
        self._path(source.document_id).unlink(missing_ok=True)
        self._log({"id": source.document_id, "deleted": True})

    def stored_children(self, document_id: str) -> list[str]:
        path = self._path(document_id)
        if not path.exists():
            return []
        children: list[str] = json.loads(path.read_text("utf-8")).get("children", [])
        return [found for child in children for found in (child, *self.stored_children(child))]

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


def _extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    if text.startswith("crash"):
        os._exit(3)  # the pool process dies mid-file (as when the OOM killer strikes)
    if text.startswith("wait-for "):
        out = Path(os.environ["OUTPUT_DIR"])
        name = text.split()[1]
        (out / f"{name}.started").touch()
        while not (out / name).exists():
            time.sleep(0.05)
    document = Document(
        id=source.document_id, source=source, file_name=source.file_name,
        mime_type="text/plain", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        content=text, pages=(Page(1, text, "text-layer"),), status="complete",
        processed_at="2026-01-01T00:00:00Z", processor_version="test")
    return ExtractionOutcome(document, TINY_JPEG if options.thumbnails else None)


def build_fake_service(settings: Settings) -> ProcessingService:
    assert settings.output_dir, "the fake service writes to OUTPUT_DIR"
    return ProcessingService(build_store(settings), FileSink(Path(settings.output_dir)), None,
                             fake_extract, build_options(settings))
