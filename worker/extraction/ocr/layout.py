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
- orientation: the text ink is smeared along rows and, apart, along columns, closing gaps
  under 0.6 em (characters within a line are closer than lines are): a horizontal line
  becomes a long, thin horizontal strip in the first, a vertical column a long, thin
  vertical strip in the second. The ink in each kind of strip is what votes;
- regions: strips of one orientation close to each other form a region.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

Box = tuple[int, int, int, int]  # left, top, right, bottom, full-resolution pixels
WORK_DPI = 100  # the analysis runs on a copy reduced to about this resolution
GRAPHIC_EMS = 4.0  # a component larger than this many characters across is graphics
RULE_THICKNESS_EMS = 0.3  # thinner than this and longer than RULE_LENGTH_EMS: a rule
RULE_LENGTH_EMS = 2.5
SMEAR_EMS = 0.6  # gaps closed along a line: characters are closer than lines
STRIP_LENGTH_EMS = 2.2  # a strip at least this long ...
STRIP_THICKNESS_EMS = 1.8  # ... and at most this thick is a line (or a column) of text
STRIP_SHAPE = 2.5  # ... when it is this many times longer than thick (not one large kanji)
REGION_GAP_EMS = 1.5  # strips of one orientation closer than this share a region
MIN_EM_PX = 4  # at WORK_DPI; smaller components are specks
RULE_SPAN = 0.6  # a row (column) of a graphic this full is one of its rules
RULED_SHARE = 0.9  # a graphic with this share of its ink on rules is a table: kept
DOT_FILL = 0.7  # small components this solid are dots and markers, not characters
PAPER_WINDOW = 25  # working pixels around a pixel where the paper's brightness is found
INK_CONTRAST = 0.75  # ink is darker than this share of the paper around it
FAINT_CONTRAST = 0.92  # any mark darker than this share of the paper: light grid lines, pale
# curves; Tesseract's own threshold can make them ink though the analysis above did not
MIN_HEADER_EMS = 3.0  # a horizontal line this long makes a vertical page mixed
MIN_SIDE_COLUMNS = 2  # vertical columns that make a horizontal page mixed ...
SIDE_SHARE = 0.15  # ... when they hold this share of the text ink
LARGE_CHAR_PX = 52  # a character this tall (full-resolution pixels) is large text: a title
LARGE_ROW_GAP = 5  # large characters fewer than this many apart share a row
UNDECIDED_CROSSING = 0.5  # of the column ink also in rows: the layout cannot tell the two
MIN_LONE_COLUMN_EMS = 4.0  # one column shorter than this is no sign of vertical text (a
# kanji's radical, 言 of 請, is a tall thin strip by itself)


@dataclass(frozen=True)
class Region:
    box: Box
    vertical: bool
    ink: int  # text pixels (at the working resolution) in its strips
    strips: int  # lines (or columns) of text in it


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
        painted[number] = not (_ruled(own) and text_ink[box].sum() > others.sum())
    graphics = np.concatenate(([False], painted))[labels]  # per-label lookup
    regions, crossed = _regions(text_ink, em, scale)
    if graphics.sum() > sum(r.ink for r in regions):  # a chart page (Layout.graphic)
        graphics |= _faint_graphics(small < paper * FAINT_CONTRAST, text_ink | every_graphic,
                                    em)
    large = text & (heights * scale >= LARGE_CHAR_PX)
    return Layout(scale, em * scale, tuple(regions), int(graphics.sum()), graphics,
                  every_graphic, _rows(np.concatenate(([False], large))[labels], scale),
                  crossed)


def _ruled(component: NDArray[np.bool_]) -> bool:
    """A table's rules: nearly all its ink lies on rows or columns that cross it. Kept when
    it holds more text than other graphics (a chart's grid holds curves): Tesseract reads a
    ruled table better with its rules than without, they keep the cells apart."""
    rows = component.sum(axis=1) >= RULE_SPAN * component.shape[1]
    columns = component.sum(axis=0) >= RULE_SPAN * component.shape[0]
    on_rules = component[rows, :].sum() + component[:, columns].sum()
    return bool(on_rules >= RULED_SHARE * component.sum())


def _guess_dpi(image: Image.Image) -> int:
    """A page of unknown resolution: treat its long side as an A4 page's (11.7 in)."""
    return max(WORK_DPI, round(max(image.size) / 11.7))


