"""The reading order of a chart page (ocr/charts.py): the words in the chart's zone go after
the text around it, on chart pages only."""

from __future__ import annotations

import numpy as np

from worker.extraction.ocr.charts import chart_last
from worker.extraction.ocr.layout import Layout
from worker.extraction.ocr.reading import Reading, Word

SCALE = 2


def _layout(graphic_ink: int) -> Layout:
    graphics = np.zeros((100, 200), dtype=bool)
    graphics[20:80, 100:190] = True  # the axes: x 200-380, y 40-160 at full resolution
    return Layout(SCALE, 10.0, (), graphic_ink, graphics)


def _reading() -> Reading:
    """A bullet, a legend entry on the bullet's line, a second bullet, a tick below the axes
    and left of it (within the margin), read in this order by height."""
    return Reading("jpn", (
        Word((1, 1, 1), "・売上", 90.0, (20, 50, 80, 60)),
        Word((1, 1, 1), "東京", 90.0, (300, 50, 330, 60)),
        Word((2, 1, 1), "・利益", 90.0, (20, 100, 80, 110)),
        Word((3, 1, 1), "100", 90.0, (180, 100, 198, 110)),
        Word((4, 1, 1), "1月", 90.0, (200, 170, 220, 180)),
    ), 0.0)


def test_the_chart_labels_follow_the_text_beside_the_chart() -> None:
    ordered = chart_last(_reading(), _layout(graphic_ink=10_000))
    assert [w.text for w in ordered.words] == ["・売上", "・利益", "東京", "100", "1月"]
    assert ordered.text.splitlines()[:3] == ["・売上", "", "・利益"]
    assert ordered.text.index("東京") > ordered.text.index("・利益")


def test_a_page_that_is_no_chart_keeps_its_order() -> None:
    reading = _reading()
    assert chart_last(reading, _layout(graphic_ink=0)) == reading
