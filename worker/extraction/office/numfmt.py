"""Spreadsheet numbers as a person sees them: dates, thousands separators, percentages.

An xlsx cell stores 45306 and shows 2024/1/15; stores 1234567 and shows ¥1,234,567; stores
-500 and shows △500 (the Japanese accounting minus). People search for what they saw, so the
extractor renders numbers with the cell's number format. This is a deliberate subset of
Excel's format language — sections (positive;negative;zero), quoted and escaped literals,
[...] colour/locale/condition codes dropped, 0/#/, placeholders with decimals, %, E+
exponent, and date/time tokens (yyyy yy m mm d dd h hh mm ss, 年月日). What it does not
know (fractions, eras, text sections) falls back to plain numbers or ISO dates.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

# Built-in number formats (ECMA-376 18.8.30); ids 14-22, 27-36, 45-47, 50-58 are dates and
# times (the Japanese ones are locale dependent; shown here as Japanese Excel does).
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 14: "yyyy/m/d", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy",
    18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "yyyy/m/d h:mm",
    27: "yyyy年m月", 28: "m月d日", 29: "m月d日", 30: "m/d/yy", 31: "yyyy年m月d日",
    32: "h時mm分", 33: "h時mm分ss秒", 34: "yyyy年m月", 35: "m月d日", 36: "yyyy年m月",
    37: "#,##0;-#,##0", 38: "#,##0;-#,##0", 39: "#,##0.00;-#,##0.00",
    40: "#,##0.00;-#,##0.00", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 49: "@",
    50: "yyyy年m月", 51: "m月d日", 52: "yyyy年m月", 53: "m月d日", 54: "m月d日",
    55: "yyyy年m月", 56: "m月d日", 57: "yyyy年m月", 58: "m月d日",
}

_LITERALS = re.compile(r'"([^"]*)"|\\(.)|_.|\*.|\[[^\]]*\]')
_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|ss|s|am/pm|ggg|gg|g|ee|e",
                          re.IGNORECASE)
# Japanese eras (format codes g/gg/ggg and e/ee): start date, name, short name, letter.
_ERAS = ((datetime(2019, 5, 1), "令和", "令", "R"), (datetime(1989, 1, 8), "平成", "平", "H"),
         (datetime(1926, 12, 25), "昭和", "昭", "S"), (datetime(1912, 7, 30), "大正", "大", "T"),
         (datetime(1868, 1, 25), "明治", "明", "M"))
_NUMBER_RUN = re.compile(r"[#0?][#0?,]*(?:\.[#0?]*)?(?:[eE][+-][0-9]+)?|\.[#0?]+")
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)  # [h]:mm: shown as h:mm
_EPOCH_1900 = datetime(1899, 12, 30)  # serial 60 is Excel's 1900-02-29 bug; 61+ are right
_EPOCH_1904 = datetime(1904, 1, 1)


def _strip_literals(section: str) -> str:
    return _LITERALS.sub("", section)


def is_date_format(code: str) -> bool:
    bare = _strip_literals(code.split(";", 1)[0]).lower()
    return bool(re.search(r"[ymdhsg]", bare)) and "general" not in bare


def _sections(code: str) -> list[str]:
    parts: list[str] = []
    current = ""
    quoted = False
    for char in code:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _render_literals(text: str) -> str:
    return "".join(shown for _literal, shown in _pieces(text))


def general(value: float) -> str:
    """Excel's General format, near enough: integers without '.0', 15 significant digits."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}".replace("e+", "E+").replace("e-", "E-")


def _format_run(value: float, run: str) -> str:
    if "e" in run.lower():
        mantissa, _, _ = run.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        return f"{value:.{decimals}E}"
    integer, _, fraction = run.partition(".")
    digits = integer.replace(",", "")
    grouping = "," if "," in integer.strip(",") else ""
    text = f"{value:{grouping}.{len(fraction)}f}"
    whole, dot, shown_fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    if whole == "0" and not digits.count("0"):
        whole = ""  # "#.00" shows .5, not 0.5
    elif not grouping:
        whole = whole.zfill(digits.count("0"))  # "000" shows 007
    return sign + whole + dot + shown_fraction


