"""The one Tesseract caller: builds every command, sets its limits, reads its TSV.

Nothing else in the worker starts Tesseract. Each run gets `OMP_THREAD_LIMIT` (one thread per
process: the pool supplies the parallelism, DESIGN.md §5), the page resolution (`--dpi`,
rendered images carry none), a timeout after which the child and its children are killed, and
its failures become our exceptions: a missing program or language pack is a MissingProgramError
(fatal), a run past its timeout a TimeoutExceededError (the extractors turn that into a
partial document rather than retrying a page that will time out again).

Orientation: page segmentation mode 1 runs OSD inside the same Tesseract process and
rotates by 90/180/270 before recognition, so it costs one image load instead of a second
program run (a separate `--psm 0` took ~1.8 s on an A4 page, a quarter of its OCR). When
there is too little text for OSD, Tesseract says so and keeps 0°.

Vertical Japanese: `jpn` reads tategaki as garbage and `jpn_vert` reads horizontal text as
garbage, so one of them must be chosen per page. The first pass uses the configured
languages. Only when its read is weak (mean confidence below 80) and Tesseract's own layout
analysis found mostly tall, narrow text lines is the page read again with `jpn_vert` in
place of `jpn`; the read with the larger confidence-weighted character count wins. A rotated
horizontal page also has tall lines but reads confidently, so it is not read twice; a
horizontal page never is. Only vertical-looking, weakly read pages pay for two passes.

Pillow images never reach this module: callers pass a PGM/PPM file (never PNG, whose encoding
at 300 dpi costs more than OCR of a born-digital page).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

from pytesseract.pytesseract import file_to_dict

from worker.errors import MissingProgramError, TimeoutExceededError, TransientError
from worker.extraction.japanese import remove_cjk_spaces
from worker.extraction.options import ExtractionOptions
from worker.extraction.programs import INSTALL_HINT, ProgramTimedOut, run_program

TESSERACT = "tesseract"
CONFIDENT_READ = 80.0  # mean word confidence above which a page is not tried vertically
VERTICAL_LINE_SHARE = 0.5  # share of the text-line area in lines at least twice as tall as wide
_WORD_LEVEL = 5
_LINE_LEVEL = 4
_MISSING_DATA_SIGNS = ("Failed loading language", "Error opening data file",
                       "Could not initialize tesseract")


@dataclass(frozen=True)
class Word:
    line: tuple[int, int, int]  # (block, paragraph, line)
    text: str
    confidence: float


@dataclass(frozen=True)
class Reading:
    """One Tesseract pass over a page image."""

    languages: str
    words: tuple[Word, ...]
    vertical_line_share: float

    @property
    def confidence(self) -> float | None:
        """Mean word confidence, 0-100; None when nothing was read."""
        if not self.words:
            return None
        return sum(word.confidence for word in self.words) / len(self.words)

    @property
    def score(self) -> float:
        """Confidence-weighted character count: more text read, read more surely, wins."""
        return sum(word.confidence * len(word.text) for word in self.words) / 100.0

    @property
    def text(self) -> str:
        lines: list[str] = []
        current: list[str] = []
        previous: tuple[int, int, int] | None = None
        for word in self.words:
            if previous is not None and word.line != previous:
                lines.append(" ".join(current))
                current = []
                if word.line[:2] != previous[:2]:
                    lines.append("")  # a new paragraph or block: blank line
            current.append(word.text)
            previous = word.line
        if current:
            lines.append(" ".join(current))
        return remove_cjk_spaces("\n".join(lines))


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None
    languages: str  # the languages of the read that was kept
    vertical: bool
    passes: int  # Tesseract runs spent on this page


def ocr_image_file(image: Path, options: ExtractionOptions, *, dpi: int | None,
                   deadline: float | None = None) -> OcrResult:
    """OCR one page image (PGM/PPM or any file Tesseract reads); see the module docstring.

    `dpi` is the image's true resolution (None: let Tesseract estimate it from the text);
    `deadline` (time.monotonic()) caps every run besides `options.page_timeout_s`.
    """
    require_languages(options.languages, osd=options.detect_orientation)
    first = _read(image, options.languages, options, dpi, deadline)
    vertical_languages = _vertical_languages(options.languages)
    if not (options.detect_vertical and vertical_languages and _looks_vertical(first)):
        return _result(first, vertical=False, passes=1)
    require_languages(vertical_languages, osd=options.detect_orientation)
    second = _read(image, vertical_languages, options, dpi, deadline)
    if second.score > first.score:
        return _result(second, vertical=True, passes=2)
    return _result(first, vertical=False, passes=2)


def _result(reading: Reading, *, vertical: bool, passes: int) -> OcrResult:
    return OcrResult(reading.text, reading.confidence, reading.languages, vertical, passes)


def _looks_vertical(reading: Reading) -> bool:
    confidence = reading.confidence
    weak = confidence is None or confidence < CONFIDENT_READ
    return weak and reading.vertical_line_share >= VERTICAL_LINE_SHARE


def _vertical_languages(languages: str) -> str | None:
    """`jpn+eng` → `jpn_vert+eng`; None when Japanese is not among the languages."""
    names = languages.split("+")
    if "jpn" not in names:
        return None
    swapped = ["jpn_vert" if name == "jpn" else name for name in names]
    return "+".join(dict.fromkeys(swapped))


def _read(image: Path, languages: str, options: ExtractionOptions, dpi: int | None,
          deadline: float | None) -> Reading:
    argv = [TESSERACT, str(image), "stdout", "-l", languages,
            "--psm", "1" if options.detect_orientation else "3"]
    if dpi is not None:
        argv += ["--dpi", str(dpi)]
    argv.append("tsv")
    timeout_s = options.page_timeout_s
    if deadline is not None:
        timeout_s = min(timeout_s, deadline - time.monotonic())
    if timeout_s <= 0:
        raise TimeoutExceededError("no time left in the file's budget for OCR")
    try:
        finished = run_program(argv, timeout_s=timeout_s,
                               env={"OMP_THREAD_LIMIT": str(options.tesseract_threads)})
    except ProgramTimedOut as exc:
        raise TimeoutExceededError(f"OCR stopped after {exc.timeout_s:.0f} s") from None
    if finished.returncode != 0:
        reason = finished.error_text
        if any(sign in reason for sign in _MISSING_DATA_SIGNS):
            raise MissingProgramError(f"Tesseract cannot load {languages}: {reason}")
        raise TransientError(f"Tesseract failed (exit {finished.returncode}): {reason}")
    return parse_tsv(finished.stdout.decode("utf-8", "replace"), languages)


def parse_tsv(tsv: str, languages: str) -> Reading:
    """Tesseract's TSV (parsed by pytesseract) → the words read and the line geometry."""
    table = file_to_dict(tsv, "\t", -1)
    if not table:
        return Reading(languages, (), 0.0)
    words: list[Word] = []
    line_areas: dict[tuple[int, int, int], tuple[int, bool]] = {}
    for row in range(len(table["level"])):
        key = (int(table["block_num"][row]), int(table["par_num"][row]),
               int(table["line_num"][row]))
        width, height = int(table["width"][row]), int(table["height"][row])
        level = int(table["level"][row])
        if level == _LINE_LEVEL:
            line_areas[key] = (width * height, height >= 2 * width)
        text = str(table["text"][row]).strip()
        confidence = float(table["conf"][row])
        if level == _WORD_LEVEL and text and confidence >= 0:
            words.append(Word(key, text, confidence))
    read_lines = {word.line for word in words}
    total = sum(area for key, (area, _) in line_areas.items() if key in read_lines)
    tall = sum(area for key, (area, is_tall) in line_areas.items()
               if is_tall and key in read_lines)
    return Reading(languages, tuple(words), tall / total if total else 0.0)


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
