"""`cis-worker process`'s pool (worker/batch_pool.py `run_pool`): a process that dies, a file
past the memory limit (its process replaced), a file past the hard cap, scratch folders,
Pillow's warning — with real processes and real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from worker.adapters.local import LocalOutput
from worker.batch import FileResult, process_candidates, process_file, run_pool
from worker.batch_files import expand_paths
from worker.extraction.options import ExtractionOptions
from worker.models import SourceRef

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CIS_WORKER = Path(sys.executable).parent / "cis-worker"


def crash_when_told(path: Path, options: ExtractionOptions) -> FileResult:
    """Dies like a segfaulting native library on *crash* files, once the test says so."""
    if "crash" in path.name:
        markers = path.parent.parent / "markers"
        (markers / f"{os.getpid()}.pid").touch()
        while not (markers / "go-crash").exists():
            time.sleep(0.02)
        os._exit(139)
    return process_file(path, options)


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def test_a_process_that_dies_between_two_submissions_costs_only_the_crashing_file(
        tmp_path: Path) -> None:
    """Item 7 of issue 10, made deterministic: the crash lands after a file finished and
    before the next one is submitted. (With ProcessPoolExecutor `submit` then met a broken
    pool; pebble replaces the dead process, and the next submissions must still run.)"""
    folder, markers = tmp_path / "in", tmp_path / "markers"
    folder.mkdir()
    markers.mkdir()
    for number in range(4):
        (folder / f"memo{number}.txt").write_text(f"メモ {number}", encoding="utf-8")
    (folder / "crash.txt").write_text("x" * 1000, encoding="utf-8")  # largest: goes first
    results = run_pool(expand_paths([folder]), ExtractionOptions(), 2, crash_when_told)
    first_path, first = next(results)  # a memo: the crash file is still waiting
    assert first_path.name.startswith("memo") and first.outcome is not None
    deadline = time.monotonic() + 30
    while not list(markers.glob("*.pid")):  # the crash file has started (and waits)
        assert time.monotonic() < deadline, "the crash file did not start"
        time.sleep(0.02)
    [pid_file] = markers.glob("*.pid")
    (markers / "go-crash").touch()
    while not gone(int(pid_file.stem)):
        assert time.monotonic() < deadline, "the crashing process did not die"
        time.sleep(0.02)
    time.sleep(0.5)  # the pool's manager notices the death before the next submission
    by_name = {path.name: result for path, result in [(first_path, first), *results]}
    crashed = by_name.pop("crash.txt")
    assert crashed.outcome is None and crashed.error is not None
    assert (crashed.error.error_class, crashed.error.code) == ("permanent", "worker-crashed")
    assert sorted(by_name) == [f"memo{number}.txt" for number in range(4)]
    assert all(r.outcome is not None and r.outcome.document.status == "complete"
               for r in by_name.values())


def write_temp_and_maybe_crash(path: Path, options: ExtractionOptions) -> FileResult:
    """Leaves a file in its temporary folder, as a download or a page image would."""
    scratch = Path(tempfile.mkdtemp(prefix="page-"))
    (scratch / "page-1.pgm").write_bytes(b"P5 1 1 255 \x00")
    (path.parent.parent / "seen" / path.name).write_text(tempfile.gettempdir())
    if "crash" in path.name:
        os._exit(139)
    return process_file(path, options)


def test_every_file_works_in_its_own_scratch_folder_that_the_parent_removes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, root = tmp_path / "in", tmp_path / "tmp"
    for made in (folder, root, tmp_path / "seen"):
        made.mkdir()
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    for name in ("a.txt", "b.txt", "crash.txt"):
        (folder / name).write_text(f"{name} の本文", encoding="utf-8")
    results = dict(run_pool(expand_paths([folder]), ExtractionOptions(), 2,
                            write_temp_and_maybe_crash))
    assert len(results) == 3
    scratch = {path.name: Path(path.read_text()) for path in (tmp_path / "seen").iterdir()}
    assert all(s.parent == root and s.name.startswith("cis-job-") for s in scratch.values())
    assert len(set(scratch.values())) == 3  # one per file (the crash file's retry: its own)
    assert list(root.iterdir()) == []  # removed, the crashed file's too


@pytest.fixture(scope="module")
def big_picture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 316 KB PNG of 10,000 x 10,000 pixels (under the pixel limit): about 2 GB and
    50 s to read without a memory limit."""
    path = tmp_path_factory.mktemp("big") / "図面_大判.png"
    picture = Image.new("RGB", (10_000, 10_000), "white")
    ImageDraw.Draw(picture).rectangle((100, 100, 400, 400), fill="black")
    picture.save(path, optimize=True)
    return path


