"""Where the text lies on a page, for layout.py: its lines and columns, grouped into
regions, and the rows of large characters (titles). Apart from layout.py's ink and
graphics analysis because finding lines is its own concern (and kept both modules short).

- orientation: the text ink is smeared along rows and, apart, along columns, closing gaps
  under 0.6 em (characters within a line are closer than lines are): a horizontal line
  becomes a long, thin horizontal strip in the first, a vertical column a long, thin
  vertical strip in the second. The ink in each kind of strip is what votes;
- regions: strips of one orientation close to each other form a region.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

Box = tuple[int, int, int, int]  # left, top, right, bottom, full-resolution pixels
SMEAR_EMS = 0.6  # gaps closed along a line: characters are closer than lines
STRIP_LENGTH_EMS = 2.2  # a strip at least this long ...
STRIP_THICKNESS_EMS = 1.8  # ... and at most this thick is a line (or a column) of text
STRIP_SHAPE = 2.5  # ... when it is this many times longer than thick (not one large kanji)
REGION_GAP_EMS = 1.5  # strips of one orientation closer than this share a region
RAGGED_EMS = 2.0  # a line ending this far short of its region's edge leaves that edge ragged
LARGE_CHAR_PX = 52  # a character this tall (full-resolution pixels) is large text: a title
LARGE_ROW_GAP = 5  # large characters fewer than this many apart share a row


@dataclass(frozen=True)
class Region:
    box: Box
    vertical: bool
    ink: int  # text pixels (at the working resolution) in its strips
    strips: int  # lines (or columns) of text in it
    ragged_left: int = 0  # lines (of a horizontal region) starting RAGGED_EMS in from its left
    ragged_right: int = 0  # ... ending RAGGED_EMS short of its right


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


def large_rows(marks: NDArray[np.bool_], scale: int) -> tuple[Box, ...]:
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


def find_regions(text_ink: NDArray[np.bool_], em: float,
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
            reach = RAGGED_EMS * em
            ragged_left = 0 if vertical else sum(b[0] - left > reach for b, _ in members)
            ragged_right = 0 if vertical else sum(right - b[2] > reach for b, _ in members)
            regions.append(Region((left * scale, top * scale, right * scale, bottom * scale),
                                  vertical, sum(ink for _, ink in members), len(members),
                                  ragged_left, ragged_right))
    down = int(covered[1].sum())
    return regions, (int((covered[0] & covered[1]).sum()) / down if down else 0.0)


def _covered(text_ink: NDArray[np.bool_], boxes: list[Box]) -> NDArray[np.bool_]:
    """The text ink inside the given working boxes."""
    inside = np.zeros_like(text_ink)
    for left, top, right, bottom in boxes:
        inside[top:bottom, left:right] = True
    covered: NDArray[np.bool_] = inside & text_ink
    return covered
