"""`cis-worker process` as a person runs it: the progress bar on a terminal (and none when
the output goes to a pipe or a file), and `--lang` choosing Tesseract's languages."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.fixtures.japanese_pages import character_error_rate, horizontal_page
from worker.adapters.local import LocalOutput
from worker.models import SourceRef

REPO = Path(__file__).resolve().parents[2]


def _memos(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        (folder / f"メモ{number}.txt").write_text(f"会議のメモ {number}", encoding="utf-8")
    return folder


def _under_a_terminal(args: list[str], timeout_s: float = 120) -> tuple[int, str]:
    """Run `python -m worker ARGS` with stdin, stdout and stderr on a pseudo-terminal of
    24 rows and 100 columns (a new pty has 0 columns: tqdm would draw a bar of width 0)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "worker", *args], cwd=REPO,
                            stdin=follower, stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    seen = bytearray()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other side closed
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    return proc.wait(timeout=30), seen.decode("utf-8", "replace")


def test_a_terminal_gets_a_progress_bar(tmp_path: Path) -> None:
    folder = _memos(tmp_path / "in", 5)
    code, screen = _under_a_terminal(["process", str(folder), "--out", str(tmp_path / "out"),
                                      "--jobs", "1", "--no-thumbnails"])
    assert code == 0, screen
    assert "0/5 [" in screen and "100%|" in screen and "5/5 [" in screen  # tqdm's bar
    assert screen.index("5/5 [") < screen.index("5 files: 5 complete")  # before the table
    assert "\r" in screen  # redrawn in place
    assert "5 files: 5 complete" in screen


def test_a_pipe_gets_no_progress_bar(tmp_path: Path) -> None:
    folder = _memos(tmp_path / "in", 5)
    run = subprocess.run([sys.executable, "-m", "worker", "process", str(folder), "--out",
                          str(tmp_path / "out"), "--jobs", "1", "--no-thumbnails"],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "5/5" not in run.stderr and "file/s" not in run.stderr
    assert "5 files: 5 complete" in run.stdout


def test_lang_chooses_the_ocr_languages(tmp_path: Path) -> None:
    page = horizontal_page()
    image = tmp_path / "in" / "スキャン.png"
    image.parent.mkdir()
    page.image.save(image, dpi=(300, 300))
    texts = {}
    for lang in ("eng", "jpn+eng"):
        out = tmp_path / lang
        run = subprocess.run([sys.executable, "-m", "worker", "process", str(image), "--out",
                              str(out), "--lang", lang, "--no-thumbnails", "--jobs", "1"],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        document = LocalOutput(out).read(SourceRef(path=str(image)).document_id)
        assert document is not None
        texts[lang] = str(document["content"])
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["totals"]["ocr_pages"] == 1
    assert character_error_rate(page.text, texts["jpn+eng"]) < 0.05
    assert "請求書" in texts["jpn+eng"] and "請求書" not in texts["eng"]
    assert not any("\u4e00" <= char <= "\u9fff" for char in texts["eng"])  # no kanji at all
    assert "Friday" in texts["eng"]  # the English line is read either way