def _faint_graphics(marks: NDArray[np.bool_], kept: NDArray[np.bool_],
                    em: float) -> NDArray[np.bool_]:
    """The faint marks that form something much larger than a character (a chart's light
    grid, a pale curve, the anti-aliased edges of lines) once the text and the graphics the
    analysis already judged (a kept table's rules) are taken out with a pixel around them
    (else the halos of a title's characters join into one long mark, and a small stroke
    of 六 that is no text component by itself went with it). On chart pages only: on
    photographed pages the edges of shadows and of the sheet are such marks, and
    painting them cost two photos 0.03-0.06 F1:
    a chart's grid in light grey was no ink here but became `ーーー` and `|` in Tesseract."""
    guard = ndimage.maximum_filter(kept.view(np.uint8), size=3).astype(bool)
    labels, count = ndimage.label(marks & ~guard, structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return np.zeros_like(marks)
    large = [False] + [max(b[0].stop - b[0].start, b[1].stop - b[1].start) > GRAPHIC_EMS * em
                       for b in ndimage.find_objects(labels)]
    faint: NDArray[np.bool_] = np.asarray(large)[labels]
    return faint


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


def _strips(text_ink: NDArray[np.bool_], em: float, vertical: bool) -> list[tuple[Box, int]]:
    """(working box, ink) of the long thin strips the smeared ink forms along one axis."""
    gap = max(1, round(SMEAR_EMS * em))
    axis = 0 if vertical else 1
    grown = ndimage.maximum_filter1d(text_ink.view(np.uint8), gap, axis=axis)
    smeared = ndimage.minimum_filter1d(grown, gap, axis=axis).astype(bool) | text_ink
    labels, count = ndimage.label(smeared)
    if count == 0:
        return []
    ink = np.bincount(labels.ravel(), weights=text_ink.ravel(), minlength=count + 1)
    strips = []
    for number, found in enumerate(ndimage.find_objects(labels), start=1):
        height, width = found[0].stop - found[0].start, found[1].stop - found[1].start
        length, thickness = (height, width) if vertical else (width, height)
        if (length >= STRIP_LENGTH_EMS * em and thickness <= STRIP_THICKNESS_EMS * em
                and length >= STRIP_SHAPE * thickness):
            strips.append(((found[1].start, found[0].start, found[1].stop, found[0].stop),
                           int(ink[number])))
    return strips


def _rows(marks: NDArray[np.bool_], scale: int) -> tuple[Box, ...]:
    """Full-resolution boxes of the rows that the marked characters form (gaps under
    LARGE_ROW_GAP characters closed along the row: the kana between a title's kanji are
    smaller)."""
    if not marks.any():
        return ()
    gap = max(1, round(LARGE_ROW_GAP * LARGE_CHAR_PX / scale))
    joined = ndimage.maximum_filter1d(marks.view(np.uint8), gap, axis=1).astype(bool)
    labels, _ = ndimage.label(joined)
    return tuple((b[1].start * scale, b[0].start * scale, b[1].stop * scale, b[0].stop * scale)
                 for b in ndimage.find_objects(labels) if b is not None)


def _near(a: Box, b: Box, reach: float) -> bool:
    return (max(a[0], b[0]) - min(a[2], b[2]) <= reach
            and max(a[1], b[1]) - min(a[3], b[3]) <= reach)


def _regions(text_ink: NDArray[np.bool_], em: float,
             scale: int) -> tuple[list[Region], float]:
    """Strips of one orientation within REGION_GAP_EMS of each other, grouped; and the
    share of the ink in vertical strips that lies in horizontal strips too (the same ink
    read both ways: horizontal text set tightly also lines up in columns)."""
    regions = []
    covered = []
    for vertical in (False, True):
        groups: list[list[tuple[Box, int]]] = []
        strips = _strips(text_ink, em, vertical)
        covered.append(_covered(text_ink, [box for box, _ in strips]))
        for strip in strips:
            touching = [g for g in groups if any(_near(strip[0], box, REGION_GAP_EMS * em)
                                                 for box, _ in g)]
            merged = [strip] + [member for g in touching for member in g]
            groups = [g for g in groups if g not in touching] + [merged]
        for members in groups:
            left = min(b[0] for b, _ in members)
            top = min(b[1] for b, _ in members)
            right = max(b[2] for b, _ in members)
            bottom = max(b[3] for b, _ in members)
            regions.append(Region((left * scale, top * scale, right * scale, bottom * scale),
                                  vertical, sum(ink for _, ink in members), len(members)))
    down = int(covered[1].sum())
    return regions, (int((covered[0] & covered[1]).sum()) / down if down else 0.0)


def _covered(text_ink: NDArray[np.bool_], boxes: list[Box]) -> NDArray[np.bool_]:
    """The text ink inside the given working boxes."""
    inside = np.zeros_like(text_ink)
    for left, top, right, bottom in boxes:
        inside[top:bottom, left:right] = True
    covered: NDArray[np.bool_] = inside & text_ink
    return covered


def paint_out(image: Path, target: Path, layout: Layout, *, graphics: bool,
              boxes: list[Box], rules: bool = False) -> Path:
    """A copy of `image` (PGM) with the graphic ink and/or the given boxes painted white."""
    with Image.open(image) as opened:
        page = np.array(opened.convert("L"))
    mask = layout.rules if rules and layout.rules is not None else layout.graphics
    if graphics and mask.any():
        grown = ndimage.maximum_filter(mask.view(np.uint8), size=3).astype(bool)
        full = np.kron(grown, np.ones((layout.scale, layout.scale), dtype=bool))
        height, width = min(full.shape[0], page.shape[0]), min(full.shape[1], page.shape[1])
        page[:height, :width][full[:height, :width]] = 255
    for left, top, right, bottom in boxes:
        page[max(0, top):bottom, max(0, left):right] = 255
    Image.fromarray(page).save(target, format="PPM")
    return target
