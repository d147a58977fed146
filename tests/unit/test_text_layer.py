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
