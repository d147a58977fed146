"""Zip members are inflated under limits counted on the bytes actually produced (issue 10,
item 2): a member whose header declares 5,000 bytes but inflates to 1.9 GB is refused as a
`decompression-bomb` after a few kilobytes, with little memory — in an OOXML part and in
type sniffing alike."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.files import write_package
from worker.errors import CorruptFileError, DecompressionBombError, EncryptedFileError
from worker.extraction.archives.inflate import InflateBudget, copy_member, read_member

GIB = 1024 * 1024 * 1024


def _headers(data: bytes, member: str, header_offset: int) -> tuple[int, int]:
    """Offsets of `member`'s local header and central directory entry."""
    assert data[header_offset:header_offset + 4] == b"PK\x03\x04"
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + name_length] == member.encode():
            return header_offset, position
        position += 4
    raise AssertionError(f"{member} is not in the central directory")


def patch_member(path: Path, member: str, declared: int, method: int | None = None,
                 crc: int | None = None) -> None:
    """Rewrite `member`'s uncompressed size (and method, CRC) in both of its headers."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    local, central = _headers(bytes(data), member, info.header_offset)
    struct.pack_into("<I", data, local + 22, declared)
    struct.pack_into("<I", data, central + 24, declared)
    if method is not None:
        struct.pack_into("<H", data, local + 8, method)
        struct.pack_into("<H", data, central + 10, method)
    if crc is not None:
        struct.pack_into("<I", data, local + 14, crc)
        struct.pack_into("<I", data, central + 16, crc)
    path.write_bytes(bytes(data))


def deflated_spaces(mebibytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of `mebibytes` MiB of spaces (~1000x smaller) and its CRC.
    zlib compresses one MiB; the next MiB's block, ended by a sync flush, decodes the same
    after any run of spaces, so it is repeated rather than recompressed 1,900 times."""
    chunk = b" " * (1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
    last = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return first + again * (mebibytes - 1) + last, crc


def lying_docx(path: Path, member: str = "word/document.xml", mebibytes: int = 1812,
               declared: int = 5000) -> Path:
    """A docx whose `member` inflates to `mebibytes` MiB of spaces and declares `declared`
    bytes: written by zipfile as a stored member holding a deflate stream, then its
    method, CRC and size patched in the headers."""
    stream, crc = deflated_spaces(mebibytes)
    assert zlib.decompressobj(-15).decompress(stream[:65536], 4096) == b" " * 4096
    if member == "[Content_Types].xml":
        zipfile.ZipFile(path, "w").close()
    else:
        write_package(path, {})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        archive.writestr(member, stream)
    patch_member(path, member, declared, method=zipfile.ZIP_DEFLATED, crc=crc)
    return path


@pytest.fixture(scope="module")
def lying_document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lying_docx(tmp_path_factory.mktemp("bomb") / "見積書.docx")


def _extract_in_child(path: Path) -> dict[str, object]:
    code = (
        "import json, sys; from pathlib import Path\n"
        "from worker.extraction.options import ExtractionOptions\n"
        "from worker.extraction.pipeline import extract_or_record\n"
        "from worker.models import SourceRef\n"
        "p = Path(sys.argv[1])\n"
        "d = extract_or_record(p, SourceRef(path=str(p)), ExtractionOptions(thumbnails=False))"
        ".document\n"
        # VmHWM: this program's own peak. ru_maxrss would carry the forking parent's (a
        # pytest process grown to 800 MB over the suite), as Linux keeps it across exec.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(json.dumps({'status': d.status, 'code': d.error_code, 'reason': d.reason,"
        " 'maxrss_kb': int(hwm.split()[1])}))\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, check=True, timeout=300)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_docx_whose_part_lies_about_its_size_is_a_bomb_with_low_memory(
        lying_document: Path) -> None:
    assert lying_document.stat().st_size < 2_500_000  # ~1.9 MB on disk
    with zipfile.ZipFile(lying_document) as archive:
        assert archive.getinfo("word/document.xml").file_size == 5000
    result = _extract_in_child(lying_document)
    assert result["status"] == "failed"
    assert result["code"] == "decompression-bomb"
    assert "declared size of 5000" in str(result["reason"])
    assert int(str(result["maxrss_kb"])) < 250 * 1024  # not the 1.9 GB it would inflate to


def test_sniffing_a_lying_content_types_part_is_a_bomb(tmp_path: Path) -> None:
    path = lying_docx(tmp_path / "a.docx", "[Content_Types].xml", mebibytes=64, declared=300)
    result = _extract_in_child(path)
    assert (result["status"], result["code"]) == ("failed", "decompression-bomb")


def _zip(path: Path, members: dict[str, bytes]) -> zipfile.ZipFile:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(path)


def test_honest_members_read_whole_and_count_against_the_budget(tmp_path: Path) -> None:
    text = "見積書 第1版\n".encode() * 1000
    budget = InflateBudget()
    with _zip(tmp_path / "a.zip", {"a.txt": text, "b.bin": b"\x00" * 10}) as archive:
        assert read_member(archive, archive.getinfo("a.txt"), len(text), budget) == text
        assert read_member(archive, archive.getinfo("b.bin"), 10, budget) == b"\x00" * 10
    assert budget.total == len(text) + 10


@pytest.mark.parametrize(("budget", "limit", "message"), [
    (InflateBudget(max_total_bytes=4 * 1024 * 1024, max_ratio=100_000), GIB, "in total"),
    (InflateBudget(max_ratio=50, ratio_floor=1024 * 1024), GIB, "more than 50x"),
    (InflateBudget(max_ratio=100_000), 3 * 1024 * 1024, "past 3145728 bytes"),
])
def test_each_limit_stops_inflation_on_the_bytes_produced(
        tmp_path: Path, budget: InflateBudget, limit: int, message: str) -> None:
    with _zip(tmp_path / "z.zip", {"zeros.bin": b"\x00" * (8 * 1024 * 1024)}) as archive, \
            pytest.raises(DecompressionBombError, match=message):
        copy_member(archive, archive.getinfo("zeros.bin"), io.BytesIO(), limit, budget)
    assert budget.total <= 8 * 1024 * 1024


def test_a_damaged_member_is_corrupt_and_an_encrypted_one_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "d.zip"
    _zip(path, {"a.txt": "請求書".encode() * 5000}).close()
    data = bytearray(path.read_bytes())
    data[60:64] = b"\xff\xff\xff\xff"  # inside the deflate stream
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive, pytest.raises(CorruptFileError):
        read_member(archive, archive.getinfo("a.txt"), GIB, InflateBudget())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("a.txt")
        info.flag_bits |= 0x1
        with pytest.raises(EncryptedFileError):
            read_member(archive, info, GIB, InflateBudget())
