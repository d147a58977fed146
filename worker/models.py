"""The data that flows through the worker: where a file came from, its pages, the document.

`Document.to_dict()` is the contract of DESIGN.md §3 (the JSON written locally and the body
indexed). Everything here is a frozen dataclass: build a new one with `dataclasses.replace`.

S3 orders the events of one key by `sequencer`: hex strings of varying length that can
exceed 63 bits, compared as numbers. `sequencer_order` is the one form every part compares
(and the index stores): upper-case hex left-padded to a fixed width, so string order is
event order. A SourceRef refuses a sequencer that is not hex, so a malformed event fails
where it is parsed, not after the file was downloaded and extracted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

PageMethod = Literal["text-layer", "ocr", "none"]
DocumentStatus = Literal["complete", "partial", "failed"]
SEQUENCER_WIDTH = 64  # hex digits: far more than any S3 sequencer (16-20 today)
_HEX = re.compile(r"[0-9A-F]+")  # not int(x, 16): that also takes "0x", "_" and signs


def utc_timestamp(moment: datetime | None = None, timespec: str = "seconds") -> str:
    """ISO 8601 in UTC with a `Z` (processed_at, indexed_at, the batch summary); now by
    default."""
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def sequencer_order(sequencer: str | None) -> str | None:
    """The sequencer as a fixed-width upper-case hex string (string order = event order);
    None when there is none. ValueError for a sequencer that is not hex."""
    if not sequencer:
        return None
    digits = sequencer.strip().upper()
    if not _HEX.fullmatch(digits):
        raise ValueError(f"an S3 sequencer is hex digits, got {sequencer!r}")
    return digits.rjust(SEQUENCER_WIDTH, "0")


def is_older(sequencer: str | None, than: str | None) -> bool:
    """True when `sequencer` is known to come before `than`; False when either is missing
    (an event without a sequencer is never older)."""
    mine, theirs = sequencer_order(sequencer), sequencer_order(than)
    return mine is not None and theirs is not None and mine < theirs


@dataclass(frozen=True)
class SourceRef:
    """Where a file lives: an S3 object (bucket, key, version) or a local path."""

    bucket: str | None = None
    key: str | None = None
    version_id: str | None = None
    path: str | None = None
    sequencer: str | None = None  # S3 event sequencer: orders events of one key

    def __post_init__(self) -> None:
        if (self.bucket is None) == (self.path is None):
            raise ValueError("a SourceRef is either an S3 object (bucket, key) or a path")
        if self.bucket is not None and not self.key:
            raise ValueError("an S3 SourceRef needs a key")
        sequencer_order(self.sequencer)  # ValueError when it is not hex

    @property
    def uri(self) -> str:
        if self.bucket is not None:
            return f"s3://{self.bucket}/{self.key}"
        return f"file://{self.path}"

    @property
    def document_id(self) -> str:
        """Stable id: the same object (or absolute path) always maps to the same document."""
        return hashlib.sha256(self.uri.encode("utf-8")).hexdigest()[:40]

    @property
    def file_name(self) -> str:
        name = self.key if self.bucket is not None else self.path
        assert name is not None
        return name.rstrip("/").rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, str]:
        fields = ("bucket", "key", "version_id", "sequencer") if self.bucket else ("path",)
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}


def child_document_id(parent_id: str, member_path: str) -> str:
    """The id of a member of an archive or an attachment of a mail: stable for the same
    parent and path (so a re-processed parent rewrites the same children)."""
    return hashlib.sha256(f"{parent_id}/{member_path}".encode()).hexdigest()[:40]


@dataclass(frozen=True)
class MailHeaders:
    """An e-mail's headers as Document fields (`subject`, `from`, `to`, `date`)."""

    subject: str | None = None
    sender: str | None = None  # `from` in the JSON
    to: tuple[str, ...] = ()
    date: str | None = None  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"subject": self.subject, "from": self.sender,
                                "to": list(self.to) or None, "date": self.date}
        return {name: value for name, value in data.items() if value is not None}


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    text: str
    method: PageMethod
    confidence: float | None = None  # mean word confidence 0-100, OCR pages only
    dropped_words: int | None = None  # OCR words left out of `text` as junk (ocr/junk.py)
    ocr_images: int | None = None  # Office pages: embedded pictures whose text was OCRed in

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "text": self.text, "method": self.method}
        if self.confidence is not None:
            data["confidence"] = round(self.confidence, 2)
        if self.ocr_images:
            data["ocr_images"] = self.ocr_images
        if self.dropped_words:
            data["dropped_words"] = self.dropped_words
        return data


@dataclass(frozen=True)
class Reading:
    """How a written word is read: Word ruby (furigana) or an Excel phonetic run.

    Kept out of `content` (東京, not 東京とうきょう) and indexed on its own, so a search for
    the reading (とうきょう, トウキョウ) finds the document that writes 東京."""

    base: str  # the written text, e.g. 東京
    reading: str  # its reading as the file gives it (hiragana or katakana), e.g. とうきょう


@dataclass(frozen=True)
class Document:
    id: str
    source: SourceRef
    file_name: str
    mime_type: str
    size_bytes: int
    sha256: str
    content: str
    pages: tuple[Page, ...]
    status: DocumentStatus
    processed_at: str  # ISO 8601, UTC
    processor_version: str
    reason: str | None = None
    thumbnail: str | None = None  # S3 key or path relative to the output folder
    title: str | None = None
    language: str | None = None
    encoding: str | None = None  # text files: the encoding that was detected
    encoding_confidence: float | None = None  # with `encoding`: 0..1, how sure the choice is
    readings: tuple[Reading, ...] = ()  # ruby / phonetic readings, unique, in reading order
    error_class: str | None = None  # set with status "failed"
    error_code: str | None = None  # with error_class: WorkerError.code, e.g. "encrypted"
    embedding: tuple[float, ...] | None = None
    embedding_model: str | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    parent_id: str | None = None  # a member or attachment: the container's document id
    container_path: str | None = None  # e.g. "見積.zip/2024/見積書.pdf"
    children: tuple[str, ...] = ()  # a container: its members' document ids
    mail: MailHeaders | None = None

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"] = self.source.to_dict()
        data["pages"] = [page.to_dict() for page in self.pages]
        data["page_count"] = self.page_count
        data["children"] = list(self.children)
        del data["mail"]
        if self.mail is not None:
            data.update(self.mail.to_dict())
        if self.embedding is not None:
            data["embedding"] = list(self.embedding)
        optional = ("reason", "title", "language", "encoding", "encoding_confidence",
                    "error_class", "error_code", "embedding", "embedding_model", "parent_id",
                    "container_path")
        for name in optional:
            if data[name] is None:
                del data[name]
        if not data["timings_ms"]:
            del data["timings_ms"]
        if not data["children"]:
            del data["children"]
        data["readings"] = [asdict(reading) for reading in self.readings]
        if not data["readings"]:
            del data["readings"]
        return data
