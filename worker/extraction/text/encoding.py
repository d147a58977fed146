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
6. charset-normalizer for everything else (Latin-1, GB18030, ...).

`detect_encoding` works on a prefix too (`final=False`): an incomplete character at the end
of a sample is not an error. The names returned are Python codec names.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ISO2022JP_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I", b"\x1b$(D")
_ASCII_CONTROLS_ALLOWED = frozenset(b"\t\n\r\f\v\x1b")


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
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _ASCII_CONTROLS_ALLOWED)
    return b"\x00" in sample or controls > len(sample) // 100


def _japanese_multibyte(data: bytes, final: bool) -> str | None:
    """CP932 or EUC-JP by strict decoding, the more Japanese-looking one on a tie."""
    candidates: list[tuple[float, str]] = []
    for encoding in ("cp932", "euc-jp"):
        text = strict_decode(data, encoding, final)
        if text is not None:
            candidates.append((japanese_score(text), encoding))
    if not candidates:
        return None
    # max() keeps the first of equal scores: CP932, by far the more common one.
    return max(candidates, key=lambda scored: scored[0])[1]


def detect_encoding(data: bytes, final: bool = True) -> str | None:
    """The codec name to decode `data` with, or None when it does not look like text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom) and strict_decode(data, encoding, final) is not None:
            return encoding
    utf16 = _utf16_without_bom(data)
    if utf16 and strict_decode(data, utf16, final) is not None:
        return utf16
    if _has_binary_controls(data):
        return None
    if data.isascii():
        if any(escape in data for escape in _ISO2022JP_ESCAPES):
            for encoding in ("iso-2022-jp", "iso-2022-jp-ext", "iso-2022-jp-2004"):
                if strict_decode(data, encoding, final) is not None:
                    return encoding
        return "utf-8"
    if strict_decode(data, "utf-8", final) is not None:
        return "utf-8"
    japanese = _japanese_multibyte(data, final)
    if japanese:
        return japanese
    best = from_bytes(data).best()
    return best.encoding if best is not None else None
