"""Knobs of the extraction pipeline, read once (from the CLI or Settings) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from worker.extraction.archives.members import ContainerLimits


@dataclass(frozen=True)
class ExtractionOptions:
    languages: str = "jpn+eng"
    dpi: int = 300  # render resolution for OCR; told to Tesseract too
    thumbnails: bool = True
    thumbnail_size: int = 320  # long side, pixels
    detect_orientation: bool = True  # OSD, then rotate
    detect_vertical: bool = True  # try jpn_vert where the page reads vertically
    max_file_bytes: int = 512 * 1024 * 1024
    max_pages: int = 1000  # past this the document is partial
    max_page_pixels: int = 120_000_000  # per page/image: refuse decompression bombs
    max_decode_bytes: int = 400 * 1024 * 1024  # one decoded image frame (pixels x bytes/pixel)
    page_timeout_s: float = 180.0  # one Tesseract run; the child tree is killed past it
    file_budget_s: float = 1800.0  # whole file; remaining pages are left, document partial
    tesseract_threads: int = 1  # OMP_THREAD_LIMIT for each Tesseract child
    page_workers: int = 1  # PDF pages OCR'd at once within one file (Tesseract children)
    containers: ContainerLimits = field(default_factory=ContainerLimits)  # archives, mail


def default_jobs() -> int:
    """Worker processes: one per CPU the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)