def test_a_file_past_the_memory_limit_is_too_large_and_the_batch_goes_on(
        big_picture: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(big_picture, folder)
    shutil.copy(SAMPLES / "取引先一覧.csv", folder)
    shutil.copy(SAMPLES / "議事録.docx", folder)
    run = subprocess.run([str(CIS_WORKER), "process", str(folder), "--out",
                          str(tmp_path / "out"), "--jobs", "2"], capture_output=True,
                         text=True, timeout=300,
                         env={**os.environ, "PROCESS_MEMORY_LIMIT_MB": "400"})
    assert run.returncode == 1, run.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"complete": 2, "partial": 0, "failed": 1}
    [failure] = summary["failures"]
    assert Path(failure["path"]).name == "図面_大判.png"
    assert (failure["error_class"], failure["code"]) == ("permanent", "too-large")
    assert "400 MiB" in failure["reason"]
    assert "MemoryError" not in run.stderr


def test_pillow_s_bomb_warning_is_not_printed_for_a_page_we_accept(tmp_path: Path) -> None:
    """90,250,000 pixels: over Pillow's built-in warning level, under our own limit."""
    blank = tmp_path / "白紙.png"
    Image.new("L", (9_500, 9_500), 255).save(blank)
    run = subprocess.run([str(CIS_WORKER), "process", str(blank), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "DecompressionBombWarning" not in run.stderr


def note_pid(path: Path, options: ExtractionOptions) -> FileResult:
    """The real pipeline, noting which process read which file."""
    (path.parent.parent / "pids" / path.name).write_text(str(os.getpid()))
    return process_file(path, options)


def test_the_process_that_ran_out_of_memory_is_replaced_and_the_rest_goes_on(
        big_picture: Path, tmp_path: Path) -> None:
    """One process, so every file would run in it: the picture (largest: first) fails
    `too-large`, and the files after it are read by a fresh process."""
    folder = tmp_path / "in"
    folder.mkdir()
    (tmp_path / "pids").mkdir()
    shutil.copy(big_picture, folder)
    shutil.copy(SAMPLES / "取引先一覧.csv", folder)
    shutil.copy(SAMPLES / "議事録.docx", folder)
    results = {path.name: result for path, result in run_pool(
        expand_paths([folder]), ExtractionOptions(), 1, note_pid, memory_limit=400 * 1024**2)}
    picture = results.pop(big_picture.name)
    assert picture.outcome is not None
    assert (picture.outcome.document.status, picture.outcome.document.error_code) == (
        "failed", "too-large")
    assert sorted(results) == ["取引先一覧.csv", "議事録.docx"]
    assert all(r.outcome is not None and r.outcome.document.status == "complete"
               for r in results.values())
    pids = {p.name: int(p.read_text()) for p in (tmp_path / "pids").iterdir()}
    retired = pids.pop(big_picture.name)
    assert retired not in pids.values()  # the next files were read by another process
    assert gone(retired)


def hang_on_endless(path: Path, options: ExtractionOptions) -> FileResult:
    """A parser caught in a loop in pure Python (no external program, so no timeout of
    its own) on files named *endless*; the real pipeline on the others."""
    if "endless" in path.name:
        while True:
            pass
    return process_file(path, options)


def test_a_file_past_the_hard_cap_is_too_slow_and_the_batch_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESSAGE_HOLD_CAP_SECONDS", "3")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "endless.txt").write_text("終わらない" * 100, encoding="utf-8")  # goes first
    for number in range(3):
        (folder / f"memo{number}.txt").write_text(f"メモ {number}", encoding="utf-8")
    output = LocalOutput(tmp_path / "out")
    records = process_candidates(expand_paths([folder]), output, ExtractionOptions(), jobs=2,
                                 worker=hang_on_endless)
    by_name = {Path(record.path).name: record for record in records}
    endless = by_name.pop("endless.txt")
    assert (endless.status, endless.error_class, endless.code) == (
        "failed", "permanent", "too-slow")
    assert "hard cap of 3 s (MESSAGE_HOLD_CAP_SECONDS)" in (endless.reason or "")
    assert sorted(by_name) == [f"memo{number}.txt" for number in range(3)]
    assert all(record.status == "complete" for record in by_name.values())
    document = output.read(SourceRef(path=str(folder / "endless.txt")).document_id)
    assert document is not None  # findable by name, with why it failed
    assert (document["status"], document["error_code"]) == ("failed", "too-slow")
