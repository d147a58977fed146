"""A small fixed subset of the evaluation set (bench/eval), read by cis-worker and by raw
Tesseract in the same test: the bounds are what the page plan meets on these pages (the
full set runs in `make eval`). The pages are the ones issue 9 found read as junk: plain
tategaki columns, one column of kana, a vertical body under a horizontal header, a chart.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bench.eval.__main__ import read_ours, read_raw
from bench.eval.cases import pages, slides
from bench.eval.metrics import Score, score

SEED = 1
VERTICAL_F1 = 0.95  # issue 9's target for every vertical class; measured 0.985-1.000
CHART_LENGTH = 1.3  # output at most this many times the reference's length; measured ~1.0
PLOT_F1 = 0.9  # slide_plot seed 1: 0.943 with its pale curves painted out, 0.746 before


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("eval")
    cases = pages.make_cases(folder, SEED) + slides.make_cases(folder, SEED)
    return {name: (path, reference) for name, path, reference in cases}


def _both(case: tuple[Path, str]) -> tuple[Score, Score]:
    path, reference = case
    return score(reference, read_ours(path)[0]), score(reference, read_raw(path))


@pytest.mark.parametrize("name", ["vertical_novel", "vertical_column", "vertical_mixed"])
def test_vertical_pages_are_read_right(name: str,
                                       subset: dict[str, tuple[Path, str]]) -> None:
    ours, raw = _both(subset[name])
    assert ours.f1 >= VERTICAL_F1, (name, ours)
    assert ours.f1 >= raw.f1 and ours.cer <= raw.cer, (ours, raw)


def test_a_chart_is_not_read_as_text(subset: dict[str, tuple[Path, str]]) -> None:
    ours, raw = _both(subset["slide_plot"])
    assert ours.length_ratio <= CHART_LENGTH < raw.length_ratio, (ours, raw)
    assert ours.f1 >= raw.f1, (ours, raw)
    assert ours.f1 >= PLOT_F1, ours


def test_a_slide_reads_its_bullets_before_its_chart(subset: dict[str, tuple[Path, str]]) -> None:
    """The chart beside the bullets comes after them, as in the reference (reading order:
    ocr/charts.py), not between them by height on the page."""
    path, reference = subset["slide_chart"]
    text = read_ours(path)[0]
    lines = [line for line in text.splitlines() if line.strip()]
    bullets = [i for i, line in enumerate(lines) if line.startswith("・")]
    chart_words = reference.splitlines()[4].split() + reference.splitlines()[8:]  # months, legend
    labels = [i for i, line in enumerate(lines) if any(word in line for word in chart_words)]
    assert len(bullets) == 3 and labels, lines
    assert max(bullets) < min(labels), lines
    ours, raw = score(reference, text), score(reference, read_raw(path))
    assert ours.cer <= raw.cer, (ours, raw)


def test_a_tightly_set_page_turned_sideways_is_read_upright(tmp_path: Path) -> None:
    """rotated seed 2: lines with leading 1.3 turned 90 degrees make columns and a few
    rows, so the layout calls the page mixed (not vertical, which asks OSD first); its
    columns read as tategaki are junk (F1 0.08), so a weak mixed read asks OSD too."""
    from PIL import Image

    from worker.extraction.ocr.layout import analyse

    image, reference = pages.rotated(random.Random("rotated-2"), 2)
    path = tmp_path / "rotated-2.png"
    image.save(path, dpi=(300, 300))
    with Image.open(path) as opened:
        assert analyse(opened.convert("L"), 300).kind == "mixed"
    ours = score(reference, read_ours(path)[0])
    assert ours.f1 >= 0.95, ours


def test_tategaki_set_very_tightly_is_read_down_once(tmp_path: Path) -> None:
    """Columns 0.2 em apart line up in rows too (Layout.undecided), but most of the ink is
    in columns: the plan is read first and, reading surely, is all the page costs (the
    read across and its second tries first cost 3.5x as much)."""
    from bench.eval import corpus
    from bench.eval.render import A4, draw_vertical, mincho, page
    from worker.extraction.ocr.layout import analyse
    from worker.extraction.ocr.plan import ocr_image_file
    from worker.extraction.options import ExtractionOptions

    rng, size = random.Random(1), 42
    per_column = (A4[1] - 500) // int(size * 1.05)
    text = "".join(corpus.lines(rng, corpus.NOVEL, 60))[:per_column * 30]
    image = page(A4)
    columns, _ = draw_vertical(image, text, (A4[0] - 200, 250), mincho(rng, 1), size,
                               chars_per_column=per_column, pitch=1.2)
    image.save(tmp_path / "tight-tategaki.png", dpi=(300, 300))
    layout = analyse(image.convert("L"), 300)
    assert layout.undecided and layout.vertical_share >= 0.5

    result = ocr_image_file(tmp_path / "tight-tategaki.png", ExtractionOptions(), dpi=300)

    assert result.vertical and result.passes <= 2
    assert score("\n".join(columns), result.text).f1 >= VERTICAL_F1
