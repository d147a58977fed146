"""`cis-worker process` on what a real share holds besides documents: folders it may not
read, FIFOs, sockets, link loops, dangling links, names with newlines, huge sparse files,
crashing and transient files. The promise under test (README): every file named or found
gets exactly one document, or where none can exist (a folder it cannot list) one line in
summary.json; exit 1 when any failed; the printed table has one line per file.

The tests run as root here, and root reads any folder whatever its mode: the capabilities
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH let it. The unreadable-folder test therefore runs
`cis-worker process` through `setpriv` (util-linux) with those two dropped from the bounding
set: still root (so it can run the venv's Python under /root), but the kernel now refuses
the listing as it would for any user. As a plain user the same command works unchanged.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from worker.adapters.local import LocalOutput
from worker.batch import FileResult, process_candidates, run_batch
from worker.batch_files import expand_paths
from worker.errors import TimeoutExceededError
from worker.extraction.options import ExtractionOptions
from worker.models import SourceRef

REPO = Path(__file__).resolve().parents[2]


def _summary(out: Path) -> dict[str, object]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _document(out: Path, path: Path) -> dict[str, object] | None:
    return LocalOutput(out).read(SourceRef(path=str(path)).document_id)


WITHOUT_ROOTS_READ_ALL = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def test_an_unreadable_subfolder_is_a_failure_line_not_silence(tmp_path: Path) -> None:
    shares = tmp_path / "share"
    (shares / "secret").mkdir(parents=True)
    (shares / "memo.txt").write_text("会議のメモ", encoding="utf-8")
    (shares / "secret" / "給与.txt").write_text("給与一覧", encoding="utf-8")
    (shares / "secret").chmod(0o000)
    out = tmp_path / "out"
    try:
        run = subprocess.run(
            [*(WITHOUT_ROOTS_READ_ALL if os.geteuid() == 0 else []), sys.executable, "-m",
             "worker", "process", str(shares), "--out", str(out), "--jobs", "1",
             "--no-thumbnails"],
            cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        (shares / "secret").chmod(0o755)  # so pytest can remove it
    assert run.returncode == 1, run.stdout + run.stderr
    summary = _summary(out)
    failures = summary["failures"]
    assert failures == [{"path": str(shares / "secret"), "error_class": "permanent",
                         "code": "unsupported",
                         "reason": "cannot read the folder: Permission denied"}]
    assert summary["counts"] == {"complete": 1, "partial": 0, "failed": 1}
    assert "secret" in run.stdout and "failed (unsupported)" in run.stdout
    assert len(list((out / "documents").iterdir())) == 1  # the memo; a folder has none


def test_fifos_sockets_loops_and_dangling_links_each_get_a_failed_document(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "報告.txt").write_text("月次報告", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "agent.sock"))
    (folder / "loop-a").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop-a")
    (folder / "dangling.pdf").symlink_to(folder / "gone.pdf")
    out = tmp_path / "out"
    try:
        code = run_batch([folder], out, jobs=1, thumbnails=False)
    finally:
        server.close()
    assert code == 1
    summary = _summary(out)
    failed = {Path(f["path"]).name: f["code"] for f in summary["failures"]}  # type: ignore[index, union-attr]
    assert failed == {"pipe.txt": "unsupported", "agent.sock": "unsupported",
                      "loop-a": "unsupported", "loop-b": "unsupported",
                      "dangling.pdf": "object-gone"}
    for name, code_ in failed.items():
        document = _document(out, folder / name)
        assert document is not None, name
        assert (document["status"], document["error_code"], document["file_name"]) == \
            ("failed", code_, name)
    assert len(list((out / "documents").iterdir())) == 6  # one each, the report too


def test_control_characters_in_names_keep_one_table_line_per_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["請求書\n2024.txt", "a\tb.txt", "esc\x1b[31m.txt", "line\u2028sep.txt"]
    for name in names:
        (folder / name).write_text("本文", encoding="utf-8")
    assert run_batch([folder], tmp_path / "out", jobs=1, thumbnails=False) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 + len(names) + 2  # header, a line per file, totals, where
    shown = "\n".join(printed)
    for escaped in ("請求書\\n2024.txt", "a\\tb.txt", "esc\\x1b[31m.txt", "line\\u2028sep.txt"):
        assert escaped in shown
    assert "\x1b" not in shown
    stored = {Path(f["path"]).name for f in _summary(tmp_path / "out")["files"]}  # type: ignore[index, union-attr]
    assert stored == set(names)  # summary.json keeps the real names


def test_the_size_limit_is_checked_before_anything_reads_the_file(tmp_path: Path) -> None:
    huge = tmp_path / "in" / "backup.pdf"
    huge.parent.mkdir()
    with huge.open("wb") as handle:
        handle.truncate(20 * 1024**3)  # sparse: 20 GB that cost no disk, 74 s to hash
    out = tmp_path / "out"
    options = ExtractionOptions(max_file_bytes=1024 * 1024)
    assert run_batch([huge.parent], out, jobs=1, thumbnails=False, options=options) == 1
    document = _document(out, huge)
    assert document is not None
    assert (document["status"], document["error_code"]) == ("failed", "too-large")
    assert document["size_bytes"] == 20 * 1024**3
    assert document["sha256"] == ""  # never hashed: the limit came from stat
    assert document["mime_type"] == "application/pdf"


def transient_on_marker(path: Path, options: ExtractionOptions) -> FileResult:
    """A worker whose file runs into a transient failure (a timeout of a program)."""
    return FileResult(None, TimeoutExceededError("pdftoppm stopped after 120 s"), 0.1)


def test_a_transient_failure_gets_a_failed_document_too(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    output = LocalOutput(tmp_path / "out")
    [record] = process_candidates(expand_paths([folder]), output, ExtractionOptions(), jobs=1,
                                  worker=transient_on_marker)
    assert (record.status, record.error_class, record.code) == ("failed", "transient", "timeout")
    document = output.read(SourceRef(path=str(folder / "scan.pdf")).document_id)
    assert document is not None
    assert (document["status"], document["error_class"], document["reason"]) == \
        ("failed", "transient", "pdftoppm stopped after 120 s")
