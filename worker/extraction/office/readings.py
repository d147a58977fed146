"""Readings of Japanese words in Office files: Word ruby (furigana) and Excel phonetic runs.

Word writes ruby as `w:ruby` with the reading in `w:rt` and the written word in
`w:rubyBase`; Excel keeps the reading Japanese IME typed in `rPh` runs next to a shared or
inline string (`sb`/`eb` are the character range of the text they read). Both go to the
document's `readings` (base and reading, once each, in document order), never into the
page text: the text keeps 東京, not 東京とうきょう, and the index searches the readings in
their own field (worker/search/mapping.py) so that とうきょう finds 東京.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree.ElementTree import Element

from worker.extraction.office.ooxml import children, local
from worker.models import Reading

MAX_READINGS = 10_000  # per document: a workbook with phonetics on every cell stays bounded


class ReadingList:
    """Unique readings in first-seen order, capped at MAX_READINGS."""

    def __init__(self) -> None:
        self._seen: dict[Reading, None] = {}

    def add(self, base: str, reading: str) -> None:
        base, reading = base.strip(), reading.strip()
        if base and reading and base != reading and len(self._seen) < MAX_READINGS:
            self._seen.setdefault(Reading(base, reading), None)

    def extend(self, readings: Iterable[Reading]) -> None:
        for item in readings:
            self.add(item.base, item.reading)

    def result(self) -> tuple[Reading, ...]:
        return tuple(self._seen)


def _texts(element: Element) -> str:
    """The w:t / t text under an element, joined."""
    return "".join(node.text or "" for node in element.iter() if local(node.tag) == "t")


def ruby_readings(root: Element) -> list[Reading]:
    """(base, reading) of every w:ruby under a WordprocessingML part."""
    found = []
    for ruby in root.iter():
        if local(ruby.tag) != "ruby":
            continue
        reading = "".join(_texts(rt) for rt in children(ruby, "rt"))
        base = "".join(_texts(rb) for rb in children(ruby, "rubyBase"))
        found.append(Reading(base, reading))
    return found


def phonetic_readings(item: Element, text: str) -> list[Reading]:
    """Readings of a shared/inline string item (<si>/<is>) from its <rPh> runs; `text` is
    the item's text without them (what sb/eb count in). Each run's reading, and when there
    are several, the reading of the whole string (東京都港区: トウキョウトミナトク), so
    the whole name is found as it is read."""
    runs: list[tuple[int, int, str]] = []
    for run in children(item, "rPh"):
        try:
            start, end = int(run.get("sb") or 0), int(run.get("eb") or 0)
        except ValueError:
            continue
        reading = "".join(t.text or "" for t in children(run, "t"))
        if 0 <= start < end <= len(text) and (not runs or start >= runs[-1][1]):
            runs.append((start, end, reading))
    found = [Reading(text[start:end], reading) for start, end, reading in runs]
    if len(runs) > 1:
        whole, position = [], 0
        for start, end, reading in runs:
            whole.append(text[position:start] + reading)
            position = end
        found.append(Reading(text, "".join(whole) + text[position:]))
    return found
