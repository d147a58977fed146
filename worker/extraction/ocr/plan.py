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
  Only when the layout is undecided (the columns' ink forms rows just as well: tightly set
  horizontal lines) or the page is a chart (a rotated axis label is a column) is the page
  also read horizontally, and the better read kept; a full
  extra pass on every mixed page cost 3x raw Tesseract and never won on the eval.
- junk.py then drops the words that are not text (counted in `dropped_words`).
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from worker.extraction.ocr.junk import drop_junk
from worker.extraction.ocr.layout import Layout, analyse, paint_out
from worker.extraction.ocr.reading import (
    LATIN_JUNK_SHARE,
    Reading,
    Word,
    merge_recovered,
    patch_latin_junk,
    placed,
    sure_line_boxes,
)
from worker.extraction.ocr.tesseract import (
    AUTOMATIC_LAYOUT,
    SPARSE_TEXT,
    UNIFORM_BLOCK,
    detect_rotation,
    read_page,
    require_languages,
    vertical_languages,
)
from worker.extraction.ocr.unread import mask_read_lines
from worker.extraction.options import ExtractionOptions

CONFIDENT_READ = 80.0  # mean word confidence from which a read is kept without second tries
VERTICAL_PSM = "5"  # one block of vertical text: measured against psm 3 in the README
REGION_PADDING_EMS = 0.4  # painted around a region of the other orientation
RECOVER_BELOW = 0.0  # lines read at least this surely are not read again; every line read:
# re-reading unsure lines cost receipts and tables two runs each and won nothing on the
# eval; what the layout left out entirely (a title, line numbers) is still read
PAINT_GRAPHICS = True  # graphics painted out of what Tesseract reads (tables kept)
LARGE_LINE_PX = 36  # large lines are reduced to about this height (body size)
LARGE_LINE_PADDING = 0.3  # of the line's height, kept around a large line's crop
Read = Callable[..., Reading]


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
        if kind == "vertical" and vertical:
            require_languages(vertical, osd=False)
            best = _vertical(source, scratch, read, vertical, options, dpi, deadline, layout)
        elif kind == "mixed" and vertical:
            require_languages(vertical, osd=False)
            best = _mixed(image, scratch, layout, read, vertical, options)
            if layout.undecided or layout.graphic:  # the better read decides: rows as
                # well as columns, or a chart whose rotated axis label looks like a column
                best = _better(best, _horizontal(source, scratch, read, options, dpi,
                                                 deadline, layout))
        else:
            best = _horizontal(source, scratch, read, options, dpi, deadline, layout)
    reading, dropped = drop_junk(best.reading)
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
                dpi: int | None, deadline: float | None, layout: Layout) -> _Best:
    best = _Best(read(source, options.languages), source)
    if options.detect_orientation and _weak(best.reading):
        _try_turning(best, scratch, read, options, dpi, deadline)
    languages = options.languages.split("+")
    if ("jpn" in languages and len(languages) > 1 and _weak(best.reading)
            and best.reading.latin_junk_share >= LATIN_JUNK_SHARE):
        best.passes += 1
        best.reading = patch_latin_junk(best.reading, read(best.image, "jpn"))
    if best.rotation == 0 and layout.graphic:
        _read_large_lines(best, scratch, read, layout, dpi)
    _recover_unread(best, scratch, read, dpi, layout)
    return best


