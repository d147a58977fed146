"""The graphics of a page, for layout.py and the plan: which large components are a
table's ruling (kept: Tesseract's layout leans on it), which faint marks form a chart's
light grid or pale curves, and the copy of a page with the graphics painted white that
Tesseract reads. Apart from layout.py because painting is its own concern (and kept both
modules short).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy import ndimage

if TYPE_CHECKING:
    from worker.extraction.ocr.layout import Layout

Box = tuple[int, int, int, int]  # left, top, right, bottom, full-resolution pixels
GRAPHIC_EMS = 4.0  # a component larger than this many characters across is graphics
RULE_SPAN = 0.6  # a row (column) of a graphic this full is one of its rules
RULED_SHARE = 0.9  # a graphic with this share of its ink on rules is a table: kept


def ruled(component: NDArray[np.bool_]) -> bool:
    """A table's rules: nearly all its ink lies on rows or columns that cross it. Kept when
    it holds more text than other graphics (a chart's grid holds curves): Tesseract reads a
    ruled table better with its rules than without, they keep the cells apart."""
    rows = component.sum(axis=1) >= RULE_SPAN * component.shape[1]
    columns = component.sum(axis=0) >= RULE_SPAN * component.shape[0]
    on_rules = component[rows, :].sum() + component[:, columns].sum()
    return bool(on_rules >= RULED_SHARE * component.sum())


def faint_graphics(marks: NDArray[np.bool_], kept: NDArray[np.bool_],
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


def paint_out(image: Path, target: Path, layout: Layout, *, graphics: bool,
              boxes: list[Box], rules: bool = False) -> Path:
    """A copy of `image` (PGM) with the graphic ink and/or the given boxes painted white;
    `image` itself when there is nothing to paint (no copy written: most pages)."""
    mask = layout.rules if rules and layout.rules is not None else layout.graphics
    painted = graphics and bool(mask.any())
    if not boxes and not painted:
        return image
    with Image.open(image) as opened:
        page = np.array(opened.convert("L"))
    if painted:
        grown = ndimage.maximum_filter(mask.view(np.uint8), size=3).astype(bool)
        full = grown.repeat(layout.scale, axis=0).repeat(layout.scale, axis=1)
        height, width = min(full.shape[0], page.shape[0]), min(full.shape[1], page.shape[1])
        page[:height, :width][full[:height, :width]] = 255
    for left, top, right, bottom in boxes:
        page[max(0, top):bottom, max(0, left):right] = 255
    Image.fromarray(page).save(target, format="PPM")
    return target
