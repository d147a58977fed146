"""`cis-worker process` on bad input: every bad file classified with a clear reason, the rest
of the batch processed, exit codes 0/1/2 — the CLI run as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.files import (
    encrypt_pdf,
    make_ole2,
    make_zip_bomb_docx,
    png_header_bomb,
    text_pdf,
    truncated,
)
from worker.adapters.local import LocalOutput
from worker.batch import FileResult, process_candidates, process_file, run_batch
from worker.batch_files import expand_paths
from worker.errors import ConfigurationError
from worker.extraction.options import ExtractionOptions
from worker.models import SourceRef

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CIS_WORKER = Path(sys.executable).parent / "cis-worker"

EXPECTED_FAILURES = {
    "empty.txt": ("permanent", "empty", "empty"),
    "truncated.pdf": ("permanent", "corrupt", "cannot read"),
    "encrypted.pdf": ("permanent", "encrypted", "password"),
    "truncated.jpg": ("permanent", "corrupt", "truncated"),
    "bomb.png": ("permanent", "decompression-bomb", "decompression bomb"),
    "zipbomb.docx": ("permanent", "decompression-bomb", "zip bomb"),
    "unknown.bin": ("permanent", "unsupported", "unrecognised binary"),
    "old.doc": ("permanent", "unsupported", "OLE2 compound file of an unknown kind"),
}


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind of bad input, next to good files that must still be processed."""
    folder = tmp_path_factory.mktemp("in")
    (folder / "empty.txt").write_bytes(b"")
    pdf = SAMPLES / "請求書_born-digital.pdf"
    truncated(pdf, folder / "truncated.pdf", 0.4)
    encrypt_pdf(pdf, folder / "encrypted.pdf", "user-secret")
    encrypt_pdf(pdf, folder / "owner_password_only.pdf", "")  # opens with an empty password
    truncated(SAMPLES / "領収書_photo.jpg", folder / "truncated.jpg", 0.5)
    png_header_bomb(folder / "bomb.png")
    make_zip_bomb_docx(folder / "zipbomb.docx")
    (folder / "unknown.bin").write_bytes(bytes(range(256)) * 16)
    make_ole2(folder / "old.doc", "WordDocument")
    (folder / "good").mkdir()
    for name in ("取引先一覧.csv", "議事録.docx"):
        shutil.copy(SAMPLES / name, folder / "good" / name)
    return folder


def test_bad_inputs_through_the_cli(bad_batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run([str(CIS_WORKER), "process", str(bad_batch), "--out", str(out),
                          "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    failures = {Path(f["path"]).name: (f["error_class"], f["code"], f["reason"])
                for f in summary["failures"]}
    assert set(failures) == set(EXPECTED_FAILURES)
    for name, (error_class, code, words) in EXPECTED_FAILURES.items():
        assert failures[name][:2] == (error_class, code), name
        assert words in failures[name][2], failures[name]
    assert summary["counts"] == {"complete": 3, "partial": 0, "failed": 8}
    assert summary["totals"]["files"] == 11

    documents = LocalOutput(out)
    csv = documents.read(SourceRef(path=str(bad_batch / "good" / "取引先一覧.csv")).document_id)
    assert csv is not None and "髙橋精機株式会社" in csv["content"]
    assert csv["encoding"] == "cp932"
    docx = documents.read(SourceRef(path=str(bad_batch / "good" / "議事録.docx")).document_id)
    assert docx is not None and docx["thumbnail"] == f"thumbnails/{docx['id']}.jpg"
    assert (out / docx["thumbnail"]).stat().st_size > 0
    encrypted = documents.read(SourceRef(path=str(bad_batch / "encrypted.pdf")).document_id)
    assert encrypted is not None
    assert (encrypted["status"], encrypted["error_code"]) == ("failed", "encrypted")
    assert encrypted["mime_type"] == "application/pdf" and len(encrypted["sha256"]) == 64

    table = run.stdout.splitlines()
    assert table[0].split() == ["file", "type", "pages", "text/ocr", "status", "chars"]
    assert any("encrypted.pdf" in line and "failed (encrypted)" in line for line in table)
    assert "11 files: 3 complete, 0 partial, 8 failed" in run.stdout


def test_missing_program_is_an_environment_error(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    run = subprocess.run([str(CIS_WORKER), "process", str(SAMPLES / "請求書_born-digital.pdf"),
                          "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == 2
    assert "missing-program" in run.stderr and "install-system-deps.sh" in run.stderr


def test_page_budget_makes_a_partial_document_and_exit_zero(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text_pdf(folder / "archive.pdf", pages=5)
    shutil.copy(SAMPLES / "取引先一覧.csv", folder)
    code = run_batch([folder], tmp_path / "out", jobs=1,
                     options=ExtractionOptions(max_pages=3))
    assert code == 0  # partial documents are processed: written, searchable, listed
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"complete": 1, "partial": 1, "failed": 0}
    assert summary["partial"] == [{"path": str(folder / "archive.pdf"),
                                   "reason": "read 3 of 5 pages (page budget 3)"}]
    document = LocalOutput(tmp_path / "out").read(
        SourceRef(path=str(folder / "archive.pdf")).document_id)
    assert document is not None and document["page_count"] == 3
    assert "Page 3 of the annual archive" in document["content"]
    assert "partial (read 3 of 5 pages" in capsys.readouterr().out


def crash_on_marker(path: Path, options: ExtractionOptions) -> FileResult:
    """A worker that dies like a segfaulting native library on files named *crash*."""
    if "crash" in path.name:
        os._exit(139)
    return process_file(path, options)


def test_a_crashing_worker_process_costs_only_its_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(4):
        (folder / f"memo{number}.txt").write_text(f"メモ {number}", encoding="utf-8")
    (folder / "crash.txt").write_text("x" * 1000, encoding="utf-8")  # largest: goes first
    output = LocalOutput(tmp_path / "out")
    records = process_candidates(expand_paths([folder]), output, ExtractionOptions(), jobs=2,
                                 worker=crash_on_marker)
    by_name = {Path(record.path).name: record for record in records}
    crashed = by_name.pop("crash.txt")
    assert (crashed.status, crashed.error_class, crashed.code) == \
        ("failed", "permanent", "worker-crashed")
    assert "worker process died" in (crashed.reason or "")
    assert sorted(by_name) == [f"memo{number}.txt" for number in range(4)]
    assert all(record.status == "complete" for record in by_name.values())
    assert sorted(p.name for p in (tmp_path / "out" / "documents").iterdir()) == sorted(
        f"{record.document_id}.json" for record in [*by_name.values(), crashed])
    document = output.read(SourceRef(path=str(folder / "crash.txt")).document_id)
    assert document is not None  # findable by name, with why it failed
    assert (document["status"], document["error_code"]) == ("failed", "worker-crashed")


def test_unwritable_output_folder_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigurationError, match="cannot write to the output folder"):
        run_batch([SAMPLES / "取引先一覧.csv"], blocker / "out", jobs=1)
