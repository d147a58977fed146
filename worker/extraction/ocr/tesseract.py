"""The one Tesseract caller: builds every command, sets its limits, reads its TSV.

Nothing else in the worker starts Tesseract. Each run gets `OMP_THREAD_LIMIT` (one thread per
process: the pool supplies the parallelism, DESIGN.md §5), the page resolution (`--dpi`,
rendered images carry none), a timeout after which the child and its children are killed, and
its failures become our exceptions: a missing program or language pack is a MissingProgramError
(fatal), a run past its timeout a TimeoutExceededError (the extractors turn that into a
partial document rather than retrying a page that will time out again).

The reading plan (which runs a page gets, and which reads are kept) is plan.py's; this
module only runs them: a recognition pass (`read_page`), OSD (`detect_rotation`).

Pillow images never reach this module: callers pass a PGM/PPM file (never PNG, whose encoding
at 300 dpi costs more than OCR of a born-digital page).
"""

from __future__ import annotations

import functools
import time
from pathlib import Path

from PIL import Image
from pytesseract.pytesseract import osd_to_dict

from worker.errors import MissingProgramError, TimeoutExceededError, TransientError
from worker.extraction.ocr.reading import Reading, parse_tsv
from worker.extraction.options import ExtractionOptions
from worker.extraction.programs import INSTALL_HINT, Finished, ProgramTimedOut, run_program

TESSERACT = "tesseract"
AUTOMATIC_LAYOUT = "3"  # page segmentation modes
UNIFORM_BLOCK = "6"
SPARSE_TEXT = "11"
OSD_MIN_LONG_SIDE = 1600  # OSD works on a half-scale copy only when it stays this large
_MISSING_DATA_SIGNS = ("Failed loading language", "Error opening data file",
                       "Could not initialize tesseract")


def detect_rotation(image: Path, scratch: Path, options: ExtractionOptions, dpi: int | None,
                    deadline: float | None) -> int:
    """Degrees clockwise that make the page upright, by OSD; 0 when OSD cannot tell."""
    with Image.open(image) as page:
        halve = max(page.size) >= 2 * OSD_MIN_LONG_SIDE
        if halve:
            image = scratch / "osd.pgm"
            page.reduce(2).save(image, format="PPM")
    osd_dpi = dpi // 2 if dpi and halve else dpi
    argv = [TESSERACT, str(image.absolute()), "stdout", "-l", "osd", "--psm", "0"]
    argv += ["--dpi", str(osd_dpi)] if osd_dpi else []
    finished = _run(argv, options, deadline, what="OSD")
    if finished.returncode != 0:  # "Too few characters. Skipping this page": upright
        return 0
    rotate = osd_to_dict(finished.stdout.decode("utf-8", "replace")).get("rotate", 0)
    return int(rotate) if rotate in (90, 180, 270) else 0


def vertical_languages(languages: str) -> str | None:
    """`jpn+eng` → `jpn_vert+eng`; None when Japanese is not among the languages."""
    names = languages.split("+")
    if "jpn" not in names:
        return None
    swapped = ["jpn_vert" if name == "jpn" else name for name in names]
    return "+".join(dict.fromkeys(swapped))


def read_page(image: Path, languages: str, options: ExtractionOptions, dpi: int | None,
              deadline: float | None, psm: str = AUTOMATIC_LAYOUT) -> Reading:
    """One recognition pass: the words Tesseract reads on `image` with `languages`."""
    argv = [TESSERACT, str(image.absolute()), "stdout", "-l", languages, "--psm", psm]
    argv += ["--dpi", str(dpi)] if dpi else []
    finished = _run([*argv, "tsv"], options, deadline, what="OCR")
    if finished.returncode != 0:
        reason = finished.error_text
        if any(sign in reason for sign in _MISSING_DATA_SIGNS):
            raise MissingProgramError(f"Tesseract cannot load {languages}: {reason}")
        raise TransientError(f"Tesseract failed (exit {finished.returncode}): {reason}")
    return parse_tsv(finished.stdout.decode("utf-8", "replace"), languages)


def _run(argv: list[str], options: ExtractionOptions, deadline: float | None,
         what: str) -> Finished:
    """One Tesseract run: one thread, the page timeout (or what is left of the file's)."""
    timeout_s = options.page_timeout_s
    if deadline is not None:
        timeout_s = min(timeout_s, deadline - time.monotonic())
    if timeout_s <= 0:
        raise TimeoutExceededError(f"no time left in the file's budget for {what}")
    try:
        return run_program(argv, timeout_s=timeout_s,
                           env={"OMP_THREAD_LIMIT": str(options.tesseract_threads)})
    except ProgramTimedOut as exc:
        raise TimeoutExceededError(f"{what} stopped after {exc.timeout_s:.3g} s") from None


def require_languages(languages: str, *, osd: bool) -> None:
    """Raise MissingProgramError unless Tesseract and every language pack are installed."""
    wanted = set(languages.split("+")) | ({"osd"} if osd else set())
    missing = sorted(wanted - installed_languages())
    if missing:
        raise MissingProgramError(
            f"Tesseract language data missing: {', '.join(missing)} ({INSTALL_HINT})")


@functools.cache
def installed_languages() -> frozenset[str]:
    """The language packs Tesseract can load (asked once per process)."""
    try:
        finished = run_program([TESSERACT, "--list-langs"], timeout_s=30)
    except ProgramTimedOut as exc:
        raise TimeoutExceededError("tesseract --list-langs did not answer") from exc
    if finished.returncode != 0:
        raise MissingProgramError(f"tesseract does not run: {finished.error_text}")
    lines = finished.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())
