"""A cheap look at a page before any Tesseract run: is its text horizontal, vertical or both,
where, and which ink is graphics rather than text.

Tesseract's own layout analysis only runs inside a recognition pass with one model, and a
horizontal read of a tategaki page gives no reliable sign that the page was vertical (four
plain Mincho columns came out as confident junk). So the page is looked at first, on a copy
reduced to about 100 dpi (a few tens of milliseconds):

- ink: darker than the Otsu threshold; connected components (scipy.ndimage) of the ink;
- the typical character size `em`: the upper quartile of component sizes (kanji fill their
  em square; kana strokes and punctuation are smaller);
- graphics: components much larger than a character (frames, grid lines, curves, bars)
  are painted out of the copy Tesseract reads, so charts stop turning into `EEEE`/`ーーー`,
  while the text around and inside them stays. Lone rules and a table's ruling are kept:
  Tesseract's own layout leans on them (painting a receipt's rule or a table's grid out
  scrambled the reading order and lost a column);
- orientation and regions: the text's lines and columns (strips.py);
- graphics painted out and the table ruling kept: graphics.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

from worker.extraction.ocr.graphics import GRAPHIC_EMS, faint_graphics, ruled
from worker.extraction.ocr.strips import LARGE_CHAR_PX, Box, Region, find_regions, large_rows

WORK_DPI = 100  # the analysis runs on a copy reduced to about this resolution
RULE_THICKNESS_EMS = 0.3  # thinner than this and longer than RULE_LENGTH_EMS: a rule
RULE_LENGTH_EMS = 2.5
MIN_EM_PX = 4  # at WORK_DPI; smaller components are specks
DOT_FILL = 0.7  # small components this solid are dots and markers, not characters
PAPER_WINDOW = 25  # working pixels around a pixel where the paper's brightness is found
INK_CONTRAST = 0.75  # ink is darker than this share of the paper around it
FAINT_CONTRAST = 0.92  # any mark darker than this share of the paper: light grid lines, pale
# curves; Tesseract's own threshold can make them ink though the analysis above did not
CURVE_BIT_EMS = 0.5  # one pixel thin and shorter than this: a bit of a pale curve's ink, no
# stroke of text (a thin curve reduced to WORK_DPI breaks into such bits among its faint pixels)
MIN_HEADER_EMS = 3.0  # a horizontal line this long makes a vertical page mixed
MIN_SIDE_COLUMNS = 2  # vertical columns that make a horizontal page mixed ...
SIDE_SHARE = 0.15  # ... when they hold this share of the text ink
UNDECIDED_CROSSING = 0.5  # of the column ink also in rows: the layout cannot tell the two
FLUSH_MARGIN = 1.2  # ragged-left lines over this many times the ragged-right ones, and ...
MIN_RAGGED_LINES = 3  # ... at least this many: the lines are flush right
MIN_LONE_COLUMN_EMS = 4.0  # one column shorter than this is no sign of vertical text (a
# kanji's radical, 言 of 請, is a tall thin strip by itself)


@dataclass(frozen=True)
class Layout:
    """What the page holds, by the analysis above; boxes in full-resolution pixels."""

    scale: int  # full-resolution pixels per working pixel
    em: float  # typical character size, full-resolution pixels (0 with no text)
    regions: tuple[Region, ...]
    graphic_ink: int  # working pixels of graphics
    graphics: NDArray[np.bool_]  # working-resolution mask of graphic ink
    rules: NDArray[np.bool_] | None = None  # the same with rules and table ruling too
    large_lines: tuple[Box, ...] = ()  # rows of large characters (titles, headings)
    crossed: float = 0.0  # share of the column ink that lies in rows of text as well

    @property
    def vertical_share(self) -> float:
        """Share of the text ink in vertical columns (0.0 with no text lines found)."""
        vertical = sum(r.ink for r in self.regions if r.vertical)
        total = sum(r.ink for r in self.regions)
        return vertical / total if total else 0.0

    @property
    def undecided(self) -> bool:
        """The ink of the columns forms rows of text just as well: tightly set horizontal
        lines whose characters also line up down the page (every such page of 12 lines with
        under 0.5 em of leading: 0.98-1.0), where true tategaki columns never did (0.0 on
        every vertical and mixed page of the eval). Only a read can tell these apart."""
        return self.crossed >= UNDECIDED_CROSSING

    @property
    def flush_right(self) -> bool:
        """More of the horizontal lines leave the left edge of their block ragged than the
        right: text set from left to right starts every line at the left margin and ends
        paragraphs short at the right, so such a page is likely upside down (or right
        aligned: then one OSD run is all it costs). On the tuning pages upright text had
        0.3-0.75 times as many ragged-left lines as ragged-right ones, pages upside down
        1.5-2.6 times."""
        rows = [r for r in self.regions if not r.vertical]
        left = sum(r.ragged_left for r in rows)
        return left >= MIN_RAGGED_LINES and left > FLUSH_MARGIN * sum(r.ragged_right for r in rows)

    @property
    def graphic(self) -> bool:
        """More graphic ink than text ink: a chart, a plot, a diagram, whose labels are
        scattered around the graphics (a letter's seal or a table's rules are less)."""
        return self.graphic_ink > sum(r.ink for r in self.regions)

    @property
    def kind(self) -> str:
        """"vertical", "mixed" or "horizontal" (the default: no strips found either way).
        A mostly vertical page with a real line of horizontal text (a header) is mixed; a
        mostly horizontal page only with a block of vertical columns (a seal's two stacked
        characters or a column of numbers in a table is not one)."""
        share = self.vertical_share
        if share >= 0.5 and not self._one_short_column():
            across = [r for r in self.regions if not r.vertical
                      and r.box[2] - r.box[0] >= MIN_HEADER_EMS * self.em]
            return "mixed" if across else "vertical"
        columns = sum(r.strips for r in self.regions if r.vertical)
        return "mixed" if columns >= MIN_SIDE_COLUMNS and share >= SIDE_SHARE else "horizontal"

    def _one_short_column(self) -> bool:
        columns = [r for r in self.regions if r.vertical]
        return (sum(r.strips for r in columns) == 1
                and columns[0].box[3] - columns[0].box[1] < MIN_LONE_COLUMN_EMS * self.em)


def analyse(image: Image.Image, dpi: int | None) -> Layout:
    """The layout of a grayscale page image (see the module docstring)."""
    scale = max(1, round((dpi or _guess_dpi(image)) / WORK_DPI))
    small = np.asarray(image.reduce(scale) if scale > 1 else image, dtype=np.uint8)
    paper = ndimage.maximum_filter(small, size=PAPER_WINDOW)
    ink = _ink(small, paper)
    labels, count = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    empty = np.zeros_like(ink)
    if count == 0:
        return Layout(scale, 0.0, (), 0, empty)
    boxes = ndimage.find_objects(labels)
    heights = np.array([b[0].stop - b[0].start for b in boxes])
    widths = np.array([b[1].stop - b[1].start for b in boxes])
    longest, shortest = np.maximum(heights, widths), np.minimum(heights, widths)
    areas = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    dots = (areas > DOT_FILL * heights * widths) & (longest < 3 * MIN_EM_PX)
    sized = longest[(longest >= MIN_EM_PX) & (longest <= max(ink.shape) // 8) & ~dots]
    if sized.size == 0:
        return Layout(scale, 0.0, (), 0, empty)
    em = float(np.percentile(sized, 75))
    large = longest > GRAPHIC_EMS * em
    rule = (shortest < RULE_THICKNESS_EMS * em) & (longest > RULE_LENGTH_EMS * em)
    graphic = large | rule
    text = (longest >= max(2, em / 5)) & ~graphic
    text_ink = np.concatenate(([False], text))[labels]
    every_graphic = np.concatenate(([False], graphic))[labels]
    painted = large & ~rule  # a lone rule is kept: Tesseract's layout leans on it
    for number in np.flatnonzero(painted):
        box, own = boxes[number], labels[boxes[number]] == number + 1
        others = every_graphic[box] & ~own
        painted[number] = not (ruled(own) and text_ink[box].sum() > others.sum())
    graphics = np.concatenate(([False], painted))[labels]  # per-label lookup
    regions, crossed = find_regions(text_ink, em, scale)
    if graphics.sum() > sum(r.ink for r in regions):  # a chart page (Layout.graphic)
        strokes = text & ~((shortest <= 1) & (longest <= CURVE_BIT_EMS * em))
        graphics |= faint_graphics(small < paper * FAINT_CONTRAST,
                                   np.concatenate(([False], strokes))[labels] | every_graphic,
                                   em)
    large = text & (heights * scale >= LARGE_CHAR_PX)
    return Layout(scale, em * scale, tuple(regions), int(graphics.sum()), graphics,
                  every_graphic, large_rows(np.concatenate(([False], large))[labels], scale),
                  crossed)


def _guess_dpi(image: Image.Image) -> int:
    """A page of unknown resolution: treat its long side as an A4 page's (11.7 in)."""
    return max(WORK_DPI, round(max(image.size) / 11.7))


def _ink(gray: NDArray[np.uint8], paper: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Darker than Otsu's threshold and clearly darker than the paper around it (a shadow
    or a tinted photo of a page is not ink)."""
    ink: NDArray[np.bool_] = (gray < _threshold(gray)) & (gray < paper * INK_CONTRAST)
    return ink


def _threshold(gray: NDArray[np.uint8]) -> int:
    """Otsu's threshold, never above 200 (a nearly white page has no ink to speak of)."""
    histogram = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    total, total_mean = weights[-1], means[-1]
    background = total - weights
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mean * weights - means * total) ** 2 / (weights * background)
    between = np.nan_to_num(between)
    return int(min(200, int(np.argmax(between)) + 1))


