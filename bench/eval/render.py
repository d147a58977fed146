"""Drawing Japanese text on page images: fonts, horizontal lines, vertical (tategaki) columns.

Pillow without libraqm cannot lay out vertical text, so `draw_vertical` places each
character itself the way a typesetter would: the comma and full stop in the upper right of
their cell, small kana nudged up and right, and the long-vowel mark, brackets and dashes
turned a quarter. Fonts come in two sets: the tuning set, and a held-out set (a font never
used while the OCR rules were chosen) for seeds from HELD_OUT_SEED on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

HELD_OUT_SEED = 1000  # seeds from here on: the held-out split (other fonts, other pages)
DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi

_IPA = "/usr/share/fonts/opentype/"
_NOTO = "/usr/share/fonts/opentype/noto/"


@dataclass(frozen=True)
class FontFile:
    name: str
    path: str
    index: int = 0  # the face in a .ttc collection (0 is JP in Noto CJK)


TUNING_MINCHO = (FontFile("IPAMincho", _IPA + "ipafont-mincho/ipam.ttf"),
                 FontFile("IPAexMincho", _IPA + "ipaexfont-mincho/ipaexm.ttf"))
TUNING_GOTHIC = (FontFile("IPAGothic", _IPA + "ipafont-gothic/ipag.ttf"),
                 FontFile("NotoSansCJKjp", _NOTO + "NotoSansCJK-Regular.ttc"),
                 FontFile("VLGothic", "/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf"))
HELD_OUT_MINCHO = (FontFile("NotoSerifCJKjp", _NOTO + "NotoSerifCJK-Regular.ttc"),)
HELD_OUT_GOTHIC = (FontFile("IPAexGothic", _IPA + "ipaexfont-gothic/ipaexg.ttf"),
                   FontFile("NotoSansCJKjp-Bold", _NOTO + "NotoSansCJK-Bold.ttc"))

_TURNED = set("ー―－〜～…‥「」『』（）()［］[]【】〈〉《》=＝-")  # drawn a quarter turn
_UPPER_RIGHT = set("、。，．,.")
_SMALL = set("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")


def held_out(seed: int) -> bool:
    return seed >= HELD_OUT_SEED


def mincho(rng: random.Random, seed: int) -> FontFile:
    return rng.choice(HELD_OUT_MINCHO if held_out(seed) else TUNING_MINCHO)


def gothic(rng: random.Random, seed: int) -> FontFile:
    return rng.choice(HELD_OUT_GOTHIC if held_out(seed) else TUNING_GOTHIC)


@cache
def font(face: FontFile, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, size, index=face.index)


def draw_vertical(image: Image.Image, text: str, top_right: tuple[int, int], face: FontFile,
                  size: int, *, chars_per_column: int, pitch: float = 1.7,
                  fill: int | tuple[int, int, int] = 0) -> tuple[list[str], int]:
    """Columns of `text`, right to left from `top_right`; the columns' text and the x of the
    last column's left edge."""
    draw = ImageDraw.Draw(image)
    typeface = font(face, size)
    right, top = top_right
    columns = [text[i:i + chars_per_column] for i in range(0, len(text), chars_per_column)]
    x = right - size
    for column in columns:
        for row, char in enumerate(column):
            _draw_cell(image, draw, char, (x, top + int(row * size * 1.05)), typeface, size,
                       fill)
        x -= int(size * pitch)
    return columns, x + int(size * pitch)


def _draw_cell(image: Image.Image, draw: ImageDraw.ImageDraw, char: str, at: tuple[int, int],
               typeface: ImageFont.FreeTypeFont, size: int,
               fill: int | tuple[int, int, int]) -> None:
    x, y = at
    if char in _TURNED:
        cell = Image.new("L", (size, size), 0)
        ImageDraw.Draw(cell).text((0, 0), char, font=typeface, fill=255)
        turned = cell.rotate(-90)
        ink = Image.new(image.mode, (size, size), fill)
        image.paste(ink, (x, y), turned)
    elif char in _UPPER_RIGHT:
        draw.text((x + int(size * 0.6), y - int(size * 0.6)), char, font=typeface, fill=fill)
    elif char in _SMALL:
        draw.text((x + int(size * 0.1), y - int(size * 0.1)), char, font=typeface, fill=fill)
    elif not char.isspace():
        draw.text((x, y), char, font=typeface, fill=fill)


def wrap(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


def draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], left_top: tuple[int, int],
               face: FontFile, size: int, *, leading: float = 1.7,
               fill: int | tuple[int, int, int] = 0) -> int:
    """Horizontal lines from `left_top`; the y below the last line."""
    left, y = left_top
    typeface = font(face, size)
    for line in lines:
        draw.text((left, y), line, font=typeface, fill=fill)
        y += int(size * leading)
    return y


def page(size: tuple[int, int] = A4, mode: str = "L") -> Image.Image:
    return Image.new(mode, size, 255 if mode == "L" else (255, 255, 255))
