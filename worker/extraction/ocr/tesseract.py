"""The one Tesseract caller: builds every command, sets its limits, reads its TSV.

Nothing else in the worker starts Tesseract. Each run gets `OMP_THREAD_LIMIT` (one thread per
process: the pool supplies the parallelism, DESIGN.md §5), the page resolution (`--dpi`,
rendered images carry none), a timeout after which the child and its children are killed, and
its failures become our exceptions: a missing program or language pack is a MissingProgramError
(fatal), a run past its timeout a TimeoutExceededError (the extractors turn that into a
partial document rather than retrying a page that will time out again).

Cost model: most pages are upright and horizontal, and they get one Tesseract run (page
segmentation mode 3), plus a short one when it left ink unread (below). Only a page whose
read is weak (mean word confidence below
CONFIDENT_READ, or nothing read) pays for more, and keeps whichever read has the larger
score (characters weighted by the square of their word's confidence):
- Orientation: OSD (`--psm 0`) on a half-scale copy (a quarter of the pixels; running OSD
  inside the OCR run with `--psm 1` cost every A4 page ~35% more). When it names a rotation
  of 90/180/270, the page is turned and read again. OSD fails on pages with little text
  ("Too few characters"): that, like any OSD failure, means 0°.
- Latin junk: with `jpn+eng`, a blurred Japanese line is sometimes taken for English and
  comes out as unsure Latin letters ("wk rhs YF VRE", confidence < 60). When such words are
  at least 3% of what was read, the page is read again with `jpn` alone (which reads plain
  English too) and those lines, only, are taken from that read where it is surer.
- Vertical Japanese: `jpn` reads tategaki as garbage and `jpn_vert` reads horizontal text as
  garbage. When Tesseract's own layout analysis of the best read so far found mostly tall,
  narrow text lines, the page is read again with `jpn_vert` in place of `jpn`. A horizontal
  page never is; a rotated horizontal page has tall lines too, but after the OSD turn it
  reads confidently and is not tried vertically.

- Text left out: Tesseract's automatic layout often reads nothing of a large heading (the
  請求書 or 事業計画書 title of a business document: 3 of 30 generated title pages kept their
  title with `--psm 3` alone, 22 of 30 with this pass), of a column of line numbers, or of
  the first word of a lone line. The lines read surely are masked in a copy of the page;
  only when real ink is left (unread.py) is the leftover, cropped (and halved when it is
  much taller than the body text), read again as a uniform block — or, when that finds
  nothing, as sparse text — and merged in reading order (ocr_reading.py). A page with
  nothing left unread pays only for the mask (~0.1 s); one with leftovers one more, short,
  Tesseract run (~0.5 s, mostly loading the models).

Pillow images never reach this module: callers pass a PGM/PPM file (never PNG, whose encoding
at 300 dpi costs more than OCR of a born-digital page).
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pytesseract.pytesseract import osd_to_dict

from worker.errors import MissingProgramError, TimeoutExceededError, TransientError
from worker.extraction.ocr.reading import (
    LATIN_JUNK_SHARE,
    Reading,
    merge_recovered,
    parse_tsv,
    patch_latin_junk,
    placed,
    sure_line_boxes,
)
from worker.extraction.ocr.unread import mask_read_lines
from worker.extraction.options import ExtractionOptions
from worker.extraction.programs import INSTALL_HINT, Finished, ProgramTimedOut, run_program

TESSERACT = "tesseract"
AUTOMATIC_LAYOUT = "3"  # page segmentation modes
UNIFORM_BLOCK = "6"
SPARSE_TEXT = "11"
CONFIDENT_READ = 80.0  # mean word confidence from which a read is kept without second tries
OSD_MIN_LONG_SIDE = 1600  # OSD works on a half-scale copy only when it stays this large
VERTICAL_LINE_SHARE = 0.5  # share of the text-line area in lines at least twice as tall as wide
_MISSING_DATA_SIGNS = ("Failed loading language", "Error opening data file",
                       "Could not initialize tesseract")


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None
    languages: str  # the languages of the read that was kept
    vertical: bool
    passes: int  # Tesseract recognition runs spent on this page (OSD not counted)
    rotation: int = 0  # degrees clockwise the page was turned before the kept read


@dataclass
class _Best:
    """The best read of a page so far, and what it took to get it."""

    reading: Reading
    image: Path
    passes: int = 1
    rotation: int = 0
    vertical: bool = False

    def offer(self, reading: Reading, **how: object) -> None:
        self.passes += 1
        if reading.score > self.reading.score:
            self.reading = reading
            for name, value in how.items():
                setattr(self, name, value)


def ocr_image_file(image: Path, options: ExtractionOptions, *, dpi: int | None,
                   deadline: float | None = None) -> OcrResult:
    """OCR one page image (PGM/PPM or any file Tesseract reads); see the module docstring.

    `dpi` is the image's true resolution (None: let Tesseract estimate it from the text);
    `deadline` (time.monotonic()) caps every run besides `options.page_timeout_s`.
    """
    require_languages(options.languages, osd=options.detect_orientation)

    def read(path: Path, languages: str) -> Reading:
        return _read(path, languages, options, dpi, deadline)

    best = _Best(read(image, options.languages), image)
    with tempfile.TemporaryDirectory(prefix="cis-ocr-") as scratch:
        if options.detect_orientation and _weak(best.reading):
            _try_turning(best, Path(scratch), read, options, dpi, deadline)
        _try_other_models(best, read, options)
        if not best.vertical:
            _recover_unread(best, Path(scratch), options, dpi, deadline)
    reading = best.reading
    return OcrResult(reading.text, reading.confidence, reading.languages, best.vertical,
                     best.passes, best.rotation)


def _try_turning(best: _Best, scratch: Path, read: Callable[[Path, str], Reading],
                 options: ExtractionOptions, dpi: int | None, deadline: float | None) -> None:
    angle = _detect_rotation(best.image, scratch, options, dpi, deadline)
    if angle:
        turned = scratch / f"turned-{angle}.pgm"
        with Image.open(best.image) as page:
            page.rotate(-angle, expand=True).save(turned, format="PPM")
        best.offer(read(turned, options.languages), image=turned, rotation=angle)


def _try_other_models(best: _Best, read: Callable[[Path, str], Reading],
                      options: ExtractionOptions) -> None:
    """jpn_vert for a page that looks vertical; jpn alone for lines read as Latin junk."""
    vertical_languages = _vertical_languages(options.languages)
    if options.detect_vertical and vertical_languages and _looks_vertical(best.reading):
        require_languages(vertical_languages, osd=False)
        best.offer(read(best.image, vertical_languages), vertical=True)
    languages = options.languages.split("+")
    if ("jpn" in languages and len(languages) > 1
            and best.reading.latin_junk_share >= LATIN_JUNK_SHARE):
        best.passes += 1
        best.reading = patch_latin_junk(best.reading, read(best.image, "jpn"))


def _recover_unread(best: _Best, scratch: Path, options: ExtractionOptions, dpi: int | None,
                    deadline: float | None) -> None:
    """Read what page segmentation left out (see unread.py) with a sparse-text pass over
    the page with its surely read lines masked; merge what it finds into the best read."""
    leftover = mask_read_lines(best.image, sure_line_boxes(best.reading),
                               scratch / "unread.pgm", dpi)
    if leftover is None:
        return
    for psm in (UNIFORM_BLOCK, SPARSE_TEXT):  # each reads some leftovers the other cannot
        best.passes += 1
        found = _read(leftover.image, best.reading.languages, options, leftover.dpi,
                      deadline, psm=psm)
        merged = merge_recovered(best.reading, placed(found, leftover.scale, leftover.origin))
        if merged != best.reading:
            best.reading = merged
            return


def _weak(reading: Reading) -> bool:
    confidence = reading.confidence
    return confidence is None or confidence < CONFIDENT_READ


def _looks_vertical(reading: Reading) -> bool:
    return _weak(reading) and reading.vertical_line_share >= VERTICAL_LINE_SHARE


def _detect_rotation(image: Path, scratch: Path, options: ExtractionOptions, dpi: int | None,
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


def _vertical_languages(languages: str) -> str | None:
    """`jpn+eng` → `jpn_vert+eng`; None when Japanese is not among the languages."""
    names = languages.split("+")
    if "jpn" not in names:
        return None
    swapped = ["jpn_vert" if name == "jpn" else name for name in names]
    return "+".join(dict.fromkeys(swapped))


def _read(image: Path, languages: str, options: ExtractionOptions, dpi: int | None,
          deadline: float | None, psm: str = AUTOMATIC_LAYOUT) -> Reading:
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
