"""Modern photo and scan formats against JPEG of the same picture, in the same run.

(f) Thumbnail time and peak memory of a 6 MP photo stored as HEIC (pillow-heif), AVIF and
JPEG 2000 (Pillow), against the same photo as JPEG, the format the thumbnail path was
tuned for (draft mode). The new formats have no draft mode: they are decoded in full, so
the ratio says what such a photo costs next to a JPEG one — except a HEIC that embeds a
thumbnail, as iPhone photos do, which pillow-heif's draft mode uses instead. One decoder
thread each, as in the worker. About 30 s on 2 cores (encoding the inputs included).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from bench.bench_extraction import _peak_rss_mb
from bench.table import Row
from worker.extraction.images.decoders import register_decoders
from worker.extraction.options import ExtractionOptions
from worker.extraction.thumbnail import image_thumbnail

SIZE = (3000, 2000)
FORMATS: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    ("HEIC", "HEIF", "photo.heic", {"quality": 85}),
    ("HEIC with a 320 px preview (as iPhones)", "HEIF", "photo-thumb.heic",
     {"quality": 85, "thumbnails": [320]}),
    ("AVIF", "AVIF", "photo.avif", {"quality": 85}),
    ("JPEG 2000", "JPEG2000", "photo.jp2", {"quality_mode": "dB", "quality_layers": [40]}),
)


def _photo() -> Image.Image:
    picture = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    draw = ImageDraw.Draw(picture)
    for x in range(0, SIZE[0], 150):
        draw.rectangle((x, 400, x + 90, 1600), fill=(200, 80 + x % 120, 40))
    return picture


def _timed(action: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - started) / repeat


def _peak(path: Path) -> float:
    return _peak_rss_mb("from pathlib import Path; from worker.extraction.options import "
                        "ExtractionOptions as O; from worker.extraction.thumbnail import "
                        f"image_thumbnail; image_thumbnail(Path('{path}'), O())")


def run() -> list[Row]:
    register_decoders()
    options = ExtractionOptions()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-formats-") as folder:
        scratch = Path(folder)
        photo = _photo()
        jpeg = scratch / "photo.jpg"
        photo.save(jpeg, "JPEG", quality=85)
        baseline = _timed(lambda: image_thumbnail(jpeg, options), repeat=5)
        baseline_mb = _peak(jpeg)
        for label, fmt, name, params in FORMATS:
            path = scratch / name
            photo.save(path, fmt, **params)
            assert image_thumbnail(path, options) is not None
            seconds = _timed(lambda path=path: image_thumbnail(path, options), repeat=3)
            rows.append(Row(f"(f) thumbnail of a 6 MP {label} photo", f"{seconds * 1000:.0f} ms",
                            f"{baseline * 1000:.0f} ms same photo as JPEG", baseline / seconds,
                            "", f"peak RSS {_peak(path):.0f} MB vs {baseline_mb:.0f} MB "
                            f"(process incl. imports); {path.stat().st_size // 1024} KB vs "
                            f"{jpeg.stat().st_size // 1024} KB"))
    return rows
