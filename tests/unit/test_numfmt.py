"""Spreadsheet numbers rendered as Excel shows them (the subset numfmt.py promises)."""

from __future__ import annotations

import pytest

from worker.extraction.office.numfmt import BUILTIN_FORMATS, excel_datetime, format_value, general


@pytest.mark.parametrize(("value", "code", "shown"), [
    (45306, "yyyy/m/d", "2024/1/15"),
    (45306, BUILTIN_FORMATS[14], "2024/1/15"),
    (45306.75, "yyyy/mm/dd hh:mm", "2024/01/15 18:00"),
    (45306, "yyyy年m月d日", "2024年1月15日"),
    (45306, "[$-ja-JP]ggge年m月d日", "令和6年1月15日"),
    (32000, "ggge年", "昭和62年"),
    (0.75, "h:mm AM/PM", "6:00 PM"),
    (1234567, "#,##0", "1,234,567"),
    (1234567, '"¥"#,##0', "¥1,234,567"),
    (1234567.891, "#,##0.00", "1,234,567.89"),
    (12, "#,##0円", "12円"),
    (-500, "#,##0;△#,##0", "△500"),
    (-500, "#,##0", "-500"),
    (0, '_ * #,##0_ ;_ * -#,##0_ ;_ * "-"_ ;_ @_ ', "-"),
    (0.125, "0.0%", "12.5%"),
    (7, '"No."000', "No.007"),
    (0.5, "#.00", ".50"),
    (123456789, "0.00E+00", "1.23E+08"),
    (1234.5, "[Red]#,##0.0", "1,234.5"),
    (0.1 + 0.2, "General", "0.3"),
    (42, None, "42"),
    (3.0, "@", "3"),
])
def test_numbers_as_shown(value: float, code: str | None, shown: str) -> None:
    assert format_value(value, code) == shown


def test_1904_date_system_and_the_1900_leap_bug() -> None:
    assert format_value(0, "yyyy-mm-dd", date1904=True) == "1904-01-01"
    assert excel_datetime(59).date().isoformat() == "1900-02-28"
    assert excel_datetime(61).date().isoformat() == "1900-03-01"


def test_general_keeps_integers_whole_and_large_numbers_short() -> None:
    assert general(150000.0) == "150000"
    assert general(1e20) == "1E+20"
    assert general(-0.25) == "-0.25"
