"""How plausible a decoding is: Japanese (CP932/EUC-JP) against Western European (CP1252).

Bytes of a Latin-1/CP1252 text often decode as CP932 without an error: `não` is 6E E3 6F,
and E3 6F is a valid CP932 kanji (縊), so strict decoding alone turns Portuguese, French
or German into `n縊`-style mojibake. The two readings differ in what they produce:
- Latin text read as CP932 gives rare characters: accented lower-case letters (E0-FC) are
  lead bytes of JIS level-2 kanji or IBM/NEC extensions, upper-case ones (C0-DF) single
  half-width katakana, each stuck to ASCII letters; real Japanese is mostly kana, JIS
  level-1 kanji and CJK punctuation, next to each other.
- Japanese read as CP1252 gives symbols and stray capitals (“ú–{Œê for 日本語), never an
  accented letter inside an ASCII word, and usually fails outright (81, 8D, 8F, 90 and 9D
  are undefined in CP1252: 、。 and most kana rows start with them).
Each character outside ASCII gets a weight (1 = typical of that language, lower = odd),
and the reading with the higher mean weight wins. `confidence` turns the two means into
0..1 for the document's `encoding_confidence`.
"""

from __future__ import annotations

_TYPOGRAPHIC = frozenset("‘’“”–—…•€«»°·§¿¡ªº©®™")
_LATIN_LETTER_RANGE = range(0xC0, 0x250)  # Latin-1 Supplement, Latin Extended-A/B
_ODD_LATIN = frozenset("ƒ×÷")
_RARE_LETTERS = frozenset("ŠšŒœŽžŸ")  # CP1252's 80-9F letters: kanji lead bytes (A社 = AŽÐ)


def _is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def _neighbours(text: str, index: int) -> tuple[str, str]:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return before, after


def _latin_weight(text: str, index: int) -> float:
    char = text[index]
    if char in _TYPOGRAPHIC:
        return 0.8
    if char in _RARE_LETTERS:
        return 0.3
    if ord(char) in _LATIN_LETTER_RANGE and char.isalpha() and char not in _ODD_LATIN:
        before, after = _neighbours(text, index)
        if _is_ascii_letter(before) or _is_ascii_letter(after):
            return 1.0
        if (before.isalpha() and not before.isascii()) or (after.isalpha() and not after.isascii()):
            return 0.5  # ação: ç next to ã
        return 0.3  # a lone accented letter between spaces or symbols
    return 0.1


def latin_score(text: str) -> float:
    """Mean plausibility (0..1) of the non-ASCII characters of a CP1252 decoding."""
    weights = [_latin_weight(text, i) for i, char in enumerate(text) if not char.isascii()]
    return sum(weights) / len(weights) if weights else 1.0


def _is_japanese(char: str) -> bool:
    code = ord(char)
    return 0x3000 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF or 0xFF01 <= code <= 0xFF9F


def _kanji_weight(char: str) -> float:
    """JIS level 1 (CP932 lead bytes 88-98) is everyday kanji; level 2 and the vendor
    extensions are what Latin letters turn into."""
    try:
        lead = char.encode("cp932")[0]
    except UnicodeEncodeError:
        return 0.2
    if 0x88 <= lead <= 0x97 or (lead == 0x98 and char.encode("cp932")[1] <= 0x72):
        return 1.0
    return 0.35 if lead <= 0xEA else 0.15


def _japanese_weight(text: str, index: int) -> float:
    char = text[index]
    code = ord(char)
    before, after = _neighbours(text, index)
    if 0x3000 <= code <= 0x30FF or 0xFF01 <= code <= 0xFF60:
        weight = 1.0  # kana, CJK punctuation, full-width forms
    elif 0x4E00 <= code <= 0x9FFF:
        weight = _kanji_weight(char)
    elif 0xFF61 <= code <= 0xFF9F:  # half-width katakana: real in runs, alone it is a capital
        weight = 0.9 if 0xFF61 <= ord(before or " ") <= 0xFF9F or \
            0xFF61 <= ord(after or " ") <= 0xFF9F else 0.15
    else:
        return 0.2
    lone = not _is_japanese(before or " ") and not _is_japanese(after or " ")
    if lone and (_is_ascii_letter(before) or _is_ascii_letter(after)):
        weight *= 0.5  # a single kanji glued to a Latin word: n縊
    return weight


def japanese_plausibility(text: str) -> float:
    """Mean plausibility (0..1) of the non-ASCII characters of a Japanese decoding."""
    weights = [_japanese_weight(text, i) for i, char in enumerate(text) if not char.isascii()]
    return sum(weights) / len(weights) if weights else 1.0


def confidence(winner: float, loser: float | None) -> float:
    """0..1: the winner's own plausibility, discounted by how close the loser came."""
    if loser is None or winner + loser == 0:
        return round(winner, 2)
    return round(winner * winner / (winner + loser), 2)
