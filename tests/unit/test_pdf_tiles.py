"""Tiles of a page too large to render whole: within the budget, covering the page, cut in
white space (worker/extraction/pdf/tiles.py)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from worker.extraction.pdf.tiles import MAX_TILES, plan_tiles, tiled_dpi


@pytest.mark.parametrize("size, budget", [((9000, 9000), 9_000_000), ((2480, 3508), 1_000_000),
                                          ((30000, 800), 4_000_000)])
def test_tiles_cover_the_page_exactly_once_within_the_budget(size: tuple[int, int],
                                                              budget: int) -> None:
    tiles = plan_tiles(*size, budget)

    assert len(tiles) > 1
    assert all(tile.width * tile.height <= budget for tile in tiles)
    assert sum(tile.width * tile.height for tile in tiles) == size[0] * size[1]
    assert len({(tile.x, tile.y) for tile in tiles}) == len(tiles)
    assert max(tile.x + tile.width for tile in tiles) == size[0]
    assert max(tile.y + tile.height for tile in tiles) == size[1]


def test_full_width_bands_while_they_stay_high_enough_then_a_grid() -> None:
    assert {tile.width for tile in plan_tiles(9000, 9000, 9_000_000)} == {9000}
    assert len({tile.x for tile in plan_tiles(30000, 800, 4_000_000)}) > 1


def test_a_page_within_the_budget_is_one_tile() -> None:
    assert len(plan_tiles(2480, 3508, 9_000_000)) == 1


def test_cuts_move_to_white_space_between_lines_of_text() -> None:
    preview = Image.new("L", (900, 900), 255)
    draw = ImageDraw.Draw(preview)
    ink_rows = [(top, top + 12) for top in range(0, 900, 20)]  # 12 of every 20 rows hold ink
    for top, bottom in ink_rows:
        draw.rectangle((0, top, 899, bottom - 1), fill=0)

    tiles = plan_tiles(9000, 9000, 9_000_000, preview)

    cuts = {tile.y for tile in tiles} - {0}
    assert cuts
    for cut in cuts:
        assert not any(top * 10 <= cut < bottom * 10 for top, bottom in ink_rows)


def test_resolution_drops_only_past_the_tile_limit() -> None:
    assert tiled_dpi(30, 30, 300, 9_000_000) == 300  # 81 Mpx in at most 16 tiles of 9 Mpx
    lowered = tiled_dpi(300, 300, 300, 9_000_000)
    assert lowered < 300
    assert (300 * lowered) ** 2 <= MAX_TILES * 9_000_000
