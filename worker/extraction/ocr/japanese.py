"""Japanese text clean-up that OCR output needs: Tesseract separates CJK characters by spaces.

Tesseract's LSTM models emit a space between most Japanese characters ("東京 本 社 で"), which
breaks phrase search and makes the text unreadable. Japanese is written without spaces, so a
space next to a Japanese character is an artefact; spaces between Latin words are real and
stay ("Tesseract 5 で" becomes "Tesseract 5で"; "Hello World" is untouched). Pure functions.
"""

from __future__ import annotations

import re

# Kana, kanji, CJK punctuation, full-width forms: the characters written without spaces.
_JAPANESE = (
    "\u3000-\u303f"  # CJK symbols and punctuation (、。「」〒…)
    "\u3040-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK unified ideographs extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff00-\uffef"  # half-width and full-width forms (ｶﾀｶﾅ, ０-９, （）)
)
_SPACES = "[ \t\u3000]+"  # spaces inside a line; line breaks are kept
_AFTER_JAPANESE = re.compile(f"(?<=[{_JAPANESE}]){_SPACES}(?=\\S)")
_BEFORE_JAPANESE = re.compile(f"(?<=\\S){_SPACES}(?=[{_JAPANESE}])")
_JAPANESE_CHAR = re.compile(f"[{_JAPANESE}]")
_YEN_AS_BACKSLASH = re.compile(r"\\(?=[ ]?[0-9])")


def is_japanese(char: str) -> bool:
    """True for one kana, kanji, CJK punctuation or full-width character."""
    return _JAPANESE_CHAR.fullmatch(char) is not None


def remove_cjk_spaces(text: str) -> str:
    """Drop the spaces inside a line that touch a Japanese character on either side."""
    return _BEFORE_JAPANESE.sub("", _AFTER_JAPANESE.sub("", text))


def yen_signs(text: str) -> str:
    """A backslash before a number is a yen sign: Japanese fonts draw 0x5C as ¥ (JIS X
    0201), and Tesseract's `jpn` model reads most ¥ of a receipt's prices as `\\`."""
    return _YEN_AS_BACKSLASH.sub("¥", text)


def japanese_share(text: str) -> float:
    """Fraction of the non-space characters that are Japanese (0.0 for empty text)."""
    visible = [char for char in text if not char.isspace()]
    if not visible:
        return 0.0
    return sum(1 for char in visible if is_japanese(char)) / len(visible)
