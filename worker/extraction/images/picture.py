"""Pillow helpers shared by image extraction and thumbnails: bomb guard, orientation, modes.

Dimensions are checked from the header, before any pixel is decoded, so a decompression bomb
(a small file that expands to gigapixels) is refused with a clear reason, and so is a frame
whose decoded bytes (pixels x bytes per pixel of its mode) exceed the memory budget, or a
JPEG far too small to hold the pixels it declares (a 4.9 KB file declaring 10950 x 10950
decodes without an error into 360 MB of grey: it is truncated or its header is damaged).
A frame Pillow cannot even set up (a TIFF page without dimensions) is corrupt too. Every mode Pillow
opens (palette, alpha, CMYK, 16-bit, 1-bit) is brought to 8-bit grayscale for OCR or RGB for
a JPEG thumbnail; transparency becomes white paper, 16-bit samples are scaled, not clipped.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from worker.errors import (
    CorruptFileError,
    DecompressionBombError,
    FileTooLargeError,
    UnsupportedFileError,
)
from worker.extraction.images.decoders import register_decoders

ORIENTATION = 0x0112  # the EXIF/TIFF tag
WHITE_PAPER = 235  # paper at least this bright needs no flattening ...
DARK_PAPER_SHARE = 0.03  # ... unless more of the page than this is darker (a shadow, not
# a seal or a table's shaded header cell, which are no lighting to even out)
_SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")
# A baseline JPEG spends at least a bit or two on every 8 x 8 block; one bit per 32 x 128
# pixels is ~8x below that floor, so a smaller file cannot hold what its header declares.
JPEG_MIN_PIXELS_PER_BYTE = 4096
_BROKEN_FRAME = (OSError, SyntaxError, ValueError, EOFError, TypeError, struct.error)


@contextmanager
def open_picture(source: Path | bytes) -> Iterator[Image.Image]:
    """Open an image lazily (header only); Pillow's failures to open become our errors.

    Pillow's own bomb check is left to `check_pixels` (our configured limit), so its
    warning is silenced here; its hard error (twice its limit) is still translated.
    """
    register_decoders()  # HEIC/HEIF and one-thread AVIF
    stream: Path | IO[bytes] = BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            picture = Image.open(stream)
    except Image.DecompressionBombError as exc:
        raise DecompressionBombError(f"refused a decompression bomb: {exc}") from None
    except UnidentifiedImageError as exc:
        raise UnsupportedFileError(f"not an image Pillow can read: {exc}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFileError(f"the image is damaged: {exc}") from None
    with picture:
        yield picture


def decode(picture: Image.Image) -> None:
    """Decode the current frame's pixels; a truncated or damaged file is a CorruptFileError."""
    try:
        picture.load()
    except _BROKEN_FRAME as exc:
        raise CorruptFileError(f"the image is damaged or truncated: {exc}") from None


def frame_count(picture: Image.Image) -> int:
    """How many frames (pages) the file holds; a frame Pillow cannot set up is corrupt."""
    try:
        return int(getattr(picture, "n_frames", 1))
    except _BROKEN_FRAME as exc:
        raise CorruptFileError(f"the image is damaged: a frame cannot be read ({exc})") from None


def seek(picture: Image.Image, index: int) -> None:
    try:
        picture.seek(index)
    except _BROKEN_FRAME as exc:
        raise CorruptFileError(f"the image is damaged: frame {index + 1} cannot be read "
                               f"({exc})") from None


def check_decoded_bytes(picture: Image.Image, max_bytes: int, what: str = "the image") -> None:
    """Refuse a frame whose decoded pixels would take more than max_bytes of memory."""
    width, height = picture.size
    needed = width * height * _bytes_per_pixel(picture.mode)
    if needed > max_bytes:
        raise FileTooLargeError(
            f"{what} is {width} x {height} {picture.mode}: decoding it takes {needed:,} bytes, "
            f"over the limit of {max_bytes:,}")


