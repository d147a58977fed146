"""The image decoders past Pillow's own, registered once per process, one thread each.

- HEIC/HEIF (iPhone photos): `pillow-heif`, the maintained libheif binding (its wheels
  carry libheif and libde265); Pillow has no HEIF decoder of its own.
- AVIF: Pillow's own plugin (Pillow >= 11.3 wheels carry libavif), no extra dependency.
- JPEG 2000 (OpenJPEG), PNM, ICO and BigTIFF: Pillow itself.
Every decoder runs behind the same guards as the everyday formats (picture.py: the pixel
limit from the header before decoding, damaged files as CorruptFileError). Decoders are
limited to one thread, like Tesseract (DESIGN.md §5): the pool supplies the parallelism.
"""

from __future__ import annotations

import functools

import pillow_heif
from PIL import AvifImagePlugin


@functools.cache
def register_decoders() -> None:
    """Make HEIF/HEIC openable by Image.open; idempotent (cached), cheap after the first."""
    pillow_heif.options.DECODE_THREADS = 1
    pillow_heif.register_heif_opener()
    AvifImagePlugin.DEFAULT_MAX_THREADS = 1
