"""The image formats past the everyday ones, recognised by their first bytes.

sniff.py knows PNG, JPEG, TIFF, BMP, GIF and WebP; this module adds what phones, scanners and
old systems also leave on a share, each by a signature that is checked beyond a few bytes
(a text must never be taken for a picture):
- HEIC/HEIF (every iPhone photo) and AVIF: an ISO base media `ftyp` box whose major or
  compatible brands name the image kind (decoded by pillow-heif and by Pillow's own AVIF
  plugin: see decoders.py);
- JPEG 2000: the JP2 signature box, or a bare codestream (SOC + SIZ markers);
- PNM (PBM/PGM/PPM, P1-P6): the magic number followed by a width and a height, then only
  numbers (plain) or binary samples (raw);
- ICO: reserved 0, type 1, a plausible image count and a first entry with 0 or 1 planes;
- BigTIFF: `II+\\0` / `MM\\0+` with an 8-byte offset size.
"""

from __future__ import annotations

import re

_FTYP_HEIF = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm",
                        b"hevs", b"mif1", b"msf1"})
_FTYP_AVIF = frozenset({b"avif", b"avis"})
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_J2K_CODESTREAM = b"\xff\x4f\xff\x51"
_GAP = rb"(?:\s|#[^\n]*\n)+"
_PNM = re.compile(rb"P([1-6])" + _GAP + rb"(\d+)" + _GAP + rb"(\d+)(?:" + _GAP + rb"(\d+))?\s")
_PNM_MIME = {b"1": "image/x-portable-bitmap", b"4": "image/x-portable-bitmap",
             b"2": "image/x-portable-graymap", b"5": "image/x-portable-graymap",
             b"3": "image/x-portable-pixmap", b"6": "image/x-portable-pixmap"}
_MAX_ICO_IMAGES = 64
_PLAIN_PNM_BODY = re.compile(rb"(?:[\d\s]|#[^\n]*\n)*")
_PNM_CHECKED = 4096


def _brands(head: bytes) -> set[bytes]:
    """Major and compatible brands of a leading `ftyp` box (empty when there is none)."""
    if head[4:8] != b"ftyp":
        return set()
    size = int.from_bytes(head[0:4], "big")
    if not 16 <= size <= min(len(head), 4096):
        return set()
    brands = {head[8:12]}
    brands.update(head[offset:offset + 4] for offset in range(16, size - 3, 4))
    return brands


def _iso_image(head: bytes) -> str | None:
    brands = _brands(head)
    major = head[8:12]
    if major in _FTYP_AVIF or (major in (b"mif1", b"msf1") and brands & _FTYP_AVIF):
        return "image/avif"
    if major in _FTYP_HEIF or brands & (_FTYP_HEIF - {b"mif1", b"msf1"}):
        return "image/heic" if brands & {b"heic", b"heix", b"heim", b"heis"} else "image/heif"
    return None


def _pnm_header_fits(header: re.Match[bytes]) -> bool:
    """Gray and color maps name their maximum sample value (1-65535); bitmaps do not."""
    magic, maxval = header.group(1), header.group(4)
    if magic in b"14":
        return True
    return maxval is not None and 0 < int(maxval) < 65536


def _pnm_body_fits(magic: bytes, body: bytes) -> bool:
    """Plain PNM (P1-P3) is numbers only; raw PNM (P4-P6) holds binary samples. A text that
    happens to start "P3 2024 04" is neither."""
    if magic in b"123":
        return _PLAIN_PNM_BODY.fullmatch(body) is not None
    return not body.isascii() or b"\x00" in body or not body


def _ico(head: bytes) -> bool:
    if head[0:4] != b"\x00\x00\x01\x00" or len(head) < 22:
        return False
    count = int.from_bytes(head[4:6], "little")
    reserved, planes = head[9], int.from_bytes(head[10:12], "little")
    offset = int.from_bytes(head[18:22], "little")
    return 0 < count <= _MAX_ICO_IMAGES and reserved == 0 and planes in (0, 1) \
        and offset >= 6 + 16 * count


def extra_image_mime(head: bytes) -> str | None:
    """The MIME type of a HEIC/HEIF, AVIF, JPEG 2000, PNM, ICO or BigTIFF file, else None."""
    if head.startswith(_JP2_SIGNATURE):
        return "image/jp2"
    if head.startswith(_J2K_CODESTREAM):
        return "image/x-jp2-codestream"
    if head.startswith((b"II+\x00\x08\x00", b"MM\x00+\x00\x08")):
        return "image/tiff"  # BigTIFF
    iso = _iso_image(head)
    if iso:
        return iso
    pnm = _PNM.match(head)
    if pnm and _pnm_header_fits(pnm) and _pnm_body_fits(pnm.group(1),
                                                        head[pnm.end():_PNM_CHECKED]):
        return _PNM_MIME[pnm.group(1)]
    return "image/vnd.microsoft.icon" if _ico(head) else None