def check_holds_its_pixels(picture: Image.Image, file_bytes: int) -> None:
    """Refuse a JPEG far too small for the pixels its header declares (see the docstring)."""
    width, height = picture.size
    if picture.format == "JPEG" and file_bytes * JPEG_MIN_PIXELS_PER_BYTE < width * height:
        raise CorruptFileError(
            f"the JPEG declares {width} x {height} pixels but holds only {file_bytes:,} bytes: "
            "it is truncated or its header is damaged")


def _bytes_per_pixel(mode: str) -> float:
    if mode == "1":
        return 1 / 8
    if mode in _SIXTEEN_BIT[:-1]:
        return 2
    return len(mode) if mode in ("L", "P", "LA", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "LAB",
                                 "HSV", "RGBX", "RGBa", "La") else 4


def check_pixels(picture: Image.Image, max_pixels: int, what: str = "the image") -> None:
    """Refuse a frame larger than max_pixels before decoding it."""
    width, height = picture.size
    if width * height > max_pixels:
        raise DecompressionBombError(
            f"{what} is {width} x {height} = {width * height:,} pixels, over the limit of "
            f"{max_pixels:,} (a decompression bomb or an oversized scan)")


def upright(picture: Image.Image) -> Image.Image:
    """Apply the EXIF/TIFF orientation tag, so the picture is the way a person sees it;
    the picture itself when it has none (exif_transpose copies it: 0.06 s at 9 MP)."""
    if picture.getexif().get(ORIENTATION, 1) == 1:
        return picture
    turned = ImageOps.exif_transpose(picture)
    return turned if turned is not None else picture


def _on_white(picture: Image.Image) -> Image.Image:
    if picture.mode in _SIXTEEN_BIT:
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    has_alpha = picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        picture.mode == "P" and "transparency" in picture.info)
    if has_alpha:
        rgba = picture.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    if picture.mode in ("CMYK", "YCbCr", "LAB", "HSV", "P", "1", "F"):
        return picture.convert("RGB")
    return picture


def to_grayscale(picture: Image.Image) -> Image.Image:
    """8-bit grayscale for OCR, whatever the source mode."""
    flat = _on_white(picture)
    return flat if flat.mode == "L" else flat.convert("L")


def to_rgb(picture: Image.Image) -> Image.Image:
    """RGB (or L, which JPEG stores as is) for a thumbnail, whatever the source mode."""
    flat = _on_white(picture)
    return flat if flat.mode in ("RGB", "L") else flat.convert("RGB")


def flatten_lighting(gray: Image.Image) -> Image.Image:
    """Divide an 8-bit page by its estimated paper brightness, so the paper becomes white.

    The paper is estimated at 1/8 scale (a max filter removes the ink, a blur smooths it).
    On evenly lit white paper (a clean scan) the division would change nothing, so it is
    skipped: the estimate costs ~0.02 s, the division ~0.15 s for 9 megapixels. A small dark
    patch (a red seal, a shaded cell: under DARK_PAPER_SHARE of the page; the eval's seals and
    forms 0.01-0.09%, its photos 89-100%) is no uneven light;
    the eval's letters and forms paid the division for it (0.3-0.4 s a page).
    """
    small = gray.reduce(8).filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3))
    histogram = small.histogram()
    if sum(histogram[:WHITE_PAPER]) <= DARK_PAPER_SHARE * small.width * small.height:
        return gray
    paper = np.asarray(small.resize(gray.size, Image.Resampling.BILINEAR), dtype=np.uint16)
    ink = np.asarray(gray, dtype=np.uint16) * 255  # integers: the same pixels as Pillow's
    # ImageMath in floats, in 0.11-0.19 s instead of 0.33-0.35 s (a 9 MP photo)
    return Image.fromarray(np.minimum(ink // (paper + 1), 255).astype(np.uint8), "L")
