"""The reads a page plan (plan.py) is made of besides the first one: the mixed plan's
read of each region with its own model, the pass over a chart page's large lines at body
size, and the recovery of ink the first read left out. Apart from plan.py, which chooses
the plan and keeps the better read, so that each module stays short.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from worker.extraction.ocr.graphics import paint_out
from worker.extraction.ocr.layout import Layout
from worker.extraction.ocr.reading import (
    SURE_LINE_CONFIDENCE,
    Reading,
    Word,
    merge_recovered,
    placed,
    sure_line_boxes,
)
from worker.extraction.ocr.tesseract import SPARSE_TEXT, UNIFORM_BLOCK
from worker.extraction.ocr.unread import mask_read_lines
from worker.extraction.options import ExtractionOptions

VERTICAL_PSM = "5"  # one block of vertical text: measured against psm 3 in the README
REGION_PADDING_EMS = 0.4  # painted around a region of the other orientation
RECOVER_BELOW = 0.0  # lines read at least this surely are not read again; every line read:
# re-reading unsure lines cost receipts and tables two runs each and won nothing on the
# eval; what the layout left out entirely (a title, line numbers) is still read
PAINT_GRAPHICS = True  # graphics painted out of what Tesseract reads (tables kept)
LARGE_LINE_PX = 36  # large lines are reduced to about this height (body size)
LARGE_LINE_PADDING = 0.3  # of the line's height, kept around a large line's crop
Read = Callable[..., Reading]


@dataclass
class Best:
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


def read_large_lines(best: Best, scratch: Path, read: Read, layout: Layout,
                      dpi: int | None) -> None:
    """One pass over the page's large lines alone, reduced to body size: Tesseract read a
    67-px slide title as `Ranbll7L77C2)ba`, the same crop halved as 製品別シェアの比較 (its
    models are trained on lines of body size; see strips.LARGE_CHAR_PX);
    each line found replaces the first read's line at its place only when it reads better."""
    boxes = layout.large_lines
    if not boxes:
        return
    with Image.open(best.image) as opened:
        page = opened.convert("L")
    only = Image.new("L", page.size, 255)
    for box in boxes:
        pad = round(LARGE_LINE_PADDING * (box[3] - box[1]))
        grown = padded(box, pad, page.size)
        only.paste(page.crop(grown), grown[:2])
    factor = max(2, round(statistics.median(b[3] - b[1] for b in boxes) / LARGE_LINE_PX))
    reduced = scratch / "large-lines.pgm"
    only.reduce(factor).save(reduced, format="PPM")
    best.passes += 1
    found = read(reduced, best.reading.languages, UNIFORM_BLOCK,
                 dpi // factor if dpi else None)
    best.reading = merge_recovered(best.reading, placed(found, factor, (0, 0)))


def read_mixed(image: Path, scratch: Path, layout: Layout, read: Read, languages: str,
           options: ExtractionOptions) -> Best:
    """One horizontal read with the vertical regions painted out, and one psm-5 read of
    each vertical region's crop; regions in reading order (top down, right to left)."""
    pad = round(REGION_PADDING_EMS * layout.em)
    regions = sorted(layout.regions, key=lambda r: (r.box[1], -r.box[2]))
    columns = [padded(r.box, pad, (1 << 30, 1 << 30)) for r in regions if r.vertical]
    across = paint_out(image, scratch / "across.pgm", layout, graphics=PAINT_GRAPHICS,
                       boxes=columns)
    horizontal = read(across, options.languages)
    down = paint_out(image, scratch / "down.pgm", layout, graphics=PAINT_GRAPHICS, boxes=[])
    passes = 1
    words: list[Word] = []
    with Image.open(down) as page:
        for number, region in enumerate(regions):
            if region.vertical:
                box = padded(region.box, pad, page.size)
                crop = scratch / f"region-{number}.pgm"
                page.crop(box).save(crop, format="PPM")
                inside = list(placed(read(crop, languages, VERTICAL_PSM), 1, box[:2]).words)
                passes += 1
            else:
                inside = [w for w in horizontal.words if centre_in(w, region.box)]
            words += [replace(w, line=(number * 1000 + w.line[0], *w.line[1:])) for w in inside]
    loose = [w for w in horizontal.words if not any(centre_in(w, r.box) for r in regions)]
    words += [replace(w, line=(len(regions) * 1000 + w.line[0], *w.line[1:])) for w in loose]
    merged = replace(horizontal, words=tuple(words),
                     languages=f"{options.languages},{languages}")
    return Best(merged, image, passes=passes, vertical=True)


def padded(box: tuple[int, int, int, int], pad: int,
            size: tuple[int, int]) -> tuple[int, int, int, int]:
    return (max(0, box[0] - pad), max(0, box[1] - pad), min(size[0], box[2] + pad),
            min(size[1], box[3] + pad))


def centre_in(word: Word, box: tuple[int, int, int, int]) -> bool:
    x, y = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _recovery_languages(languages: str) -> str:
    """`jpn` alone where the page was read with `jpn+...`: it reads plain Latin and digits
    too (titles, line numbers) and one model costs less than two on every leftover."""
    return "jpn" if "jpn" in languages.split("+") else languages


def recover_unread(best: Best, scratch: Path, read: Read, dpi: int | None,
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
    usual = sure_line_boxes(best.reading, RECOVER_BELOW)
    # a heading read surely but not tall enough to be halved reads the same again at the
    # same scale (a receipt's shop name, conf 80-93: two runs that found nothing new on
    # every receipt of the eval); a tall line of junk (two skewed photo lines read as one,
    # conf 18) is read again
    headings = [box for box in sure_line_boxes(best.reading, RECOVER_BELOW,
                                               tall_from=SURE_LINE_CONFIDENCE)
                if box not in usual]
    leftover = mask_read_lines(image, usual, scratch / "unread.pgm", dpi, halve=not chart,
                               unless_halved=None if chart else headings)
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
