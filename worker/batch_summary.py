"""What a `cis-worker process` run reports: one record per file, summary.json, a table.

summary.json holds the counts by status (children — archive members, mail attachments —
included: each is a document with its own row), the totals (files, children, pages,
text-layer and OCR pages, characters, wall-clock and per-file processing seconds), every
failure with its error class, code and reason, every partial document with its reason, and
one row per document. The table printed to stdout is the same rows, short enough to read.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from worker.errors import WorkerError
from worker.models import Document

_SHORT_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/octet-stream": "unknown",
    "application/x-ole-storage": "ole2",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "text/plain": "text",
    "text/tab-separated-values": "tsv",
    "message/rfc822": "eml",
    "application/vnd.ms-outlook": "msg",
}


@dataclass(frozen=True)
class FileRecord:
    path: str
    file_type: str
    status: str  # complete | partial | failed
    document_id: str | None = None
    pages: int = 0
    text_layer_pages: int = 0
    ocr_pages: int = 0
    characters: int = 0
    seconds: float = 0.0
    encoding: str | None = None
    error_class: str | None = None
    code: str | None = None
    reason: str | None = None
    parent_id: str | None = None  # a member or attachment: the container's document id


def short_type(mime_type: str) -> str:
    return _SHORT_TYPES.get(mime_type, mime_type.rsplit("/", 1)[-1])


def record_document(path: str, document: Document, seconds: float) -> FileRecord:
    methods = Counter(page.method for page in document.pages)
    return FileRecord(
        path=path, file_type=short_type(document.mime_type), status=document.status,
        document_id=document.id, pages=document.page_count,
        text_layer_pages=methods["text-layer"], ocr_pages=methods["ocr"],
        characters=len(document.content), seconds=round(seconds, 3),
        encoding=document.encoding, error_class=document.error_class,
        code=document.error_code, reason=document.reason, parent_id=document.parent_id,
    )


def record_error(path: str, error: WorkerError, file_type: str = "unknown",
                 document_id: str | None = None) -> FileRecord:
    return FileRecord(path=path, file_type=file_type, status="failed", document_id=document_id,
                      error_class=error.error_class, code=error.code, reason=error.reason)


def build_summary(records: list[FileRecord], version: str, started_at: str,
                  finished_at: str, wall_seconds: float, jobs: int) -> dict[str, Any]:
    counts = Counter(record.status for record in records)
    return {
        "processor_version": version,
        "started_at": started_at,
        "finished_at": finished_at,
        "jobs": jobs,
        "counts": {status: counts[status] for status in ("complete", "partial", "failed")},
        "totals": {
            "files": sum(1 for record in records if record.parent_id is None),
            "children": sum(1 for record in records if record.parent_id is not None),
            "pages": sum(record.pages for record in records),
            "text_layer_pages": sum(record.text_layer_pages for record in records),
            "ocr_pages": sum(record.ocr_pages for record in records),
            "characters": sum(record.characters for record in records),
            "wall_seconds": round(wall_seconds, 3),
            "processing_seconds": round(sum(record.seconds for record in records), 3),
        },
        "failures": [{"path": record.path, "error_class": record.error_class,
                      "code": record.code, "reason": record.reason}
                     for record in records if record.status == "failed"],
        "partial": [{"path": record.path, "reason": record.reason}
                    for record in records if record.status == "partial"],
        "files": [asdict(record) for record in records],
    }


def printable(text: str) -> str:
    """`text` on one terminal line: control characters (newline, tab, escape, ...) and
    line/paragraph separators shown as escapes, so a file name cannot break the table."""
    return "".join(char if unicodedata.category(char) not in _UNPRINTABLE
                   else char.encode("unicode_escape").decode("ascii") for char in text)


_UNPRINTABLE = {"Cc", "Zl", "Zp"}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _shown_path(path: str, width: int = 48) -> str:
    """Relative to the current folder when under it; the end of the path when too long."""
    relative = os.path.relpath(path)
    text = printable(path if relative.startswith("..") else relative)
    return text if len(text) <= width else "…" + text[-(width - 1):]


def format_table(records: list[FileRecord], summary: dict[str, Any]) -> str:
    """The rows (file, type, pages, text-layer/OCR pages, status, characters), then totals."""
    header = ("file", "type", "pages", "text/ocr", "status", "chars")
    rows = [header]
    for record in records:
        status = record.status if record.status == "complete" else \
            f"{record.status} ({record.code or _clip(printable(record.reason or ''), 40)})"
        rows.append((_shown_path(record.path), record.file_type, str(record.pages),
                     f"{record.text_layer_pages}/{record.ocr_pages}", status,
                     str(record.characters)))
    widths = [max(_display_width(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    counts, totals = summary["counts"], summary["totals"]
    lines.append(
        f"{totals['files']} files{_children(totals)}: {counts['complete']} complete, "
        f"{counts['partial']} partial, "
        f"{counts['failed']} failed; {totals['pages']} pages ({totals['ocr_pages']} OCR) in "
        f"{totals['wall_seconds']:.1f} s")
    return "\n".join(lines)


def _children(totals: dict[str, Any]) -> str:
    return f" (+{totals['children']} inside them)" if totals.get("children") else ""


def _display_width(text: str) -> int:
    """Columns on a terminal: full-width (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))
