"""Reading Tesseract's TSV: words, confidence, text layout, and the vertical-page signal."""

from __future__ import annotations

from worker.extraction.ocr.reading import parse_tsv, patch_latin_junk
from worker.extraction.ocr.tesseract import vertical_languages as _vertical_languages

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
    assert reading.score == (2 + 1) * 0.2**2


def test_empty_page_reads_nothing() -> None:
    reading = parse_tsv(HEADER + "\n", "jpn")

    assert (reading.text, reading.confidence, reading.score) == ("", None, 0.0)


def test_vertical_languages_swap_jpn_only() -> None:
    assert _vertical_languages("jpn+eng") == "jpn_vert+eng"
    assert _vertical_languages("eng+jpn") == "eng+jpn_vert"
    assert _vertical_languages("jpn_vert+jpn") == "jpn_vert"
    assert _vertical_languages("eng") is None


def test_a_line_of_latin_junk_is_taken_from_the_japanese_read() -> None:
    first = _tsv(
        _boxed(1, 1, "請求書", 95, (0, 0, 300, 50)),
        _boxed(2, 1, "wk", 40, (0, 100, 60, 150)), _boxed(2, 2, "rhs", 0, (80, 100, 200, 150)),
        _boxed(3, 1, "Please", 95, (0, 200, 200, 250)),
    )
    second = _tsv(
        _boxed(1, 1, "請求蓄", 50, (0, 0, 300, 50)),  # worse here: not taken
        _boxed(2, 1, "山田太郎様", 85, (0, 98, 250, 152)),
        _boxed(3, 1, "Pleasc", 60, (0, 200, 200, 250)),
    )

    patched = patch_latin_junk(parse_tsv(first, "jpn+eng"), parse_tsv(second, "jpn"))

    assert patched.text == "請求書\n山田太郎様\nPlease"
    assert parse_tsv(first, "jpn+eng").latin_junk_share == 5 / 14


def _boxed(line: int, word: int, text: str, conf: float, box: tuple[int, int, int, int]) -> str:
    left, top, right, bottom = box
    return (f"5\t1\t1\t1\t{line}\t{word}\t{left}\t{top}\t{right - left}\t{bottom - top}"
            f"\t{conf}\t{text}")
