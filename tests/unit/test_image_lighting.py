"""flatten_lighting: a page in uneven light is evened out; a white page is left as it is,
also when a small dark patch (a red seal, a shaded table cell) sits on it."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from worker.extraction.images.picture import flatten_lighting

SIZE = (1240, 1754)  # A4 at 150 dpi


def _text(image: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(image)
    for row in range(20):
        draw.rectangle((100, 100 + row * 70, 1100, 120 + row * 70), fill=20)
    return image


def test_a_white_page_with_a_seal_sized_dark_patch_is_left_alone() -> None:
    page = _text(Image.new("L", SIZE, 255))
    ImageDraw.Draw(page).ellipse((900, 1400, 1080, 1580), fill=110)  # 1.2% of its paper

    assert flatten_lighting(page) is page


def test_a_page_under_a_shadow_is_flattened_to_white_paper() -> None:
    ramp = np.tile(np.linspace(150, 255, SIZE[0], dtype=np.float64), (SIZE[1], 1))
    page = _text(Image.fromarray(ramp.astype(np.uint8), "L"))

    flat = flatten_lighting(page)

    assert flat is not page
    paper = np.asarray(flat)[:90, :]  # above the first line: paper only
    assert paper.min() >= 240  # the shaded side is white paper now
    assert np.asarray(flat)[110, 500] < 60  # and the ink stays ink
