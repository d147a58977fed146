"""Where on a page image Tesseract's page segmentation read nothing surely.

Tesseract's automatic layout (`--psm 3`) is known to leave regions out: a large, bold
heading — the 請求書 or 事業計画書 at the top of a business document — or the first word
of a line that stands alone. `ocr.py` hands the lines it read surely to `mask_read_lines`,
which paints them white in a copy of the page and measures the ink that is left; only a
page with real ink left over pays for another pass over the masked copy, at half scale when
what is left is much taller than the text read (Tesseract reads body-sized text best).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

INK_LEVEL = 128  # gray values below this are ink
LINE_PADDING = 0.3  # of a line's height, above and below a masked line (ascenders, descenders)
SIDE_PADDING = 0.1  # of a line's height, left and right: never over a neighbouring word
MIN_INK_AT_300_DPI = 600  # leftover ink pixels worth a second look: about one character
MIN_BAND_AT_300_DPI = 12  # rows of ink thinner than this are rules or specks, not text
LARGE_TEXT_RATIO = 1.3  # leftover this much taller than the lines read: read at half scale
LARGE_TEXT_AT_300_DPI = 60  # the same, on a page where no line was read surely
CROP_MARGIN_AT_300_DPI = 64  # white kept around the leftover ink when cropping to it

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Leftover:
    """The masked page cropped to its leftover ink: a box read on `image` is at
    `origin + scale * box` on the page."""

    image: Path
    scale: int  # 1, or 2 when the crop was halved
    dpi: int | None
    origin: tuple[int, int]


def mask_read_lines(image: Path, boxes: list[Box], target: Path, dpi: int | None,
                    halve: bool = True, unless_halved: list[Box] | None = None
                    ) -> Leftover | None:
    """`image` with the given line boxes painted white, written to `target` (PGM), or None
    when too little ink is left to be worth reading. `halve=False`: never at half scale
    (small labels around a chart make one tall band of rows with ink, yet are small).
    `unless_halved`: lines left in to be read again at half scale (large headings), but
    painted out too when the leftover is not halved (at the same scale they read the same)."""
    with Image.open(image) as page:
        masked = page.convert("L")
    _paint(masked, boxes)
    resolution = (dpi or 300) / 300
    if not _inked(masked, resolution):
        return None
    ink = masked.point(lambda value: 255 if value < INK_LEVEL else 0)
    scale = 2 if halve and _tallest_band(ink, resolution) >= _large_text(boxes, resolution) else 1
    if scale == 1 and unless_halved:
        _paint(masked, unless_halved)
        if not _inked(masked, resolution):
            return None
        ink = masked.point(lambda value: 255 if value < INK_LEVEL else 0)
    bbox = ink.getbbox()
    assert bbox is not None  # there is ink: it was just counted
    margin = int(CROP_MARGIN_AT_300_DPI * resolution)
    left, top = max(0, bbox[0] - margin), max(0, bbox[1] - margin)
    crop = masked.crop((left, top, min(masked.width, bbox[2] + margin),
                        min(masked.height, bbox[3] + margin)))
    (crop.reduce(2) if scale == 2 else crop).save(target, format="PPM")
    leftover_dpi = dpi // scale if dpi else None
    return Leftover(target, scale, leftover_dpi, (left, top))


def _paint(masked: Image.Image, boxes: list[Box]) -> None:
    draw = ImageDraw.Draw(masked)
    for left, top, right, bottom in boxes:
        height = bottom - top
        side, pad = int(SIDE_PADDING * height), int(LINE_PADDING * height)
        draw.rectangle((left - side, top - pad, right + side, bottom + pad), fill=255)


def _inked(masked: Image.Image, resolution: float) -> bool:
    return sum(masked.histogram()[:INK_LEVEL]) >= MIN_INK_AT_300_DPI * resolution ** 2


def _large_text(boxes: list[Box], resolution: float) -> float:
    if not boxes:
        return LARGE_TEXT_AT_300_DPI * resolution
    return LARGE_TEXT_RATIO * statistics.median(bottom - top for _, top, _, bottom in boxes)


def _tallest_band(ink: Image.Image, resolution: float) -> int:
    """The height of the tallest run of rows that hold ink (rules and specks left out)."""
    _, rows = ink.getprojection()  # 1 for each row that holds any ink
    tallest = run = 0
    for has_ink in rows:
        run = run + 1 if has_ink else 0
        tallest = max(tallest, run)
    return tallest if tallest >= MIN_BAND_AT_300_DPI * resolution else 0
