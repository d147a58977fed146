"""Archives through the real pipeline: every member becomes its own document (read like any
file, or failed with its reason), under limits counted on the bytes inflated; member names
are read in their encoding and never touch the file system."""

from __future__ import annotations

import bz2
from dataclasses import replace
from pathlib import Path

import pytest

from tests.archive_files import (
    cabinet,
    encrypted_zip,
    seven_zip,
    write_raw_name_zip,
    write_tar,
    write_zip,
)
from tests.files import make_docx
from worker.extraction.archives.members import ContainerLimits
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, extract_or_record
from worker.models import SourceRef, child_document_id

OPTIONS = ExtractionOptions(thumbnails=False)
QUOTE = "見積書\n品名：ノートPC 数量：2 単価：150,000円\n".encode()
MINUTES = "議事録\n定例会議は来週に延期します。\n".encode("cp932")


def run(path: Path, options: ExtractionOptions = OPTIONS) -> ExtractionOutcome:
    return extract_or_record(path, SourceRef(path=str(path)), options)


def by_path(outcome: ExtractionOutcome) -> dict[str, dict[str, object]]:
    return {str(child.document.container_path): child.document.to_dict()
            for child in outcome.children}


@pytest.mark.parametrize("cp932", [True, False], ids=["cp932-names", "utf8-flag"])
def test_zip_members_are_child_documents_with_japanese_names(tmp_path: Path,
                                                             cp932: bool) -> None:
    path = write_zip(tmp_path / "見積.zip", {"2024/見積書.txt": QUOTE, "議事録.txt": MINUTES,
                                             "空.txt": b""}, cp932=cp932)
    outcome = run(path)
    parent = outcome.document
    children = by_path(outcome)
    assert sorted(children) == [
        "見積.zip/2024/見積書.txt", "見積.zip/空.txt", "見積.zip/議事録.txt"]
    quote = children["見積.zip/2024/見積書.txt"]
    assert quote["id"] == child_document_id(parent.id, "2024/見積書.txt")
    assert quote["parent_id"] == parent.id
    assert quote["file_name"] == "見積書.txt"
    assert quote["status"] == "complete" and "ノートPC" in str(quote["content"])
    assert quote["source"] == {"path": str(path)}  # the parent's source: ordered with it
    assert children["見積.zip/議事録.txt"]["encoding"] == "cp932"
    assert (children["見積.zip/空.txt"]["status"], children["見積.zip/空.txt"]["error_code"]) \
        == ("failed", "empty")
    assert parent.status == "complete" and parent.mime_type == "application/zip"
    assert list(parent.children) == [child.document.id for child in outcome.children]
    assert "2024/見積書.txt" in parent.content  # the listing: the zip is found by its members


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_and_its_compressed_forms(tmp_path: Path, mode: str) -> None:
    path = write_tar(tmp_path / "書類.tar", {"営業/見積書.txt": QUOTE, "議事録.txt": MINUTES},
                     mode)
    outcome = run(path)
    children = by_path(outcome)
    assert sorted(children) == ["書類.tar/営業/見積書.txt", "書類.tar/議事録.txt"]
    assert all(child["status"] == "complete" for child in children.values())
    assert outcome.document.status == "complete"


def test_a_single_compressed_file_is_one_member(tmp_path: Path) -> None:
    path = tmp_path / "議事録.txt.bz2"
    path.write_bytes(bz2.compress(MINUTES))
    [child] = run(path).children
    assert child.document.container_path == "議事録.txt.bz2/議事録.txt"
    assert "延期" in child.document.content


def test_an_office_file_inside_a_zip_is_read_like_any(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "議事録.docx").read_bytes()
    outcome = run(write_zip(tmp_path / "a.zip", {"会議/議事録.docx": docx}, cp932=True))
    [child] = outcome.children
    assert child.document.mime_type.endswith("wordprocessingml.document")
    assert "見積書の送付" in child.document.content


def test_nested_archives_are_unpacked_to_the_depth_limit(tmp_path: Path) -> None:
    level3 = write_zip(tmp_path / "3.zip", {"深い.txt": QUOTE}).read_bytes()
    level2 = write_zip(tmp_path / "2.zip", {"3.zip": level3}).read_bytes()
    level1 = write_zip(tmp_path / "1.zip", {"2.zip": level2, "浅い.txt": QUOTE})
    outcome = run(level1, replace(OPTIONS, containers=ContainerLimits(max_depth=2)))
    children = by_path(outcome)
    assert sorted(children) == ["1.zip/2.zip", "1.zip/2.zip/3.zip", "1.zip/浅い.txt"]
    inner = children["1.zip/2.zip"]
    assert inner["parent_id"] == outcome.document.id
    assert inner["children"] == [children["1.zip/2.zip/3.zip"]["id"]]
    assert children["1.zip/2.zip/3.zip"]["parent_id"] == inner["id"]
    too_deep = children["1.zip/2.zip/3.zip"]
    assert (too_deep["status"], too_deep["error_code"]) == ("failed", "decompression-bomb")
    assert "nested 2 levels deep" in str(too_deep["reason"])
    deep = run(level1)  # default depth 3: everything read
    assert by_path(deep)["1.zip/2.zip/3.zip/深い.txt"]["status"] == "complete"


