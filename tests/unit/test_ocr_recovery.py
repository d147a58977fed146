"""Merging what a sparse-text pass found into the main read (pure, no Tesseract)."""

from __future__ import annotations

from worker.extraction.ocr.reading import Reading, Word, merge_recovered, sure_line_boxes


def _word(text: str, conf: float, box: tuple[int, int, int, int],
          line: tuple[int, int, int] = (1, 1, 1)) -> Word:
    return Word(line, text, conf, box)


def _reading(*words: Word) -> Reading:
    return Reading("jpn+eng", words, 0.0)


BODY = _reading(
    _word("本日は会議です。", 95, (200, 700, 900, 740), (2, 1, 1)),
    _word("以上", 93, (200, 800, 300, 840), (2, 1, 2)),
)


def test_a_missing_title_goes_before_the_first_line_below_it() -> None:
    title = _reading(_word("請求", 92, (900, 250, 1000, 330)), _word("書", 88, (1000, 250,
                                                                                1050, 330)))
    merged = merge_recovered(BODY, title)
    assert merged.text == "請求書\n\n本日は会議です。\n以上"


def test_a_word_cut_from_the_start_of_a_line_joins_that_line() -> None:
    cut = _reading(_word("の発行についてご連絡します。", 96, (305, 300, 960, 348)))
    found = _reading(_word("請求", 95, (153, 303, 250, 348)), _word("書", 90, (250, 303,
                                                                              297, 348)))
    assert merge_recovered(cut, found).text == "請求書の発行についてご連絡します。"


def test_an_unsure_line_is_replaced_only_by_a_surer_read_of_the_same_place() -> None:
    junk = _reading(_word("a", 54, (905, 255, 1074, 336), (1, 1, 1)),
                    _word("Itt", 37, (1084, 255, 1166, 336), (1, 1, 2)), *BODY.words)
    title = _reading(_word("請求書", 93, (905, 252, 1170, 338)))
    assert merge_recovered(junk, title).text == "請求書\n\n本日は会議です。\n以上"
    worse = _reading(_word("請", 72, (905, 252, 1170, 338)))  # 0.52 against 0.29 + 0.40
    assert merge_recovered(junk, worse).text.startswith("a\nItt")


def test_noise_and_unsure_lines_are_not_recovered() -> None:
    noise = _reading(_word("|", 91, (100, 100, 104, 3000)),  # a table rule read as a bar
                     _word("鬱", 45, (100, 1200, 150, 1250), (2, 1, 1)),  # an unsure guess
                     _word("な", 20, (100, 1300, 150, 1350), (3, 1, 1)))  # a speck
    assert merge_recovered(BODY, noise).words == BODY.words


def test_only_surely_read_lines_are_masked() -> None:
    reading = _reading(_word("a", 54, (905, 255, 1074, 336)),
                       _word("本日", 95, (200, 700, 300, 740), (2, 1, 1)),
                       _word("は", 90, (300, 700, 340, 740), (2, 1, 1)))
    assert sure_line_boxes(reading) == [(200, 700, 340, 740)]


def test_a_tall_line_is_masked_only_when_asked_for_and_read_surely() -> None:
    shop = _word("まちかど商店", 93, (300, 100, 700, 162), (1, 1, 1))  # 62 px over 36 px lines
    junk = _word("wkrhsYF", 18, (300, 200, 700, 262), (2, 1, 1))
    body = [_word(f"行{n}", 95, (300, 300 + 50 * n, 500, 336 + 50 * n), (3 + n, 1, 1))
            for n in range(3)]
    reading = _reading(shop, junk, *body)
    assert sure_line_boxes(reading, 0.0) == [word.box for word in body]  # headings re-read
    assert sure_line_boxes(reading, 0.0, tall_from=70.0) == [shop.box,
                                                             *(word.box for word in body)]
