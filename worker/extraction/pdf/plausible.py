"""Does a text layer look like text a person wrote? Character-level signals, pure functions.

Garbage text layers that are no mojibake: a ToUnicode map written as little-endian UTF-16
(byte-swapped: `Multi` reads `䴀甀氀琀椀`, kana and kanji land on rare ideographs, Hangul and
private-use code points), a font without a Unicode map (the font's own codes come out:
`"7+%-` for "Phone"), and a layer of random ASCII (a broken OCR layer over a scan).

- `likely(char)`: ASCII, Latin, Greek, Cyrillic, common punctuation and symbols, kana, and
  the ideographs and Hangul of the national character sets (JIS X 0208 via CP932, GB2312,
  KS X 1001): what real Japanese, Chinese, Korean and European text is made of.
- `byteswapped`: the layer is mostly unlikely, and swapping the two bytes of each character
  makes it mostly likely.
- `unlikely_share`: private-use, unassigned, surrogate, and ideographs outside the national
  sets.
- `english_score`: mean letter-bigram log10-probability of the Latin letter runs against an
  English model (english_bigrams.py, built from Tesseract's English word list); real
  English, names and codes score about -1.1 to -1.3, random letters -1.5 and below.
- `symbol_share`: ASCII punctuation among the visible characters (random ASCII: a third).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter

from worker.extraction.pdf.english_bigrams import BIGRAMS

_LIKELY_RANGES = (
    (0x0021, 0x007E), (0x00A0, 0x024F), (0x0370, 0x04FF), (0x1E00, 0x1EFF),
    (0x2000, 0x27BF), (0x2E80, 0x33FF), (0xFF00, 0xFFEF),
)
_IDEOGRAPH_RANGES = ((0x3400, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
_NATIONAL_SETS = ("cp932", "gb2312", "euc_kr")
_LETTER_RUN = re.compile(r"[A-Za-z]+")
MIN_LETTERS = 40  # fewer Latin letters than this: no English score


@functools.lru_cache(maxsize=65536)
def likely(char: str) -> bool:
    """True for a character real text is commonly made of (see the module docstring)."""
    code = ord(char)
    if unicodedata.category(char) in ("Cn", "Co", "Cs", "Cc"):
        return False
    if any(low <= code <= high for low, high in _IDEOGRAPH_RANGES):
        return _in_national_set(char)
    return any(low <= code <= high for low, high in _LIKELY_RANGES)


def _in_national_set(char: str) -> bool:
    for codec in _NATIONAL_SETS:
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            continue
        return True
    return False


def _swapped(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        return char
    swapped = ((code & 0xFF) << 8) | (code >> 8)
    return chr(swapped) if not 0xD800 <= swapped <= 0xDFFF else "\ufffd"


def likely_share(chars: list[str]) -> float:
    return sum(1 for char in chars if likely(char)) / len(chars) if chars else 1.0


def byteswapped(chars: list[str]) -> bool:
    """Mostly unlikely as it is, mostly likely with each character's two bytes swapped.
    Swapped text has no ASCII or Latin-1 left (ASCII becomes U+xx00), so a layer that has
    (control characters, say) is something else."""
    if not chars or sum(1 for char in chars if ord(char) >= 0x100) < 0.8 * len(chars):
        return False
    as_is = likely_share(chars)
    return as_is < 0.6 and likely_share([_swapped(char) for char in chars]) > as_is + 0.3


@functools.lru_cache(maxsize=65536)
def _unlikely(char: str) -> bool:
    if unicodedata.category(char) in ("Cn", "Co", "Cs"):
        return True
    code = ord(char)
    return (any(low <= code <= high for low, high in _IDEOGRAPH_RANGES)
            and not _in_national_set(char))


def unlikely_share(chars: list[str]) -> float:
    return sum(1 for char in chars if _unlikely(char)) / len(chars) if chars else 0.0


def symbol_share(chars: list[str]) -> float:
    """Share of ASCII punctuation and symbols among the visible characters."""
    if not chars:
        return 0.0
    return sum(1 for char in chars if char.isascii() and not char.isalnum()) / len(chars)


def symbol_spread(chars: list[str]) -> float:
    """1 - the share of the commonest ASCII symbol among the symbols: near 0 for a rule of
    dashes or leader dots, high for a soup of many different symbols."""
    symbols = Counter(char for char in chars if char.isascii() and not char.isalnum())
    total = sum(symbols.values())
    return 1 - max(symbols.values()) / total if total else 0.0


def class_change_rate(chars: list[str]) -> float:
    """How often neighbouring visible ASCII characters switch between a letter and a
    non-letter: words keep to letters for a while, and numbers, dates and phone numbers
    (digits and dashes) do not count; random ASCII switches about every other character."""
    letters = [char.isalpha() for char in chars if char.isascii()]
    if len(letters) < 2:
        return 0.0
    return sum(1 for a, b in itertools.pairwise(letters) if a != b) / (len(letters) - 1)


def english_score(text: str, min_letters: int = MIN_LETTERS) -> float | None:
    """Mean letter-bigram log10-probability of the Latin letter runs; None below
    `min_letters` letters (too little to judge)."""
    runs = _LETTER_RUN.findall(text)
    if sum(len(run) for run in runs) < min_letters:
        return None
    total = 0.0
    count = 0
    for run in runs:
        framed = f" {run.lower()} "
        for first, second in itertools.pairwise(framed):
            total += BIGRAMS[first + second]
            count += 1
    return total / count
