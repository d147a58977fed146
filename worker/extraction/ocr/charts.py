"""The reading order of a chart page: the text around the chart first, in the order it was
read, then the chart's own labels (ticks, axis names, legend).

A slide's chart stands beside its bullets. Tesseract's automatic layout, and the merge of
the lines recovered later (reading.merge_recovered, by height on the page), set the chart's
labels between the bullets, or even on a bullet's line (`・新製品の販売が好調 東京`),
where a reader takes the bullets as one block and the chart after it: the chart's labels
in the middle cost tuning slide_chart more CER than raw Tesseract had (0.509 vs 0.507).
So on chart pages (Layout.graphic) the words whose centre lies in the chart's zone (the
box of its graphics, widened left and down by CHART_MARGIN_EMS for the tick and axis
labels that stand outside the axes) are moved after all the others, each line keeping its
order.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from worker.extraction.ocr.layout import Layout
from worker.extraction.ocr.reading import Reading, Word

CHART_MARGIN_EMS = 3.0  # tick labels and axis names stand this far left of and below the axes
CHART_BLOCK = 1 << 20  # added to a chart word's block number: a paragraph of its own
Box = tuple[int, int, int, int]


def chart_box(layout: Layout) -> Box | None:
    """The full-resolution box of the page's painted graphics, None without any."""
    rows, columns = np.nonzero(layout.graphics)
    if rows.size == 0:
        return None
    scale = layout.scale
    return (int(columns.min()) * scale, int(rows.min()) * scale,
            (int(columns.max()) + 1) * scale, (int(rows.max()) + 1) * scale)


def chart_last(reading: Reading, layout: Layout) -> Reading:
    """`reading` with the words in the chart's zone after the others (see the docstring);
    unchanged on a page that is no chart or where every word is on one side."""
    box = chart_box(layout) if layout.graphic else None
    if box is None:
        return reading
    margin = round(CHART_MARGIN_EMS * layout.em)
    zone = (box[0] - margin, box[1], box[2], box[3] + margin)
    inside = [_centre_in(word, zone) for word in reading.words]
    if all(inside) or not any(inside):
        return reading
    around = [word for word, chart in zip(reading.words, inside, strict=True) if not chart]
    labels = [replace(word, line=(CHART_BLOCK + word.line[0], *word.line[1:]))
              for word, chart in zip(reading.words, inside, strict=True) if chart]
    return replace(reading, words=tuple(around + labels))


def _centre_in(word: Word, box: Box) -> bool:
    x, y = (word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]
