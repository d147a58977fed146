"""What a format extractor returns: the pages it read and whether it read them all.

Format extractors (pdf, images, office, text) return an `Extracted`; the pipeline adds the
file's identity (id, hashes, size, type) and makes the `Document`. Extractors raise a
PermanentError for input they cannot read at all; reading only part of it (a budget ran
out) is not an error but `status="partial"` with a `reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from worker.models import Page, Reading


@dataclass(frozen=True)
class Extracted:
    pages: tuple[Page, ...]
    status: Literal["complete", "partial"] = "complete"
    reason: str | None = None
    title: str | None = None
    encoding: str | None = None  # text files: which encoding was detected
    encoding_confidence: float | None = None  # text files: 0..1 (encoding.py)
    readings: tuple[Reading, ...] = ()  # Office ruby and phonetic readings
    timings_ms: dict[str, float] = field(default_factory=dict)
