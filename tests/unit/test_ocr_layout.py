"""The page plan's layout analysis on generated pages: which way the text runs, where the
regions are, and which ink is graphics (painted out) and which is a table's rules (kept)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image

from bench.eval.cases import pages, slides
from worker.extraction.ocr.layout import analyse


def _page(maker: str, seed: int = 1) -> Image.Image:
    image, _ = getattr(pages, maker)(random.Random(f"{maker}-{seed}"), seed)
    return image.convert("L")


@pytest.mark.parametrize(("maker", "kind"), [
    ("vertical_novel", "vertical"),
    ("vertical_column", "vertical"),
    ("vertical_mixed", "mixed"),
    ("horizontal", "horizontal"),
    ("letter_hanko", "horizontal"),  # the seal's two stacked characters are no column
    ("table_form", "horizontal"),  # a large title's tall kanji are no column either
    ("receipt", "horizontal"),
])
def test_the_layout_tells_which_way_the_text_runs(maker: str, kind: str) -> None:
    assert analyse(_page(maker), 300).kind == kind


def test_a_mixed_page_has_its_header_across_and_its_body_down() -> None:
    layout = analyse(_page("vertical_mixed"), 300)
    across = [r for r in layout.regions if not r.vertical]
    down = [r for r in layout.regions if r.vertical]
    assert across and down
    assert max(r.box[3] for r in across) < min(r.box[1] for r in down)  # header above body
    assert sum(r.strips for r in down) >= 20  # the columns of two tiers


def test_a_table_keeps_its_rules_and_a_chart_loses_its_grid(tmp_path: Path) -> None:
    table = analyse(_page("table_form"), 300)
    assert table.graphic_ink == 0
    [(_, plot, _)] = [case for case in slides.make_cases(tmp_path, 1) if case[0] == "slide_plot"]
    with Image.open(plot) as image:
        layout = analyse(image.convert("L"), slides.SLIDE_DPI)
    assert layout.graphic_ink > 5000 and layout.kind == "horizontal"


def test_a_white_page_has_no_text_and_no_graphics() -> None:
    layout = analyse(Image.new("L", (800, 1100), 255), 100)
    assert (layout.kind, layout.regions, layout.graphic_ink) == ("horizontal", (), 0)


@pytest.mark.parametrize("word", ["請求書", "議事録", "請"])
def test_a_short_horizontal_word_is_not_read_as_a_column(word: str) -> None:
    """請's radical 言 is a tall thin strip by itself: one short strip is no vertical page
    (an icon with 請求書 was read as columns, 書求月)."""
    from PIL import ImageDraw, ImageFont

    from tests.fixtures.japanese_pages import GOTHIC

    image = Image.new("L", (256, 256), 255)
    ImageDraw.Draw(image).text((40, 100), word, font=ImageFont.truetype(GOTHIC, 56), fill=0)
    assert analyse(image, None).kind == "horizontal"


def _grid_page(grid_gray: int) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """A 150-dpi slide: a large title, and a plot of light-grey grid lines with a dark
    label inside it; returns the page and the label's box."""
    from PIL import ImageDraw, ImageFont

    from tests.fixtures.japanese_pages import GOTHIC

    image = Image.new("L", (2000, 1125), 255)
    draw = ImageDraw.Draw(image)
    draw.text((100, 40), "令和六年度の売上高", font=ImageFont.truetype(GOTHIC, 72), fill=0)
    for x in range(300, 1900, 40):
        draw.line((x, 250, x, 1000), fill=grid_gray, width=1)
    for y in range(250, 1001, 40):
        draw.line((300, y, 1900, y), fill=grid_gray, width=1)
    for x in range(300, 1900, 7):  # a dark curve across the grid: graphics by its size
        draw.line((x, 600 + (x * 37) % 180, x + 7, 600 + ((x + 7) * 37) % 180), fill=40, width=2)
    draw.rectangle((1000, 300, 1300, 360), fill=255)
    draw.text((1010, 305), "東京 大阪", font=ImageFont.truetype(GOTHIC, 40), fill=0)
    return image, (1010, 305, 1200, 350)


def test_a_light_grey_grid_is_painted_out_and_the_text_on_the_plot_kept() -> None:
    """Tesseract binarised a chart's light grid into ink (`ーーー`, `|`) that the layout's
    own ink threshold did not see: faint marks forming something large are graphics too."""
    image, (left, top, right, bottom) = _grid_page(200)
    layout = analyse(image, 150)
    s = layout.scale
    grid_rows = layout.graphics[250 // s: 1000 // s, 300 // s: 1900 // s]
    assert grid_rows.any(axis=1).mean() > 0.9  # the grid's rules, the curve
    assert not layout.graphics[top // s: bottom // s, left // s: right // s].any()  # label
    assert not layout.graphics[40 // s: 130 // s, 100 // s: 800 // s].any()  # title, 六 too
    assert layout.graphic  # more graphic than text ink: a chart page


def test_large_characters_make_a_large_line_and_body_text_none() -> None:
    image, _ = _grid_page(200)
    [(left, top, right, bottom)] = analyse(image, 150).large_lines
    assert top <= 50 and bottom >= 100 and left <= 110 and right >= 700
    assert analyse(_page("horizontal"), 300).large_lines == ()
    assert not analyse(_page("letter_hanko"), 300).graphic  # a seal is no chart


def _tight_lines(leading: int) -> Image.Image:
    from PIL import ImageDraw, ImageFont

    from tests.fixtures.japanese_pages import MINCHO

    text = "本日は東京本社で会議を開催します。資料は事前に配布します。"
    image = Image.new("L", (1400, 900), 255)
    draw = ImageDraw.Draw(image)
    for row in range(12):
        draw.text((60, 60 + row * leading), text[row % 5:] + text[:row % 5],
                  font=ImageFont.truetype(MINCHO, 40), fill=0)
    return image


def test_tight_horizontal_lines_leave_the_layout_undecided_and_columns_do_not() -> None:
    """Lines set with little leading line up down the page too: their columns' ink lies in
    rows as well, so only a read can decide; a real mixed page's columns never do, and
    it is read once, by its plan."""
    tight = analyse(_tight_lines(44), 300)
    assert tight.kind == "mixed" and tight.undecided
    assert not analyse(_tight_lines(60), 300).undecided  # clearly horizontal
    for maker in ("vertical_mixed", "vertical_novel", "vertical_column"):
        assert not analyse(_page(maker), 300).undecided


@pytest.mark.parametrize("maker", ["horizontal", "letter_hanko", "receipt", "table_form"])
def test_upright_pages_are_not_flush_right_and_the_same_page_upside_down_is(maker: str) -> None:
    upright = _page(maker, seed=2)
    assert not analyse(upright, 300).flush_right
    if maker == "horizontal":  # paragraphs: flush left, ending short at the right
        assert analyse(upright.rotate(180), 300).flush_right
