"""extract(path, source, options) -> ExtractionOutcome: orchestration only.

Sniffs the type by content, hands the file to the extractor of that type, makes the
thumbnail, and assembles the Document (DESIGN.md §3). Pure: no AWS, no network.

Interface used by worker/batch.py (local `process`) and worker/service.py (queue worker):
- `extract(path, source, options)` raises PermanentError for unreadable input;
- `extract_or_record(...)` turns a PermanentError into a `status="failed"` document that
  still carries the file's metadata, so the file can be found by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from worker.extraction.options import ExtractionOptions
from worker.models import Document, SourceRef


@dataclass(frozen=True)
class ExtractionOutcome:
    document: Document  # `thumbnail` is None here: the caller stores the bytes and sets it
    thumbnail_jpeg: bytes | None


def extract(path: Path, source: SourceRef, options: ExtractionOptions) -> ExtractionOutcome:
    raise NotImplementedError("extraction pipeline: issue #2")


def extract_or_record(path: Path, source: SourceRef,
                      options: ExtractionOptions) -> ExtractionOutcome:
    raise NotImplementedError("extraction pipeline: issue #2")
