"""Reading Tesseract's TSV: words, confidence, text layout, and the vertical-page signal."""

from __future__ import annotations

from worker.extraction.ocr import _vertical_languages, parse_tsv

HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
          "\tconf\ttext")


def _row(level: int, block: int, par: int, line: int, word: int, box: tuple[int, int],
         conf: float, text: str = "") -> str:
    width, height = box
    return f"{level}\t1\t{block}\t{par}\t{line}\t{word}\t0\t0\t{width}\t{height}\t{conf}\t{text}"


def _tsv(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def test_words_become_lines_and_paragraphs_without_cjk_spaces() -> None:
    tsv = _tsv(
        _row(4, 1, 1, 1, 0, (400, 50), -1),
        _row(5, 1, 1, 1, 1, (40, 50), 96, "本"),
        _row(5, 1, 1, 1, 2, (40, 50), 90, "日"),
        _row(4, 1, 1, 2, 0, (400, 50), -1),
        _row(5, 1, 1, 2, 1, (200, 50), 80, "Tesseract"),
        _row(5, 1, 1, 2, 2, (40, 50), 70, "5"),
        _row(4, 2, 1, 1, 0, (400, 50), -1),
        _row(5, 2, 1, 1, 1, (40, 50), 60, "以上"),
        _row(5, 2, 1, 1, 2, (40, 50), -1, ""),
    )

    reading = parse_tsv(tsv, "jpn+eng")

    assert reading.text == "本日\nTesseract 5\n\n以上"
    assert reading.confidence == (96 + 90 + 80 + 70 + 60) / 5
    assert reading.vertical_line_share == 0.0


def test_tall_narrow_lines_are_the_vertical_signal() -> None:
    tsv = _tsv(
        _row(4, 1, 1, 1, 0, (50, 500), -1),
        _row(5, 1, 1, 1, 1, (50, 500), 20, "経向"),
        _row(4, 1, 1, 2, 0, (300, 50), -1),
        _row(5, 1, 1, 2, 1, (300, 50), 20, "ロ"),
        _row(4, 1, 1, 3, 0, (50, 900), -1),  # a line with no word read: ignored
    )

    reading = parse_tsv(tsv, "jpn+eng")

    assert reading.vertical_line_share == 25_000 / (25_000 + 15_000)
    assert reading.score == (20 * 2 + 20 * 1) / 100


def test_empty_page_reads_nothing() -> None:
    reading = parse_tsv(HEADER + "\n", "jpn")

    assert (reading.text, reading.confidence, reading.score) == ("", None, 0.0)


def test_vertical_languages_swap_jpn_only() -> None:
    assert _vertical_languages("jpn+eng") == "jpn_vert+eng"
    assert _vertical_languages("eng+jpn") == "eng+jpn_vert"
    assert _vertical_languages("jpn_vert+jpn") == "jpn_vert"
    assert _vertical_languages("eng") is None