def _read_large_lines(best: _Best, scratch: Path, read: Read, layout: Layout,
                      dpi: int | None) -> None:
    """One pass over the page's large lines alone, reduced to body size: Tesseract read a
    67-px slide title as `Ranbll7L77C2)ba`, the same crop halved as 製品別シェアの比較 (its
    models are trained on lines of body size; see layout.LARGE_CHAR_PX);
    each line found replaces the first read's line at its place only when it reads better."""
    boxes = layout.large_lines
    if not boxes:
        return
    with Image.open(best.image) as opened:
        page = opened.convert("L")
    only = Image.new("L", page.size, 255)
    for box in boxes:
        pad = round(LARGE_LINE_PADDING * (box[3] - box[1]))
        grown = _padded(box, pad, page.size)
        only.paste(page.crop(grown), grown[:2])
    factor = max(2, round(statistics.median(b[3] - b[1] for b in boxes) / LARGE_LINE_PX))
    reduced = scratch / "large-lines.pgm"
    only.reduce(factor).save(reduced, format="PPM")
    best.passes += 1
    found = read(reduced, best.reading.languages, UNIFORM_BLOCK,
                 dpi // factor if dpi else None)
    best.reading = merge_recovered(best.reading, placed(found, factor, (0, 0)))


def _vertical(source: Path, scratch: Path, read: Read, languages: str,
              options: ExtractionOptions, dpi: int | None, deadline: float | None,
              layout: Layout) -> _Best:
    """jpn_vert psm 5 on a page whose columns run down; but a horizontal page turned
    sideways has columns too, so OSD asks first (it tells the two apart by the characters:
    0 on every tategaki page of the eval, 90/270 on the turned ones) and a turned page is
    read horizontally, upright."""
    angle = 0
    if options.detect_orientation:
        angle = detect_rotation(source, scratch, options, dpi, deadline)
    if angle:
        turned = _turn(source, scratch, angle)
        best = _Best(read(turned, options.languages), turned, rotation=angle)
        if not _weak(best.reading):
            return best
        best.offer(read(source, languages, VERTICAL_PSM), image=source, rotation=0,
                   vertical=True)
        return best
    best = _Best(read(source, languages, VERTICAL_PSM), source, vertical=True)
    if not _weak(best.reading):
        return best
    # A short horizontal line can look like a column (a kanji's radical is tall and thin):
    # the horizontal plan too, and the better read wins.
    return _better(best, _horizontal(source, scratch, read, options, dpi, deadline, layout))


def _better(planned: _Best, across: _Best) -> _Best:
    """The plan's read or the plain horizontal one, whichever read more surely: lines of
    horizontal text set tightly also line up in columns, and a kanji's radical alone looks
    like one, so a vertical plan must show that it reads better (issue 9: no pass may make
    a page worse)."""
    winner = across if across.reading.score > planned.reading.score else planned
    winner.passes = planned.passes + across.passes
    return winner


def _try_turning(best: _Best, scratch: Path, read: Read, options: ExtractionOptions,
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


def _mixed(image: Path, scratch: Path, layout: Layout, read: Read, languages: str,
           options: ExtractionOptions) -> _Best:
    """One horizontal read with the vertical regions painted out, and one psm-5 read of
    each vertical region's crop; regions in reading order (top down, right to left)."""
    pad = round(REGION_PADDING_EMS * layout.em)
    regions = sorted(layout.regions, key=lambda r: (r.box[1], -r.box[2]))
    columns = [_padded(r.box, pad, (1 << 30, 1 << 30)) for r in regions if r.vertical]
    across = paint_out(image, scratch / "across.pgm", layout, graphics=PAINT_GRAPHICS,
                       boxes=columns)
    horizontal = read(across, options.languages)
    down = paint_out(image, scratch / "down.pgm", layout, graphics=PAINT_GRAPHICS, boxes=[])
    passes = 1
    words: list[Word] = []
    with Image.open(down) as page:
        for number, region in enumerate(regions):
            if region.vertical:
                box = _padded(region.box, pad, page.size)
                crop = scratch / f"region-{number}.pgm"
                page.crop(box).save(crop, format="PPM")
                inside = list(placed(read(crop, languages, VERTICAL_PSM), 1, box[:2]).words)
                passes += 1
            else:
                inside = [w for w in horizontal.words if _centre_in(w, region.box)]
            words += [replace(w, line=(number * 1000 + w.line[0], *w.line[1:])) for w in inside]
    loose = [w for w in horizontal.words if not any(_centre_in(w, r.box) for r in regions)]
    words += [replace(w, line=(len(regions) * 1000 + w.line[0], *w.line[1:])) for w in loose]
    merged = replace(horizontal, words=tuple(words),
                     languages=f"{options.languages},{languages}")
    return _Best(merged, image, passes=passes, vertical=True)


def _padded(box: tuple[int, int, int, int], pad: int,
            size: tuple[int, int]) -> tuple[int, int, int, int]:
    return (max(0, box[0] - pad), max(0, box[1] - pad), min(size[0], box[2] + pad),
            min(size[1], box[3] + pad))


def _recovery_languages(languages: str) -> str:
    """`jpn` alone where the page was read with `jpn+...`: it reads plain Latin and digits
    too (titles, line numbers) and one model costs less than two on every leftover."""
    return "jpn" if "jpn" in languages.split("+") else languages


def _centre_in(word: Word, box: tuple[int, int, int, int]) -> bool:
    x, y = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _recover_unread(best: _Best, scratch: Path, read: Read, dpi: int | None,
                    layout: Layout) -> None:
    """Read what page segmentation left out (see unread.py) with a sparse-text pass over
    the page with its surely read lines masked; merge what it finds into the best read.
    Rules and a table's ruling are no leftover text: they are painted out first (a
    receipt's rule cost two runs that read nothing)."""
    image = best.image
    if best.rotation == 0 and layout.rules is not None and layout.rules.any():
        image = paint_out(image, scratch / "no-rules.pgm", layout, graphics=True, boxes=[],
                          rules=True)
    chart = layout.graphic  # labels scattered around graphics: sparse text
    leftover = mask_read_lines(image, sure_line_boxes(best.reading, RECOVER_BELOW),
                               scratch / "unread.pgm", dpi, halve=not chart)
    if leftover is None:
        return
    order = (SPARSE_TEXT, UNIFORM_BLOCK) if chart else (UNIFORM_BLOCK, SPARSE_TEXT)
    for psm in order:  # each reads some leftovers the other cannot
        best.passes += 1
        found = read(leftover.image, _recovery_languages(best.reading.languages), psm,
                     leftover.dpi)
        merged = merge_recovered(best.reading, placed(found, leftover.scale, leftover.origin))
        if merged != best.reading:
            best.reading = merged
            return
