"""Which text encoding a file uses, decided the way Japanese files need it.

Generic detectors (charset-normalizer included) guess from byte statistics and mislabel short
Japanese text, typically CP932 as some Cyrillic or Chinese code page. Japanese encodings can
instead be told apart by strict decoding, in an order where each step is unambiguous:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. BOM-less UTF-16: NUL bytes on one parity only (the ASCII part of the text: line breaks,
   digits, spaces) and a strict decode;
3. ISO-2022-JP: 7-bit bytes with its escape sequences (nothing else looks like that);
4. UTF-8, strict (pure ASCII included: it is valid UTF-8);
5. CP932 (Windows Shift_JIS) and EUC-JP, strict; when both decode, the one whose characters
   look more like Japanese text wins (EUC-JP bytes also decode as CP932 half-width katakana);
   and when CP1252 decodes too, the more plausible of Japanese and Western European wins
   (plausible.py: `não`, `café`, `Müller` in Latin-1 also decode as CP932 mojibake);
6. when nothing decodes strictly: UTF-8, CP932 or EUC-JP with a few invalid sequences (at
   most MAX_INVALID_SHARE of the bytes, the rest plausibly Japanese for CP932/EUC-JP, real
   multi-byte characters for UTF-8) — a text damaged in a few places (a cut transfer, a
   stray byte) is still that text, not binary; the reader replaces the invalid sequences and
   says how many (reader.py);
7. charset-normalizer for everything else (GB18030, Cyrillic, ...).

Binary is told by control bytes: more than 1 % of them, or NULs past 1 per 1000 bytes (a
text with a stray NUL is still text; the reader drops the NULs and says so).

`detect_encoding` works on a prefix too (`final=False`): an incomplete character at the end
of a sample is not an error. The names returned are Python codec names. `detect` also says
how sure it is (0..1, the document's `encoding_confidence`): 1 for a BOM, ASCII or
ISO-2022-JP, 0.99 for valid multi-byte UTF-8, the plausibility margin for CP932/EUC-JP
against CP1252, at most LENIENT_CONFIDENCE for a decoding with invalid sequences, and
charset-normalizer's own (1 - chaos) for the rest.
"""

from __future__ import annotations

import codecs
import threading
from typing import NamedTuple

from charset_normalizer import from_bytes

from worker.extraction.text.plausible import confidence, japanese_plausibility, latin_score

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ISO2022JP_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D")
_ASCII_CONTROLS_ALLOWED = frozenset(b"\t\n\r\f\v\x1b")
UTF8_CONFIDENCE = 0.99
PLAUSIBILITY_SAMPLE = 4000  # characters scored: enough to decide, cheap on a 64 KB head
LATIN_MIN_SCORE = 0.6  # below it (Cyrillic, Greek read as CP1252: ~0.5) charset-normalizer decides
MAX_INVALID_SHARE = 0.01  # invalid bytes a damaged text may have and still be text
LENIENT_JAPANESE_MIN = 0.6  # plausibility a CP932/EUC-JP decoding with errors must reach
LENIENT_CONFIDENCE = 0.8
_LENIENT_CODECS = ("utf-8", "cp932", "euc-jp")
_COUNT_AND_REPLACE = "cis-count-replace"
_counts = threading.local()


class Detected(NamedTuple):
    encoding: str  # a Python codec name
    confidence: float  # 0..1


class Decoded(NamedTuple):
    text: str  # invalid sequences replaced by U+FFFD
    invalid_sequences: int
    invalid_bytes: int


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _counts.sequences += 1
    _counts.bytes += exc.end - exc.start
    return "\ufffd", exc.end


codecs.register_error(_COUNT_AND_REPLACE, _count_and_replace)


def lenient_decode(data: bytes, encoding: str, final: bool = True) -> Decoded:
    """The text with each invalid sequence replaced by U+FFFD, and how many there were."""
    _counts.sequences = _counts.bytes = 0
    decoder = codecs.getincrementaldecoder(encoding)(errors=_COUNT_AND_REPLACE)
    text = decoder.decode(data, final=final)
    return Decoded(text, _counts.sequences, _counts.bytes)


