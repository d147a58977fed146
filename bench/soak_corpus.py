"""What the soak uploads: a realistic mix of small business files, some OCR pages, hostile
files, and the poison messages the DLQ should end up holding.

Made by the tests' own generators (tests/files.py, tests/fixtures/pdfs.py,
tests/fixtures/japanese_pages.py) with real writers; each kind is made once and varied per
object (a line of text with the object's number), so 1,000 objects cost seconds to make.
Mostly cheap files, so a run stays within minutes on 2 cores: OCR pages are ~3% of the mix.
Hostile files are the issue's inputs that cost little time and memory (the ones that take
gigabytes or minutes per attempt belong to their own tests, not to a bounded soak).
"""

from __future__ import annotations

import io
import json
import random
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests import files
from tests.fixtures import japanese_pages, pdfs


@dataclass(frozen=True)
class SoakObject:
    key: str
    body: bytes
    kind: str


LINES = ("請求書の発行についてご連絡します。", "見積書の金額は合計で十二万円です。",
         "本日は東京本社で会議を行います。", "Please reply by Friday, 15 March.")


def _text(n: int) -> bytes:
    return "\n".join([f"社内文書 第{n}号", *LINES, f"番号 {n}"]).encode("utf-8")


def _cp932(n: int) -> bytes:
    return f"議事録 {n}\n営業部の会議は午後三時からです。\n".encode("cp932")


def _csv(n: int) -> bytes:
    return f"品名,数量,単価\nノートPC,{n % 9 + 1},150000\n".encode()


def _via_file(make: Callable[[Path], object], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        make(path)
        return path.read_bytes()


def _pdf(n: int) -> bytes:
    return _via_file(lambda path: pdfs.born_digital(path, pages=1 + n % 3), ".pdf")


def _ocr_page(n: int) -> bytes:
    page = japanese_pages.horizontal_page((f"第{n}号", *LINES[:2]))
    buffer = io.BytesIO()
    page.image.save(buffer, "PNG")
    return buffer.getvalue()


def _tiff_missing_dimensions() -> bytes:
    """A TIFF whose only IFD entry is Compression: no width, no height (issue 10, item 4)."""
    entry = struct.pack("<HHII", 259, 3, 1, 1)
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + b"\x00" * 4


def _xlsx_bad_shared_string() -> bytes:
    """A cell `<c t="s"><v>abc</v></c>`: a shared-string index that is not a number."""
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>abc</v></c>'
             '</row></sheetData></worksheet>')
    workbook = _via_file(files.make_xlsx, ".xlsx")
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, sheet if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def hostile_files() -> dict[str, bytes]:
    """name suffix → bytes: each is permanent (a failed or partial document), never a retry."""
    pdf = _pdf(1)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "s.pdf"
        source.write_bytes(pdf)
        encrypted = files.encrypt_pdf(source, Path(folder) / "e.pdf", "secret").read_bytes()
    return {
        "truncated.pdf": pdf[: len(pdf) // 2],
        "encrypted.pdf": encrypted,
        "zip-bomb.docx": _via_file(lambda p: files.make_zip_bomb_docx(p, 16 * 1024 * 1024),
                                   ".docx"),
        "header-bomb.png": _via_file(files.png_header_bomb, ".png"),
        "look-alike.doc": _via_file(lambda p: files.make_ole2(p, "WordDocument"), ".doc"),
        "empty.txt": b"",
        "random.bin": random.Random(5).randbytes(4096),
        "truncated.jpg": files.jpeg_bytes((400, 300))[:300],
        "bad-cell.xlsx": _xlsx_bad_shared_string(),
        "no-dimensions.tif": _tiff_missing_dimensions(),
        "cp932-broken.txt": _cp932(0)[:9] + b"\x81\x20\xff\xfe" + _cp932(0)[9:],
        "nul.txt": _text(0)[:20] + b"\x00" + _text(0)[20:],
    }


# (share of the objects, key suffix, maker by number)
MIX: tuple[tuple[float, str, Callable[[int], bytes]], ...] = (
    (0.40, "報告.txt", _text),
    (0.10, "議事録.txt", _cp932),
    (0.06, "明細.csv", _csv),
    (0.15, "見積書.pdf", _pdf),
    (0.06, "議事録.docx", lambda n: _via_file(files.make_docx, ".docx")),
    (0.04, "見積.xlsx", lambda n: _via_file(files.make_xlsx, ".xlsx")),
    (0.03, "提案.pptx", lambda n: _via_file(files.make_pptx, ".pptx")),
    (0.04, "写真.jpg", lambda n: files.jpeg_bytes((120 + n % 50, 90))),
    (0.03, "スキャン.png", _ocr_page),
)
HOSTILE_SHARE = 0.09


def make_objects(count: int, seed: int = 10) -> list[SoakObject]:
    """`count` objects: the MIX shares, hostile files for the rest, in a shuffled order."""
    rng = random.Random(seed)
    cache: dict[str, bytes] = {}
    objects: list[SoakObject] = []
    number = 0
    for share, suffix, make in MIX:
        for _ in range(max(1, round(count * share))):
            number += 1
            kind = suffix.rsplit(".", 1)[-1]
            if kind in ("docx", "xlsx", "pptx", "pdf", "png"):  # costly to make: a few variants
                variant = f"{suffix}{number % 5}"
                if variant not in cache:
                    cache[variant] = make(number)
                body = cache[variant]
            else:
                body = make(number)
            objects.append(SoakObject(f"soak/{kind}/{number:05d} {suffix}", body, kind))
    hostile = hostile_files()
    names = sorted(hostile)
    while len(objects) < count:
        number += 1
        name = names[number % len(names)]
        objects.append(SoakObject(f"soak/hostile/{number:05d}+{name}", hostile[name], "hostile"))
    rng.shuffle(objects)
    return objects[:count]


def poison_messages() -> list[str]:
    """Bodies no worker can parse: each must end in the DLQ, and nothing else may."""
    return [
        "this is not JSON {",
        json.dumps({"hello": "world", "詳細": "S3 のイベントではない"}, ensure_ascii=False),
        json.dumps({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}),
        "[" * 60000 + "]" * 60000,  # issue 10, item 1: nested past the parser's recursion
    ]
