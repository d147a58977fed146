"""Where to cut a page that is too large to render whole at a legible resolution. Pure.

A page whose pixels at the OCR resolution exceed the per-image budget used to be rendered at
a lower resolution until it fitted, which made small print unreadable (a 9000 x 9000-pixel
page: "300 DPI" read "BOO DP"). Instead it is rendered in tiles at full resolution, each
within the budget, and the cuts are moved to the emptiest row or column nearby (found on a
low-resolution preview), so lines of text are not cut through. Full-width bands are
preferred (a horizontal line of text is never cut across) while a band can stay at least
MIN_BAND pixels high; wider pages get a grid. Only when a page would need more than
MAX_TILES tiles is its resolution lowered, to what MAX_TILES tiles hold.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from PIL import Image

MAX_TILES = 16
MIN_BAND = 128  # pixels: a band lower than this (two lines of 12 pt at 300 dpi) makes a grid
CUT_WINDOW = 0.15  # a cut moves at most this share of a tile's side to find white space
_SLACK_1D = 1 + 2 * CUT_WINDOW  # how much larger a band may grow when its cuts move
_SLACK = _SLACK_1D ** 2  # ... and a tile of a grid


@dataclass(frozen=True)
class Tile:
    x: int
    y: int
    width: int
    height: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.width, self.height)


def tiled_dpi(width_in: float, height_in: float, dpi: int, max_pixels: int) -> int:
    """`dpi`, or the highest resolution at which MAX_TILES tiles cover the page."""
    pixels = width_in * dpi * height_in * dpi
    budget = MAX_TILES * max_pixels / _SLACK
    return dpi if pixels <= budget else int(dpi * math.sqrt(budget / pixels))


def plan_tiles(width: int, height: int, max_pixels: int,
               preview: Image.Image | None = None) -> list[Tile]:
    """Tiles covering a width x height page, each at most max_pixels; cuts moved to white
    space of `preview` (the page at any lower scale, 8-bit gray) when given."""
    if width * height <= max_pixels:
        return [Tile(0, 0, width, height)]
    band = max_pixels / _SLACK_1D / width
    if band >= MIN_BAND:
        columns, rows = 1, math.ceil(height / band)
    else:
        side = math.sqrt(max_pixels / _SLACK)
        columns, rows = math.ceil(width / side), math.ceil(height / side)
    xs = _cuts(width, columns, _profile(preview, width, axis=0) if preview else None)
    ys = _cuts(height, rows, _profile(preview, height, axis=1) if preview else None)
    return [Tile(x0, y0, x1 - x0, y1 - y0)
            for y0, y1 in itertools.pairwise(ys)
            for x0, x1 in itertools.pairwise(xs)]


def _profile(preview: Image.Image, length: int, axis: int) -> list[float]:
    """Ink per column (axis 0) or row (axis 1) of the preview, stretched to `length`."""
    gray = preview.convert("L")
    if axis == 0:
        line = gray.resize((gray.width, 1), Image.Resampling.BOX)
    else:
        line = gray.resize((1, gray.height), Image.Resampling.BOX)
    ink = [255 - int(value) for value in line.tobytes()]
    return [ink[min(len(ink) - 1, position * len(ink) // length)] for position in range(length)]


def _cuts(length: int, parts: int, ink: list[float] | None) -> list[int]:
    """parts + 1 positions from 0 to length; inner ones moved to the least ink nearby."""
    step = length / parts
    cuts = [0]
    for number in range(1, parts):
        nominal = round(number * step)
        if ink is None:
            cuts.append(nominal)
            continue
        reach = int(step * CUT_WINDOW)
        low, high = max(cuts[-1] + 1, nominal - reach), min(length - 1, nominal + reach)
        cuts.append(min(range(low, high + 1), key=lambda position: (ink[position],
                                                                     abs(position - nominal))))
    cuts.append(length)
    return cuts
