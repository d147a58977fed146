"""The reading plan of one page image: look at the layout first, then read each part once with
the model and page mode that suit it, and keep from every extra pass only what it improves.

- layout.py looks at the page (no Tesseract, ~0.05 s): horizontal, vertical or mixed text,
  and the ink that is graphics. Graphics are painted out of the copy that is read.
- horizontal: one `jpn+eng` run, automatic layout (psm 3), as raw Tesseract would; the
  second tries of reading.py/tesseract.py (OSD turn, `jpn` for Latin junk, leftover ink)
  only where the first read shows the need, each kept only when it scores better.
- vertical: one `jpn_vert` run (VERTICAL_PSM, chosen by measurement: bench/eval). A page
  that looks vertical but reads weakly may be a horizontal page turned sideways: OSD, and
  the turned page is read horizontally; the better read is kept.
- mixed (a horizontal header over a vertical body, a gazette's tiers): the horizontal
  regions are painted out for one `jpn_vert` run, the vertical ones for one `jpn+eng` run;
  each word is kept from the run that suits the region it lies in, regions in reading order.
  A weak mixed read asks OSD (a horizontal page turned sideways whose few rows made it
  mixed). Only a chart page (a rotated axis label is a column) is also read horizontally,
  and the better read kept; a full extra pass on every mixed page cost 3x raw Tesseract and never
  won on the eval.
- undecided (the columns' ink forms rows just as well: tightly set horizontal lines) with
  less than half of the ink in columns: read horizontally first; only a weak read is set
  against the vertical or mixed plan. With more (tategaki set very tightly), the plan
  first, and a weak plan against the horizontal read.
- passes.py holds the reads besides the first (mixed regions, large lines, leftovers).
- junk.py then drops the words that are not text (counted in `dropped_words`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from worker.extraction.ocr.charts import chart_last
from worker.extraction.ocr.graphics import paint_out
from worker.extraction.ocr.junk import drop_junk
from worker.extraction.ocr.layout import Layout, analyse
from worker.extraction.ocr.passes import (
    PAINT_GRAPHICS,
    VERTICAL_PSM,
    Best,
    Read,
    read_large_lines,
    read_mixed,
    recover_unread,
)
from worker.extraction.ocr.reading import LATIN_JUNK_SHARE, Reading, patch_latin_junk
from worker.extraction.ocr.tesseract import (
    AUTOMATIC_LAYOUT,
    detect_rotation,
    read_page,
    require_languages,
    vertical_languages,
)
from worker.extraction.options import ExtractionOptions

CONFIDENT_READ = 80.0  # mean word confidence from which a read is kept without second tries
ROWS_FIRST_BELOW = 0.5  # an undecided page with less of its ink in columns is read across
# first: tightly set horizontal pages 0.01-0.36 (24 eval pages, 40 text-layer renders),
# tategaki set with column gaps of 0.15-0.25 em 0.52-0.69


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None
    languages: str  # the languages of the read that was kept
    vertical: bool
    passes: int  # Tesseract recognition runs spent on this page (OSD not counted)
    rotation: int = 0  # degrees clockwise the page was turned before the kept read
    dropped_words: int = 0  # words read but left out as junk
    plan: str = "horizontal"  # what the layout analysis found: horizontal|vertical|mixed


def ocr_image_file(image: Path, options: ExtractionOptions, *, dpi: int | None,
                   deadline: float | None = None) -> OcrResult:
    """OCR one page image (PGM/PPM or any file Tesseract reads); see the module docstring.

    `dpi` is the image's true resolution (None: let Tesseract estimate it from the text);
    `deadline` (time.monotonic()) caps every run besides `options.page_timeout_s`.
    """
    require_languages(options.languages, osd=options.detect_orientation)

    def read(path: Path, languages: str, psm: str = AUTOMATIC_LAYOUT,
             at_dpi: int | None = dpi) -> Reading:
        return read_page(path, languages, options, at_dpi, deadline, psm=psm)

    with Image.open(image) as opened:
        layout = analyse(opened.convert("L"), dpi)
    vertical = _vertical_model(options)
    kind = layout.kind if vertical else "horizontal"
    with tempfile.TemporaryDirectory(prefix="cis-ocr-") as folder:
        scratch = Path(folder)
        source = paint_out(image, scratch / "page.pgm", layout, graphics=PAINT_GRAPHICS, boxes=[])
        if (kind == "mixed" and vertical and layout.undecided
                and layout.vertical_share < ROWS_FIRST_BELOW):  # (a vertical page has more)
            require_languages(vertical, osd=False)
            best = _rows_first(image, source, scratch, read, vertical, options, dpi,
                               deadline, layout)
        elif kind == "vertical" and vertical:
            require_languages(vertical, osd=False)
            best = _vertical(source, scratch, read, vertical, options, dpi, deadline, layout)
        elif kind == "mixed" and vertical:
            require_languages(vertical, osd=False)
            best = read_mixed(image, scratch, layout, read, vertical, options)
            if layout.graphic or (layout.undecided and _weak(best.reading)):  # a chart
                # whose rotated axis label looks like a column, or rows as much as columns:
                # the better read decides
                best = _better(best, _horizontal(source, scratch, read, options, dpi,
                                                 deadline, layout))
            elif options.detect_orientation and _weak(best.reading):
                # a horizontal page turned sideways whose few rows made it mixed
                _try_turning(best, scratch, read, options, dpi, deadline)
        else:
            best = _horizontal(source, scratch, read, options, dpi, deadline, layout)
    ordered = chart_last(best.reading, layout) if best.rotation == 0 else best.reading
    reading, dropped = drop_junk(ordered)
    return OcrResult(reading.text, reading.confidence, reading.languages, best.vertical,
                     best.passes, best.rotation, dropped, kind)


def _vertical_model(options: ExtractionOptions) -> str | None:
    """`jpn_vert` alone for vertical text (`+eng` cost 60% more CPU and read no better on
    tategaki pages), or None when Japanese is not read or vertical reading is off."""
    wanted = vertical_languages(options.languages) if options.detect_vertical else None
    return wanted.split("+")[0] if wanted else None


def _weak(reading: Reading) -> bool:
    confidence = reading.confidence
    return confidence is None or confidence < CONFIDENT_READ


def _horizontal(source: Path, scratch: Path, read: Read, options: ExtractionOptions,
                dpi: int | None, deadline: float | None, layout: Layout,
                first: Best | None = None) -> Best:
    """The horizontal plan: one read (or `first`, already made), and its second tries."""
    if first is None and options.detect_orientation and layout.flush_right:
        best = _turned_first(source, scratch, read, options, dpi, deadline)
    else:
        best = first or Best(read(source, options.languages), source)
        if options.detect_orientation and _weak(best.reading):
            _try_turning(best, scratch, read, options, dpi, deadline)
    languages = options.languages.split("+")
    if ("jpn" in languages and len(languages) > 1 and _weak(best.reading)
            and best.reading.latin_junk_share >= LATIN_JUNK_SHARE):
        best.passes += 1
        best.reading = patch_latin_junk(best.reading, read(best.image, "jpn"))
    if best.rotation == 0 and layout.graphic:
        read_large_lines(best, scratch, read, layout, dpi)
    recover_unread(best, scratch, read, dpi, layout)
    return best


def _vertical(source: Path, scratch: Path, read: Read, languages: str,
              options: ExtractionOptions, dpi: int | None, deadline: float | None,
              layout: Layout) -> Best:
    """jpn_vert psm 5 on a page whose columns run down; but a horizontal page turned
    sideways has columns too, so OSD asks first (it tells the two apart by the characters:
    0 on every tategaki page of the eval, 90/270 on the turned ones) and a turned page is
    read horizontally, upright."""
    angle = 0
    if options.detect_orientation:
        angle = detect_rotation(source, scratch, options, dpi, deadline)
    if angle:
        turned = _turn(source, scratch, angle)
        best = Best(read(turned, options.languages), turned, rotation=angle)
        if not _weak(best.reading):
            return best
        best.offer(read(source, languages, VERTICAL_PSM), image=source, rotation=0,
                   vertical=True)
        return best
    best = Best(read(source, languages, VERTICAL_PSM), source, vertical=True)
    if not _weak(best.reading):
        return best
    # A short horizontal line can look like a column (a kanji's radical is tall and thin):
    # the page is read across too; only a read across that reads better gets the
    # horizontal plan's second tries (OSD has already said the page is upright).
    first = Best(read(source, options.languages), source)
    if first.reading.score <= best.reading.score:
        best.passes += first.passes
        return best
    return _better(best, _horizontal(source, scratch, read, options, dpi, deadline, layout,
                                     first))


def _rows_first(image: Path, source: Path, scratch: Path, read: Read, vertical: str,
                options: ExtractionOptions, dpi: int | None, deadline: float | None,
                layout: Layout) -> Best:
    """An undecided page (Layout.undecided: the columns' ink forms rows just as well, as
    tightly set horizontal lines do; tategaki pages score 0.0) is read across first, as
    raw Tesseract would; only a weak read is set against the planned columns. Columns
    first read every fake column of a tightly set business page with psm 5: 2-5x raw
    Tesseract's CPU, and the horizontal read won anyway. The read across comes with its
    second tries: a tightly set page turned sideways is undecided too, and OSD turns it
    before any column is read (the columns first cost 4.8x raw on such a page)."""
    across = _horizontal(source, scratch, read, options, dpi, deadline, layout)
    if not _weak(across.reading):
        return across
    return _better(read_mixed(image, scratch, layout, read, vertical, options), across)


def _better(planned: Best, across: Best) -> Best:
    """The plan's read or the plain horizontal one, whichever read more surely: lines of
    horizontal text set tightly also line up in columns, and a kanji's radical alone looks
    like one, so a vertical plan must show that it reads better (issue 9: no pass may make
    a page worse)."""
    winner = across if across.reading.score > planned.reading.score else planned
    winner.passes = planned.passes + across.passes
    return winner


def _turned_first(source: Path, scratch: Path, read: Read, options: ExtractionOptions,
                  dpi: int | None, deadline: float | None) -> Best:
    """A page whose lines are flush right (Layout.flush_right) is likely upside down: OSD
    before the first read, so that an upside-down page is not first read upright in vain
    (a weak read, then OSD, then the turned read: 2.3-2.5x raw Tesseract). A turned read
    that is still weak is set against the upright one, and the better kept."""
    angle = detect_rotation(source, scratch, options, dpi, deadline)
    if not angle:
        return Best(read(source, options.languages), source)
    turned = _turn(source, scratch, angle)
    best = Best(read(turned, options.languages), turned, rotation=angle)
    if _weak(best.reading):
        best.offer(read(source, options.languages), image=source, rotation=0)
    return best


def _try_turning(best: Best, scratch: Path, read: Read, options: ExtractionOptions,
                 dpi: int | None, deadline: float | None) -> None:
    angle = detect_rotation(best.image, scratch, options, dpi, deadline)
    if angle:
        turned = _turn(best.image, scratch, angle)
        best.offer(read(turned, options.languages), image=turned, rotation=angle)


def _turn(image: Path, scratch: Path, angle: int) -> Path:
    turned = scratch / f"turned-{angle}.pgm"
    with Image.open(image) as page:
        page.rotate(-angle, expand=True).save(turned, format="PPM")
    return turned


