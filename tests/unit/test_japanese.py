"""The CJK space clean-up applied to OCR output."""

from __future__ import annotations

import pytest

from worker.extraction.ocr.japanese import japanese_share, remove_cjk_spaces


@pytest.mark.parametrize("ocr, expected", [
    ("本 日 は 東京 本 社 で", "本日は東京本社で"),
    ("請求 書 の 発行 に つい て 。", "請求書の発行について。"),
    ("Tesseract 5 で 日本語", "Tesseract 5で日本語"),
    ("Hello World and more", "Hello World and more"),
    ("合計 １２ 万円 ( 税込 )", "合計１２万円(税込)"),
    ("東京\n大阪 支店", "東京\n大阪支店"),
    ("株式会社　サンプル", "株式会社サンプル"),  # ideographic space
    ("ｶﾀｶﾅ の 半角", "ｶﾀｶﾅの半角"),
    ("", ""),
])
def test_spaces_next_to_japanese_go_and_latin_spaces_stay(ocr: str, expected: str) -> None:
    assert remove_cjk_spaces(ocr) == expected


def test_line_breaks_and_paragraphs_are_kept() -> None:
    assert remove_cjk_spaces("一 行 目\n\n二 行 目") == "一行目\n\n二行目"


def test_japanese_share_counts_visible_characters() -> None:
    assert japanese_share("日本 ab") == 0.5
    assert japanese_share("   ") == 0.0


def test_a_backslash_before_a_price_is_a_yen_sign() -> None:
    from worker.extraction.ocr.japanese import yen_signs

    assert yen_signs("緑茶\\138 合計 \\ 1,354") == "緑茶¥138 合計 ¥ 1,354"
    assert yen_signs("C:\\Users\\a \\n") == "C:\\Users\\a \\n"  # no number: kept
