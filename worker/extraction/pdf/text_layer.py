"""Is a PDF page's text layer worth keeping, or must the page be OCR'd? Pure functions.

A text layer is used when it is real text. It is not when the page has none, when its font
is an Identity-H/V CID font without a ToUnicode map (the "text" is glyph numbers), when it
is mojibake (Shift_JIS or UTF-8 bytes decoded as the wrong code page), when it is full of
replacement or private-use characters, or when a few stray characters (a scanner's stamp,
a page number) sit over a full-page image that holds the real text. Garbage that is no
mojibake (plausible.py): byte-swapped UTF-16, characters from unassigned, private or rare
blocks, and random ASCII (a broken OCR layer, a font's own codes without a Unicode map).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from worker.extraction.pdf.plausible import (
    byteswapped,
    class_change_rate,
    english_score,
    symbol_share,
    symbol_spread,
    unlikely_share,
)

STRAY_TEXT_CHARS = 40  # fewer visible characters than this over a page image: stray text
PAGE_IMAGE_SHARE = 0.5  # an image covering at least half the page is "a page image"
BAD_CHAR_SHARE = 0.10  # replacement, private-use and control characters
MOJIBAKE_SHARE = 0.2  # of the visible characters, in mojibake patterns
CJK_MOJIBAKE_SHARE = 0.05  # 縺/繧/繝: lead bytes of UTF-8 kana read as CP932, rare otherwise

# UTF-8 read as Latin-1/CP1252: a lead byte (Â-ï) followed by a continuation byte
# (0x80-0xBF as CP1252 shows it). Accented letters of real French or German never pair so.
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_UTF8_AS_LATIN = re.compile(f"[\u00c2-\u00ef][{_CONTINUATION}]")
# Shift_JIS lead bytes 0x81-0x9F as CP1252 shows them; the common ones (quotes, dashes,
# bullet, ellipsis, ™) are left out because real text uses them.
_SJIS_AS_CP1252 = set("‚ƒ„†‡ˆ‰Š‹ŒŽ˜š›œžŸ")
_UTF8_AS_CP932 = set("縺繧繝")
UNLIKELY_SHARE = 0.3  # unassigned, private-use, ideographs outside the national sets
# Random ASCII: at least RANDOM_MIN_CHARS, mostly ASCII, whose letters are no English (or
# too few to judge), and either switching between letters and non-letters this often with
# this share of symbols, or a soup of many different symbols (a font's own codes: `"7+%-`).
RANDOM_MIN_CHARS = 12
RANDOM_CLASS_CHANGES = 0.35
RANDOM_SYMBOLS = 0.15
SYMBOL_SOUP = 0.33  # a third symbols or more ...
SOUP_SPREAD = 0.6  # ... none of which is more than 40% of them (not a rule or leader dots)
ENGLISH_FLOOR = -1.3
RANDOM_MIN_LETTERS = 8


def _visible(text: str) -> list[str]:
    return [char for char in text if not char.isspace()]


def _share(chars: list[str], predicate: Callable[[str], bool]) -> float:
    return sum(1 for char in chars if predicate(char)) / len(chars) if chars else 0.0


def _is_bad(char: str) -> bool:
    category = unicodedata.category(char)
    return char == "\ufffd" or category in ("Co", "Cc", "Cs")


def _mojibake_share(text: str, visible: list[str]) -> float:
    paired = 2 * len(_UTF8_AS_LATIN.findall(text))
    sjis = sum(1 for char in visible if char in _SJIS_AS_CP1252)
    return (paired + sjis) / len(visible)


def needs_image_check(text: str) -> bool:
    """True when the page has so little text that it may be stray text over a scan."""
    return 0 < len(_visible(text)) < STRAY_TEXT_CHARS


def text_layer_problem(text: str, *, unmapped_font: bool = False,
                       page_image_share: float | None = None) -> str | None:
    """None when the text layer is usable; otherwise why the page should be OCR'd.

    `page_image_share` is the share of the page covered by images (only needed when
    `needs_image_check(text)`), `unmapped_font` whether the page uses an Identity-H/V font
    without ToUnicode.
    """
    visible = _visible(text)
    if not visible:
        return "no text layer"
    if unmapped_font:
        return "Identity-H font without ToUnicode"
    if byteswapped(visible):
        return "byte-swapped UTF-16 text (a ToUnicode map written little-endian)"
    if _share(visible, _is_bad) > BAD_CHAR_SHARE:
        return "replacement, private-use or control characters"
    if _mojibake_share(text, visible) > MOJIBAKE_SHARE:
        return "mojibake (text decoded with the wrong code page)"
    if _share(visible, _UTF8_AS_CP932.__contains__) > CJK_MOJIBAKE_SHARE:
        return "mojibake (UTF-8 read as Shift_JIS)"
    garbage = _garbage(text, visible)
    if garbage:
        return garbage
    if (page_image_share is not None and page_image_share >= PAGE_IMAGE_SHARE
            and len(visible) < STRAY_TEXT_CHARS):
        return "a few stray characters over a full-page image"
    return None


def _garbage(text: str, visible: list[str]) -> str | None:
    """Rare-block or random-ASCII text layers (see plausible.py)."""
    if unlikely_share(visible) > UNLIKELY_SHARE:
        return "characters from unassigned, private-use or rare blocks"
    ascii_chars = [char for char in visible if char.isascii()]
    if len(ascii_chars) < RANDOM_MIN_CHARS or len(ascii_chars) < 0.8 * len(visible):
        return None
    symbols = symbol_share(ascii_chars)
    if ((class_change_rate(ascii_chars) >= RANDOM_CLASS_CHANGES and symbols >= RANDOM_SYMBOLS)
            or (symbols >= SYMBOL_SOUP and symbol_spread(ascii_chars) >= SOUP_SPREAD)):
        score = english_score(text, min_letters=RANDOM_MIN_LETTERS)
        if score is None or score < ENGLISH_FLOOR:
            return "random ASCII (no words: a broken OCR layer or a font's own codes)"
    return None
