"""The text-layer quality gate: which PDF pages keep their text and which must be OCR'd."""

from __future__ import annotations

import pytest

from worker.extraction.pdf.text_layer import needs_image_check, text_layer_problem

GOOD_JAPANESE = "本日は東京本社で会議を行います。見積書の金額は合計で十二万円です。"


@pytest.mark.parametrize("text", [
    GOOD_JAPANESE,
    "Ceci est un résumé très détaillé de la réunion à Genève.",
    "Straße, Größe und Übermaß — Prüfung bestanden.",
    "• 項目一\n• 項目二",
    "Seite 1",  # little text, but no page image: a short page, not stray text
])
def test_real_text_is_kept(text: str) -> None:
    assert text_layer_problem(text) is None


@pytest.mark.parametrize("text, unmapped, image_share, problem", [
    ("", False, None, "no text layer"),
    (" \n\f ", False, None, "no text layer"),
    (GOOD_JAPANESE, True, None, "Identity-H font without ToUnicode"),
    ("\x01\x02\x03\x04\x05\x06", False, None, "replacement, private-use or control"),
    ("\ufffd\ufffd\ufffd 東京", False, None, "replacement, private-use or control"),
    ("\ue000\ue001\ue002\ue003 abc", False, None, "replacement, private-use or control"),
    (GOOD_JAPANESE.encode("utf-8").decode("cp1252", "ignore"), False, None, "mojibake"),
    (GOOD_JAPANESE.encode("cp932").decode("cp1252", "ignore"), False, None, "mojibake"),
    (GOOD_JAPANESE.encode("cp932").decode("latin-1"), False, None, "replacement"),  # C1
    (GOOD_JAPANESE.encode("utf-8").decode("cp932", "ignore"), False, None, "mojibake"),
    ("p.1", False, 0.95, "stray characters over a full-page image"),
])
def test_unusable_text_is_sent_to_ocr(text: str, unmapped: bool, image_share: float | None,
                                      problem: str) -> None:
    reason = text_layer_problem(text, unmapped_font=unmapped, page_image_share=image_share)

    assert reason is not None and problem in reason


def test_plenty_of_text_over_a_page_image_is_an_ocr_layer_worth_keeping() -> None:
    assert not needs_image_check(GOOD_JAPANESE * 2)
    assert text_layer_problem(GOOD_JAPANESE * 2, page_image_share=1.0) is None


def test_only_short_text_needs_the_image_check() -> None:
    assert needs_image_check("p.1")
    assert not needs_image_check("")


def _byteswapped(text: str) -> str:
    """UTF-16 written big-endian, read little-endian: what a swapped ToUnicode map gives."""
    return text.encode("utf-16-be").decode("utf-16-le", "replace")


RANDOM_ASCII = "U9b@Evzug_Oz`~7t/U$,7NGE/IRFx! 4.g~&v${fH^rAIasqD>DC4@!b|Ue1 ^=kT\\Ep\\9h\"eO/"


@pytest.mark.parametrize("text", [
    "Multilingual search makes every scanned document easy to find. Phone: +81 3 1234 5678",
    "No. | Item | Qty | Price: 18 | PC-8933 | 18 | 77,541",
    "E-mail: info@sample.co.jp  URL: https://www.sample.co.jp/contact?id=4411",
    "〒100-0005 東京都千代田区丸の内2-1-1　TEL 03-1234-5678 / FAX 03-1234-5679",
    "【重要】※ ①請求書 ②見積書（120,000円）",
    "Page 3 of 12",
    "- 3 -",
    "中华人民共和国 北京市 海淀区",  # simplified Chinese: GB2312
    "대한민국 서울특별시 강남구",  # Korean: KS X 1001
    "total = (price * qty) / 12;  // JPY 120,000 for the whole order",
])
def test_real_text_in_tables_addresses_and_other_scripts_is_kept(text: str) -> None:
    assert text_layer_problem(text) is None


@pytest.mark.parametrize("text", [
    "Multilingual search makes every scanned document easy to find.",
    "Phone: +81 3 1234 5678",
    GOOD_JAPANESE,
    "株式会社サンプル営業部の山田太郎様",
])
def test_a_byteswapped_text_layer_is_sent_to_ocr(text: str) -> None:
    swapped = _byteswapped(text)

    assert swapped != text
    assert "byte-swapped" in (text_layer_problem(swapped) or "")


def test_byteswapped_english_reads_as_the_ideographs_of_the_issue() -> None:
    assert _byteswapped("Multi") == "䴀甀氀琀椀"
    assert "byte-swapped" in (text_layer_problem("䴀甀氀琀椀 猀攀愀爀挀栀") or "")


@pytest.mark.parametrize("text", [RANDOM_ASCII, RANDOM_ASCII[:24], '"7+%- 1XPEHU =>?@A2BCDE'])
def test_random_ascii_is_sent_to_ocr(text: str) -> None:
    assert "random ASCII" in (text_layer_problem(text) or "")


def test_rare_ideographs_and_unassigned_code_points_are_sent_to_ocr() -> None:
    rare = "".join(chr(code) for code in range(0x3400, 0x3420))  # CJK Extension A
    unassigned = "\u0378\u0379\u0380\u0381\u0382\u0383"

    assert "rare blocks" in (text_layer_problem(rare) or "")
    assert text_layer_problem(unassigned + "ab") is not None