def strict_decode(data: bytes, encoding: str, final: bool = True) -> str | None:
    """The text, or None when `data` is not valid in `encoding`."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(data, final=final)
    except (UnicodeDecodeError, UnicodeError):
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit on one parity only (and enough of them)."""
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    pairs = max(1, len(data) // 2)
    # Kanji such as U+4E00 put a NUL on the other parity now and then: a clear majority.
    if odd_nuls > pairs // 20 and even_nuls * 4 < odd_nuls:
        return "utf-16-le"
    if even_nuls > pairs // 20 and odd_nuls * 4 < even_nuls:
        return "utf-16-be"
    return None


def japanese_score(text: str) -> float:
    """Share of characters that are plausible in Japanese business text (0..1).

    Hiragana, katakana, kanji, ASCII, full-width forms and CJK punctuation count; half-width
    katakana (what EUC-JP looks like when read as CP932), C1 controls and private-use
    characters do not.
    """
    if not text:
        return 0.0
    good = 0
    for char in text:
        code = ord(char)
        if code < 0x80 or 0x3000 <= code <= 0x30FF or 0x4E00 <= code <= 0x9FFF \
                or 0xFF01 <= code <= 0xFF60 or 0x2010 <= code <= 0x2312:
            good += 1
    return good / len(text)


def _has_binary_controls(data: bytes) -> bool:
    """Binary: control bytes past 1 % of the sample, or NULs past 1 per 1000 bytes (one is
    always allowed: a stray NUL in a text)."""
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _ASCII_CONTROLS_ALLOWED)
    return sample.count(0) > max(1, len(sample) // 1000) or controls > max(1, len(sample) // 100)


_VOICEABLE = frozenset("ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ")
_SEMI_VOICEABLE = frozenset("ﾊﾋﾌﾍﾎ")


def voiced_half_width(text: str) -> bool:
    """True when everything past ASCII is half-width katakana with at least one voicing mark,
    each after a kana that takes it (ﾃﾞｰﾀ, ｶﾌﾞｼｷｶﾞｲｼｬ). Such a run is a decoding's own
    signature: the other codec reads the same bytes as arbitrary kanji, while the half-width
    katakana that EUC-JP kanji turn into when read as CP932 carry no marks in that order."""
    marks = 0
    previous = ""
    for char in text:
        if char.isascii():
            previous = char
            continue
        if not 0xFF61 <= ord(char) <= 0xFF9F:
            return False
        if (char == "ﾞ" and previous not in _VOICEABLE) or \
                (char == "ﾟ" and previous not in _SEMI_VOICEABLE):
            return False
        marks += char in "ﾞﾟ"
        previous = char
    return marks > 0


def _japanese_multibyte(data: bytes, final: bool) -> tuple[str, str] | None:
    """(codec, text): CP932 or EUC-JP by strict decoding; the more Japanese-looking one wins
    (a voiced half-width katakana run first of all), CP932 on a tie."""
    candidates: list[tuple[float, str, str]] = []
    for encoding in ("cp932", "euc-jp"):
        text = strict_decode(data, encoding, final)
        if text is not None:
            score = 2.0 if voiced_half_width(text) else japanese_score(text)
            candidates.append((score, encoding, text))
    if not candidates:
        return None
    # max() keeps the first of equal scores: CP932, by far the more common one.
    _score, encoding, text = max(candidates, key=lambda scored: scored[0])
    return encoding, text


def _japanese_or_western(data: bytes, final: bool) -> Detected | None:
    """CP932/EUC-JP against CP1252, by plausibility (plausible.py); None: neither fits."""
    japanese = _japanese_multibyte(data, final)
    western = strict_decode(data, "cp1252", final)
    latin = latin_score(western[:PLAUSIBILITY_SAMPLE]) if western is not None else None
    if japanese is not None:
        encoding, text = japanese
        score = japanese_plausibility(text[:PLAUSIBILITY_SAMPLE])
        if latin is None or score >= latin:
            return Detected(encoding, confidence(score, latin))
    if latin is not None and latin >= LATIN_MIN_SCORE:
        rival = japanese_plausibility(japanese[1][:PLAUSIBILITY_SAMPLE]) if japanese else None
        return Detected("cp1252", confidence(latin, rival))
    return None


def _lenient_score(decoded: Decoded, encoding: str, size: int) -> float | None:
    """How plausible a decoding with a few invalid sequences is (0..1), None: not text."""
    if decoded.invalid_bytes > size * MAX_INVALID_SHARE:
        return None
    sample = decoded.text[:PLAUSIBILITY_SAMPLE * 4].replace("\ufffd", "")
    if encoding == "utf-8":
        return 1.0 if any(not char.isascii() for char in sample) else None
    score = japanese_plausibility(sample[:PLAUSIBILITY_SAMPLE])
    return score if score >= LENIENT_JAPANESE_MIN else None


def _damaged_text(data: bytes, final: bool) -> Detected | None:
    """UTF-8, CP932 or EUC-JP with a few invalid sequences: the fewest invalid bytes win,
    then the more plausible decoding, then the earlier codec."""
    best: tuple[int, float, str] | None = None
    for encoding in _LENIENT_CODECS:
        decoded = lenient_decode(data, encoding, final)
        score = _lenient_score(decoded, encoding, len(data))
        if score is not None and (best is None or (decoded.invalid_bytes, -score) <
                                  (best[0], -best[1])):
            best = (decoded.invalid_bytes, score, encoding)
    if best is None:
        return None
    return Detected(best[2], round(min(best[1], LENIENT_CONFIDENCE), 2))


def _by_statistics(data: bytes) -> Detected | None:
    best = from_bytes(data).best()
    if best is None:
        return None
    return Detected(best.encoding, round(max(0.0, 1.0 - best.chaos), 2))


def detect(data: bytes, final: bool = True) -> Detected | None:
    """The codec to decode `data` with and how sure that is, or None when it does not look
    like text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom) and strict_decode(data, encoding, final) is not None:
            return Detected(encoding, 1.0)
    utf16 = _utf16_without_bom(data)
    if utf16 and strict_decode(data, utf16, final) is not None:
        return Detected(utf16, 0.95)
    if _has_binary_controls(data):
        return None
    if data.isascii():
        if any(escape in data for escape in _ISO2022JP_ESCAPES):
            for encoding in ("iso-2022-jp", "iso-2022-jp-ext", "iso-2022-jp-2004"):
                if strict_decode(data, encoding, final) is not None:
                    return Detected(encoding, 1.0)
        return Detected("utf-8", 1.0)
    if strict_decode(data, "utf-8", final) is not None:
        return Detected("utf-8", UTF8_CONFIDENCE)
    return _japanese_or_western(data, final) or _damaged_text(data, final) \
        or _by_statistics(data)


def detect_encoding(data: bytes, final: bool = True) -> str | None:
    """The codec name to decode `data` with, or None when it does not look like text."""
    detected = detect(data, final)
    return detected.encoding if detected else None
