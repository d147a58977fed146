"""JPEG thumbnails (about `options.thumbnail_size` px on the long side) of PDFs and images.

PDFs: the first page rendered by pdftoppm straight at thumbnail scale, as JPEG (20-250x
faster than rendering at 300 dpi and shrinking, DESIGN.md §5). Images (also the embedded
thumbnail of an Office file, passed as bytes): JPEG draft mode decodes at 1/2-1/8 scale
(3.4x faster, 30x less memory than a full decode), a HEIC photo's embedded thumbnail is
used when it is large enough, then EXIF orientation, any mode to RGB,
and a high-quality reduction. A thumbnail is a convenience: input with no sensible picture
(unreadable, encrypted, a bomb) gives None and never fails the document; only a missing
program (fatal) propagates.
"""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from PIL import Image

from worker.errors import FatalError, WorkerError
from worker.extraction.images.picture import check_pixels, decode, open_picture, to_rgb, upright
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.poppler import render_thumbnail

JPEG_QUALITY = 80
# JPEG decodes at 1/2-1/8 scale; HEIF (pillow-heif) uses the thumbnail the file embeds
# (iPhone photos carry a 320 x 240 one) instead of decoding 12 megapixels.
_DRAFT_FORMATS = frozenset({"JPEG", "HEIF"})
PDF_THUMBNAIL_TIMEOUT_S = 60.0
log = logging.getLogger(__name__)


def pdf_thumbnail(path: Path, options: ExtractionOptions) -> bytes | None:
    """The first page of a PDF as JPEG bytes, or None when it cannot be rendered."""
    try:
        jpeg = render_thumbnail(path, size=options.thumbnail_size,
                                timeout_s=PDF_THUMBNAIL_TIMEOUT_S)
    except FatalError:
        raise
    except WorkerError as exc:
        log.info("no PDF thumbnail: %s", exc.reason)
        return None
    return jpeg or None


def _covering(full: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The draft request: at least `long_side` on the picture's long side, the short side
    left free (an embedded HEIC thumbnail's short side is rounded its own way, and a JPEG
    scale that covers the long side covers the box)."""
    return (long_side, 1) if full[0] >= full[1] else (1, long_side)


def image_thumbnail(source: Path | bytes, options: ExtractionOptions) -> bytes | None:
    """An image file (or image bytes) as a JPEG thumbnail, or None when it is unusable."""
    size = options.thumbnail_size
    try:
        with open_picture(source) as picture:
            check_pixels(picture, options.max_page_pixels)
            if picture.format in _DRAFT_FORMATS:
                picture.draft(None, _covering(picture.size, size))
            decode(picture)
            small = to_rgb(upright(picture))
            small.thumbnail((size, size), Image.Resampling.LANCZOS)
            out = BytesIO()
            small.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except WorkerError as exc:
        log.info("no image thumbnail: %s", exc.reason)
        return None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        log.info("no image thumbnail: %s", exc)
        return None
    return out.getvalue()
