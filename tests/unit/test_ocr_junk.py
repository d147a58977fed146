"""Junk suppression: unsure words no writer would write leave the text; sure ones stay."""

from __future__ import annotations

from worker.extraction.ocr.junk import drop_junk
from worker.extraction.ocr.reading import Reading, Word


def _reading(*lines: list[tuple[str, float]]) -> Reading:
    words = tuple(Word((1, 1, number), text, confidence)
                  for number, line in enumerate(lines) for text, confidence in line)
    return Reading("jpn+eng", words, 0.0)


def test_runs_symbols_and_latin_fragments_read_unsurely_are_dropped() -> None:
    reading = _reading([("請求書", 92.0)], [("EEEE", 41.0), ("ーーー", 30.0)],
                       [("EAN", 38.0), ("Ce", 45.0), ("lca", 33.0)], [("|", 20.0)])
    kept, dropped = drop_junk(reading)
    assert (kept.text, dropped) == ("請求書", 6)


def test_sure_words_and_real_words_stay() -> None:
    reading = _reading([("ーー", 91.0), ("OK", 88.0)],  # sure: kept whatever they look like
                       [("Tesseract", 55.0), ("5", 52.0), ("で", 58.0), ("読む", 57.0)])
    kept, dropped = drop_junk(reading)
    assert dropped == 0 and kept.words == reading.words


def test_a_doubtful_word_stays_in_a_line_read_surely() -> None:
    reading = _reading([("東京", 95.0), ("本社", 30.0), ("で", 96.0), ("会議", 94.0)])
    assert drop_junk(reading)[1] == 0
    alone = _reading([("東京", 40.0), ("本社", 30.0)])
    assert drop_junk(alone)[1] == 1  # 本社 at 30 in a line read at 35


def test_a_page_reports_its_dropped_words_only_when_there_are_some() -> None:
    from worker.models import Page

    assert Page(1, "請求書", "ocr", 91.5, 3).to_dict()["dropped_words"] == 3
    assert "dropped_words" not in Page(1, "請求書", "ocr", 91.5, 0).to_dict()
    assert "dropped_words" not in Page(1, "請求書", "text-layer").to_dict()


def test_japanese_marks_and_numbers_in_a_sure_line_stay() -> None:
    """Seen on the eval: a slide's bullet `・` (59 in a line at 88), `】※` of `【重要】※`
    (54), the `99,` of `99, 735円` (53) were dropped; a graphic's ASCII `|` is still."""
    reading = _reading([("・", 59.0), ("関東地区が全体の半分を占める", 95.0)],
                       [("【重要", 90.0), ("】※", 54.0), ("①見積書", 92.0)],
                       [("合計金額は", 94.0), ("99,", 53.0), ("735円", 93.0)],
                       [("|", 40.0), ("本日は会議です。", 96.0)])
    kept, dropped = drop_junk(reading)
    assert dropped == 1 and "|" not in kept.text
    assert "・関東" in kept.text and "】※" in kept.text and "99," in kept.text
    unsure = _reading([("。", 51.0), ("°", 54.0), ("rw", 52.0)])  # in a chart, line at 52
    assert drop_junk(unsure)[1] == 3
