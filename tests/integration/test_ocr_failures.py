"""How the Tesseract caller fails: timeouts kill the whole child tree, missing parts are fatal."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import psutil
import pytest

from worker.errors import MissingProgramError, TimeoutExceededError
from worker.extraction.ocr.plan import ocr_image_file
from worker.extraction.options import ExtractionOptions
from worker.extraction.programs import ProgramTimedOut, run_program


def _tesseract_children() -> list[psutil.Process]:
    return [child for child in psutil.Process().children(recursive=True)
            if child.name() == "tesseract" and child.status() != psutil.STATUS_ZOMBIE]


def test_page_past_its_timeout_raises_and_leaves_no_tesseract(
        page_images: dict[str, tuple[Path, str]]) -> None:
    image, _ = page_images["horizontal"]
    options = dataclasses.replace(ExtractionOptions(), page_timeout_s=0.05)

    with pytest.raises(TimeoutExceededError, match="OCR stopped"):
        ocr_image_file(image, options, dpi=300)

    assert _tesseract_children() == []


def test_timeout_kills_the_grandchildren_too(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"

    with pytest.raises(ProgramTimedOut):
        run_program(["sh", "-c", f"sleep 60 & echo $! > {pid_file}; wait"], timeout_s=1.0)

    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while psutil.pid_exists(grandchild) and time.monotonic() < deadline:
        if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
            break  # killed, waiting for the reaper
        time.sleep(0.05)
    alive = psutil.pid_exists(grandchild) and \
        psutil.Process(grandchild).status() != psutil.STATUS_ZOMBIE
    assert not alive


def test_missing_language_data_is_fatal(page_images: dict[str, tuple[Path, str]]) -> None:
    image, _ = page_images["horizontal"]
    options = dataclasses.replace(ExtractionOptions(), languages="jpn+klingon")

    with pytest.raises(MissingProgramError, match="klingon"):
        ocr_image_file(image, options, dpi=300)


def test_missing_program_is_fatal() -> None:
    with pytest.raises(MissingProgramError, match="not installed"):
        run_program(["cis-no-such-program"], timeout_s=5)