def _pieces(section: str) -> list[tuple[bool, str]]:
    """(is_literal, text) pieces: quoted/escaped literals shown as they are, codes dropped."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _LITERALS.finditer(section):
        pieces.append((False, section[position:match.start()]))
        shown = match.group(1) if match.group(1) is not None else (match.group(2) or "")
        pieces.append((True, shown))
        position = match.end()
    pieces.append((False, section[position:]))
    return pieces


def _format_number(value: float, section: str) -> str:
    pieces = _pieces(section)
    if any("%" in text for literal, text in pieces if not literal):
        value *= 100
    out: list[str] = []
    placed = False
    for literal, text in pieces:
        match = None if literal or placed else _NUMBER_RUN.search(text)
        if match is None:
            out.append(text)
            continue
        out.append(text[:match.start()] + _format_run(value, match.group(0)) + text[match.end():])
        placed = True
    return "".join(out).strip() or general(value)


def excel_datetime(serial: float, date1904: bool = False) -> datetime:
    if date1904:
        return _EPOCH_1904 + timedelta(days=serial)
    if serial < 61:
        serial += 1  # before Excel's phantom 1900-02-29
    return _EPOCH_1900 + timedelta(days=serial)


def _format_date(value: float, section: str, date1904: bool) -> str:
    try:
        moment = excel_datetime(value, date1904)
    except (OverflowError, ValueError):
        return general(value)
    moment = (moment + timedelta(milliseconds=500)).replace(microsecond=0)
    bare = _render_literals(section)
    twelve_hour = "am/pm" in bare.lower()
    previous = ""
    out: list[str] = []
    position = 0
    for match in _DATE_TOKENS.finditer(bare):
        out.append(bare[position:match.start()])
        token = match.group(0).lower()
        following = bare[match.end():match.end() + 3].lower()
        minutes = token in ("m", "mm") and (previous.startswith("h") or following.startswith(":s")
                                            or following.startswith("ss"))
        out.append(_date_token(moment, token, minutes, twelve_hour))
        previous = token
        position = match.end()
    out.append(bare[position:])
    return "".join(out)


def _era_token(moment: datetime, token: str) -> str:
    for start, name, short, letter in _ERAS:
        if moment >= start:
            if token.startswith("e"):
                return f"{moment.year - start.year + 1:0{len(token)}d}"
            return {"ggg": name, "gg": short, "g": letter}[token]
    return str(moment.year) if token.startswith("e") else ""


def _date_token(moment: datetime, token: str, minutes: bool, twelve_hour: bool) -> str:
    hour = (moment.hour % 12 or 12) if twelve_hour else moment.hour
    if token[0] in "ge":
        return _era_token(moment, token)
    if minutes:
        return f"{moment.minute:02d}" if token == "mm" else str(moment.minute)
    values = {
        "yyyy": f"{moment.year:04d}", "yy": f"{moment.year % 100:02d}",
        "mmmm": moment.strftime("%B"), "mmm": moment.strftime("%b"),
        "mm": f"{moment.month:02d}", "m": str(moment.month),
        "dd": f"{moment.day:02d}", "d": str(moment.day),
        "hh": f"{hour:02d}", "h": str(hour),
        "ss": f"{moment.second:02d}", "s": str(moment.second),
        "am/pm": "AM" if moment.hour < 12 else "PM",
    }
    return values[token]


def format_value(value: float, code: str | None, date1904: bool = False) -> str:
    """`value` as a cell with number format `code` shows it."""
    if not code or code.lower() == "general" or code == "@":
        return general(value)
    sections = _sections(_ELAPSED.sub(r"\1", code))
    if value < 0 and len(sections) > 1:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    else:
        section = sections[0]
    if is_date_format(section):
        return _format_date(value, section, date1904)
    if "general" in section.lower():
        return _render_literals(section).replace("General", general(value))
    return _format_number(value, section)