def test_member_count_limit_makes_the_parent_partial(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "多い.zip", {f"{n}.txt": QUOTE for n in range(5)})
    outcome = run(path, replace(OPTIONS, containers=ContainerLimits(max_members=3)))
    assert len(outcome.children) == 3
    assert outcome.document.status == "partial"
    assert "stopped after 3 members" in str(outcome.document.reason)


@pytest.mark.parametrize(("limits", "expected"), [
    (ContainerLimits(max_total_bytes=4 * 1024 * 1024, max_ratio=100_000), "in total"),
    (ContainerLimits(), "more than 200x"),  # zeros deflate ~1000x
])
def test_inflation_limits_fail_the_member_and_stop(tmp_path: Path, limits: ContainerLimits,
                                                  expected: str) -> None:
    path = write_zip(tmp_path / "bomb.zip", {"zeros.bin": b"\x00" * (8 * 1024 * 1024),
                                             "後.txt": QUOTE})
    outcome = run(path, replace(OPTIONS, containers=limits))
    bomb = by_path(outcome)["bomb.zip/zeros.bin"]
    assert (bomb["status"], bomb["error_code"]) == ("failed", "decompression-bomb")
    assert expected in str(bomb["reason"])
    assert outcome.document.status == "partial" and expected in str(outcome.document.reason)


def test_a_tar_bomb_is_counted_on_the_inflated_stream(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "bomb.tar.gz", {"zeros.bin": b"\x00" * (8 * 1024 * 1024)},
                     "w:gz")
    outcome = run(path)
    assert outcome.document.status == "partial"
    assert "more than 200x" in str(outcome.document.reason)
    assert [child.document.error_code for child in outcome.children] == ["decompression-bomb"]


def test_encrypted_members_are_failed_children_and_the_parent_says_so(tmp_path: Path) -> None:
    path = encrypted_zip(tmp_path / "秘密.zip", tmp_path / "files",
                         {"secret.txt": QUOTE, "memo.txt": MINUTES})
    outcome = run(path)
    assert {child.document.error_code for child in outcome.children} == {"encrypted"}
    assert len(outcome.children) == 2
    assert outcome.document.status == "partial"
    assert "2 encrypted member(s)" in str(outcome.document.reason)


def test_hostile_member_names_are_only_names(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = write_raw_name_zip(work / "evil.zip", {
        b"../../etc/passwd": b"root:x:0:0\n", b"/abs/olute.txt": QUOTE,
        b"nul\x00name.txt": QUOTE, b"..\\..\\win.txt": QUOTE, b"dup.txt": QUOTE})
    with path.open("ab"):
        pass
    outcome = run(path)
    paths = sorted(str(child.document.container_path) for child in outcome.children)
    assert paths == ["evil.zip/abs/olute.txt", "evil.zip/dup.txt", "evil.zip/etc/passwd",
                     "evil.zip/nul\ufffdname.txt", "evil.zip/win.txt"]
    assert sorted(p.name for p in work.iterdir()) == ["evil.zip"]  # nothing written beside it
    assert not (tmp_path / "etc").exists()
    assert len({child.document.id for child in outcome.children}) == 5


def test_duplicate_member_names_each_get_a_document(tmp_path: Path) -> None:
    import zipfile
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("同じ.txt", QUOTE)
        with pytest.warns(UserWarning):
            archive.writestr("同じ.txt", MINUTES)
    outcome = run(path)
    assert len({child.document.id for child in outcome.children}) == 2
    assert {child.document.container_path for child in outcome.children} == {"dup.zip/同じ.txt"}


def test_other_archive_types_are_unsupported_with_a_reason(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "見積書.txt").write_bytes(QUOTE)
    for archive, name in ((seven_zip(tmp_path / "a.7z", files), "7-Zip"),
                          (cabinet(tmp_path / "a.cab", files / "見積書.txt"), "cabinet")):
        document = run(archive).document
        assert (document.status, document.error_code) == ("failed", "unsupported")
        assert name in str(document.reason) and "repack it as zip" in str(document.reason)


def test_no_member_is_started_after_the_files_time_budget(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "遅い.zip", {f"{n}.txt": QUOTE for n in range(3)})
    outcome = run(path, replace(OPTIONS, file_budget_s=0.0))
    assert outcome.children == ()
    assert outcome.document.status == "partial"
    assert "time budget" in str(outcome.document.reason)


def test_tar_names_in_cp932(tmp_path: Path) -> None:
    path = write_tar(tmp_path / "書類.tar", {"営業/見積書.txt": QUOTE}, "w", encoding="cp932")
    assert "営業/見積書.txt".encode("cp932") in path.read_bytes()
    [child] = run(path).children
    assert child.document.container_path == "書類.tar/営業/見積書.txt"
    assert child.document.to_dict()["status"] == "complete"
