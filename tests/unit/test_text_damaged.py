"""Text damaged in a few places is still text (issue 10 item 5): a CP932 file with three
invalid byte pairs and a text with one NUL byte were "unrecognised binary content", all
their text lost. Real binary (many NULs, random bytes) is still refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from worker.errors import UnsupportedFileError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract, extract_or_record
from worker.extraction.sniff import sniff
from worker.extraction.text.encoding import detect, lenient_decode
from worker.models import SourceRef

OPTIONS = ExtractionOptions()
MINUTES = ("定例会議 議事録\r\n日時：2024年1月15日（月）10:00から11:00\r\n場所：本社 第一会議室\r\n"
           "議題：来期の予算案について、営業部と総務部で確認した。見積書は金曜日までに提出する。\r\n")
INVALID_PAIR = b"\x85\x40"  # 0x85 is no CP932 lead byte: one invalid byte, then "@"


def _damaged_cp932() -> bytes:
    """The minutes in CP932, several times over, with three invalid byte pairs inside."""
    lines = [(MINUTES * 3).encode("cp932") for _ in range(3)]
    return INVALID_PAIR.join(lines) + INVALID_PAIR


def test_cp932_with_three_invalid_pairs_is_read_with_replacements(tmp_path: Path) -> None:
    data = _damaged_cp932()
    detected = detect(data)
    assert detected is not None and detected.encoding == "cp932"
    path = tmp_path / "議事録.txt"
    path.write_bytes(data)
    assert (sniff(path).kind, sniff(path).encoding_hint) == ("text", "cp932")
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.encoding) == ("partial", "cp932")
    assert document.reason == "3 invalid byte sequences (3 bytes) replaced with U+FFFD (cp932)"
    expected = "\ufffd@".join([(MINUTES * 3).replace("\r\n", "\n")] * 3) + "\ufffd@"
    assert document.content == expected
    assert document.encoding_confidence is not None and 0 < document.encoding_confidence <= 0.8


def test_one_nul_byte_does_not_make_a_text_binary(tmp_path: Path) -> None:
    path = tmp_path / "メモ.txt"
    path.write_bytes(MINUTES.encode("utf-8") + b"\x00" + "以上".encode())
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.encoding) == ("partial", "utf-8")
    assert document.reason == "1 NUL bytes dropped"
    assert document.content == MINUTES.replace("\r\n", "\n") + "以上"


def test_a_clean_text_stays_complete(tmp_path: Path) -> None:
    path = tmp_path / "議事録.txt"
    path.write_bytes((MINUTES * 9).encode("cp932"))
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.reason, document.encoding) == ("complete", None, "cp932")


def test_more_than_one_percent_invalid_is_not_text(tmp_path: Path) -> None:
    data = INVALID_PAIR.join([MINUTES.encode("cp932")[:40]] * 30)  # ~2.5 % invalid
    assert detect(data) is None


@pytest.mark.parametrize("name", ["nuls", "random"])
def test_real_binary_is_still_unsupported(tmp_path: Path, name: str) -> None:
    if name == "nuls":  # text interleaved with NUL runs, as in a database page
        data = b"".join(MINUTES.encode("cp932") + b"\x00" * 16 for _ in range(20))
    else:
        data = random.Random(10).randbytes(8192)
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    document = extract_or_record(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.error_code) == ("failed", "unsupported")
    with pytest.raises(UnsupportedFileError):
        extract(path, SourceRef(path=str(path)), OPTIONS)


def test_lenient_decode_counts_what_it_replaces() -> None:
    decoded = lenient_decode("日本".encode() + b"\xff\xfe" + "語".encode(), "utf-8")
    assert decoded == ("日本\ufffd\ufffd語", 2, 2)
