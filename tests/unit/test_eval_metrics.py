"""The evaluation set's scores: white space and width variants do not count; junk does."""

from __future__ import annotations

import pytest

from bench.eval.metrics import score


def test_a_perfect_read_scores_one_whatever_its_spacing() -> None:
    result = score("請求書の発行\nＴｅｓｓｅｒａｃｔ 5", "請求書 の 発行 Tesseract5")
    assert (result.cer, result.f1, result.length_ratio) == (0.0, 1.0, 1.0)


def test_junk_lowers_precision_and_lost_text_lowers_recall() -> None:
    junk = score("東京本社", "東京本社EEEE")
    assert junk.recall == 1.0 and junk.precision == pytest.approx(0.5)
    assert junk.length_ratio == 2.0 and junk.cer == 1.0
    lost = score("東京本社", "東京")
    assert lost.precision == 1.0 and lost.recall == pytest.approx(0.5)


def test_nothing_read_scores_zero() -> None:
    assert score("東京", "").f1 == 0.0
