"""Zip members are inflated under limits counted on the bytes actually produced (issue 10,
item 2): a member whose header declares 5,000 bytes but inflates to 1.9 GB is refused as a
`decompression-bomb` after a few kilobytes, with little memory — in an OOXML part and in
type sniffing alike."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.files import write_package
from worker.errors import CorruptFileError, DecompressionBombError, EncryptedFileError
from worker.extraction.archives.inflate import InflateBudget, read_member

GIB = 1024 * 1024 * 1024


def patch_declared_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size of `member` in its local and central headers."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    assert data[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    name = member.encode()
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46:position + 46 + name_length]) == name:
            struct.pack_into("<I", data, position + 24, declared)
            break
        position += 4
    else:
        raise AssertionError(f"{member} is not in the central directory")
    path.write_bytes(bytes(data))


def lying_docx(path: Path, member: str = "word/document.xml",
               inflated: int = 1900 * 1000 * 1000, declared: int = 5000) -> Path:
    """A docx whose `member` inflates to `inflated` bytes and declares `declared`."""
    if member == "[Content_Types].xml":
        zipfile.ZipFile(path, "w").close()
    else:
        write_package(path, {})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open(member, "w") as part:
        chunk = b"<" + b" " * (1024 * 1024 - 1)
        for _ in range(inflated // len(chunk)):
            part.write(chunk)
    patch_declared_size(path, member, declared)
    return path


@pytest.fixture(scope="module")
def lying_document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lying_docx(tmp_path_factory.mktemp("bomb") / "見積書.docx")


def _extract_in_child(path: Path) -> dict[str, object]:
    code = (
        "import json, resource, sys; from pathlib import Path\n"
        "from worker.extraction.options import ExtractionOptions\n"
        "from worker.extraction.pipeline import extract_or_record\n"
        "from worker.models import SourceRef\n"
        "p = Path(sys.argv[1])\n"
        "d = extract_or_record(p, SourceRef(path=str(p)), ExtractionOptions(thumbnails=False))"
        ".document\n"
        "print(json.dumps({'status': d.status, 'code': d.error_code, 'reason': d.reason,"
        " 'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n")
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
    path = lying_docx(tmp_path / "a.docx", "[Content_Types].xml", inflated=64 * 1024 * 1024,
                      declared=300)
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
    (InflateBudget(max_total_bytes=4 * 1024 * 1024), GIB, "in total"),
    (InflateBudget(max_ratio=50, ratio_floor=1024 * 1024), GIB, "more than 50x"),
    (InflateBudget(), 3 * 1024 * 1024, "past 3145728 bytes"),
])
def test_each_limit_stops_inflation_on_the_bytes_produced(
        tmp_path: Path, budget: InflateBudget, limit: int, message: str) -> None:
    with _zip(tmp_path / "z.zip", {"zeros.bin": b"\x00" * (8 * 1024 * 1024)}) as archive, \
            pytest.raises(DecompressionBombError, match=message):
        read_member(archive, archive.getinfo("zeros.bin"), limit, budget)
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
