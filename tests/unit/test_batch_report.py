"""What a batch covers (folders, links, hidden files) and what it reports (summary, table)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from worker.batch import share_cores
from worker.batch_files import expand_paths
from worker.batch_summary import FileRecord, build_summary, format_table, record_error, short_type
from worker.errors import EncryptedFileError


def test_folders_recursive_hidden_skipped_links_once(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.txt").write_text("bb")
    (root / ".DS_Store").write_text("x")
    (root / "~$議事録.docx").write_text("lock")
    (root / ".git" / "config").write_text("x")
    (root / "sub" / "loop").symlink_to(root)  # a loop back to the top
    (root / "alias.txt").symlink_to(root / "a.txt")  # the same file under a second name
    (root / "dangling").symlink_to(tmp_path / "missing")
    os.mkfifo(root / "pipe")
    out = root / "out"
    (out / "documents").mkdir(parents=True)
    (out / "documents" / "x.json").write_text("{}")
    hidden_given = root / ".hidden.txt"
    hidden_given.write_text("named on the command line")

    found = expand_paths([root, hidden_given], out_dir=out)
    by_name = {candidate.path.name: candidate for candidate in found}
    assert sorted(by_name) == [".hidden.txt", "a.txt", "b.txt", "dangling", "pipe"]
    assert by_name["a.txt"].path == root / "a.txt" and by_name["a.txt"].size_bytes == 1
    assert by_name["dangling"].problem is not None
    assert by_name["dangling"].problem.code == "object-gone"
    assert by_name["pipe"].problem is not None and "not a regular file" in \
        by_name["pipe"].problem.reason
    assert all(candidate.path.is_absolute() for candidate in found)


def test_summary_counts_totals_failures_and_table(tmp_path: Path) -> None:
    records = [
        FileRecord(path="/in/請求書.pdf", file_type="pdf", status="complete", pages=3,
                   text_layer_pages=2, ocr_pages=1, characters=1200, seconds=2.5),
        FileRecord(path="/in/scan.pdf", file_type="pdf", status="partial", pages=1000,
                   ocr_pages=1000, characters=10, seconds=5.0, reason="page budget"),
        record_error("/in/secret.pdf", EncryptedFileError("needs a password"), "pdf"),
    ]
    summary = build_summary(records, "1.0", "t0", "t1", 7.25, 2)
    assert summary["counts"] == {"complete": 1, "partial": 1, "failed": 1}
    assert summary["totals"] == {"files": 3, "children": 0, "pages": 1003, "text_layer_pages": 2,
                                 "ocr_pages": 1001, "characters": 1210, "wall_seconds": 7.25,
                                 "processing_seconds": 7.5}
    assert summary["failures"] == [{"path": "/in/secret.pdf", "error_class": "permanent",
                                    "code": "encrypted", "reason": "needs a password"}]
    assert summary["partial"] == [{"path": "/in/scan.pdf", "reason": "page budget"}]
    table = format_table(records, summary).splitlines()
    assert table[0].split() == ["file", "type", "pages", "text/ocr", "status", "chars"]
    assert table[1].split() == ["/in/請求書.pdf", "pdf", "3", "2/1", "complete", "1200"]
    assert table[3].split()[-3:] == ["failed", "(encrypted)", "0"]
    # full-width characters take two columns: the columns after them still line up
    def type_column(line: str) -> int:
        prefix = line[:line.index("  pdf") + 2]
        return sum(2 if unicodedata.east_asian_width(char) == "W" else 1 for char in prefix)

    assert type_column(table[1]) == type_column(table[2]) == type_column(table[3])
    assert table[-1] == "3 files: 1 complete, 1 partial, 1 failed; 1003 pages (1001 OCR) in 7.2 s"


def test_spare_cores_go_to_the_pages_of_fewer_files() -> None:
    assert share_cores(jobs=2, files=1) == (1, 2)  # one long scan uses both cores
    assert share_cores(jobs=2, files=5) == (2, 1)
    assert share_cores(jobs=8, files=3) == (3, 2)
    assert share_cores(jobs=4, files=0) == (1, 4)


def test_the_table_names_legacy_office_and_opendocument_by_their_extension() -> None:
    assert [short_type(mime) for mime in ("application/msword", "application/vnd.ms-excel",
                                          "application/vnd.ms-powerpoint",
                                          "application/vnd.oasis.opendocument.text")] == [
        "doc", "xls", "ppt", "odt"]
    assert short_type("application/rtf") == "rtf"  # the subtype when it already says it
