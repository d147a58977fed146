"""worker/limits.py: each pool process's memory share, the limit itself, scratch folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from worker import limits
from worker.adapters import ecs


def test_the_share_comes_from_the_cgroup_limit_less_a_reserve(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    v2, v1 = tmp_path / "memory.max", tmp_path / "limit_in_bytes"
    monkeypatch.setattr(limits, "CGROUP_FILES", (v2, v1))
    v2.write_text("1073741824\n")  # a 1 GiB task
    assert limits.process_memory_limit(2) == (1024 - 256) // 2 * limits.MIB
    assert limits.process_memory_limit(8) == limits.FLOOR_BYTES  # never below the floor
    assert limits.process_memory_limit(2, override_mb=700) == 700 * limits.MIB
    v2.write_text("max\n")  # no cgroup limit: the machine's memory
    physical = limits.task_memory_bytes()
    assert physical > 1024**3 and limits.process_memory_limit(1) == physical - 256 * limits.MIB


class MetadataHandler(BaseHTTPRequestHandler):
    """Where the ECS agent's task metadata endpoint would be: GET /task."""
    task: ClassVar[dict[str, object]] = {}

    def do_GET(self) -> None:
        body = json.dumps(self.task).encode() if self.path == "/task" else b""
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def metadata_uri() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), MetadataHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_without_a_cgroup_limit_the_ecs_tasks_memory_sizes_the_share(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata_uri: str) -> None:
    """On ECS/EC2 the task-level limit sits on a parent cgroup the container cannot see;
    the task metadata endpoint (ECS_CONTAINER_METADATA_URI_V4) says it."""
    v2 = tmp_path / "memory.max"
    v2.write_text("max\n")
    monkeypatch.setattr(limits, "CGROUP_FILES", (v2,))
    monkeypatch.setenv(ecs.METADATA_URI_VARIABLE, metadata_uri)
    MetadataHandler.task = {"Limits": {"CPU": 2, "Memory": 1024}}  # a 1 GiB task
    assert limits.process_memory_limit(2) == (1024 - 256) // 2 * limits.MIB
    MetadataHandler.task = {"Limits": {"CPU": 2}}  # no task-level memory: the machine's
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert limits.task_memory_bytes() == physical
    v2.write_text("536870912\n")  # a container limit, when there is one, comes first
    MetadataHandler.task = {"Limits": {"CPU": 2, "Memory": 1024}}
    assert limits.task_memory_bytes() == 512 * limits.MIB


def test_an_unreachable_metadata_endpoint_falls_back_to_the_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, metadata_uri: str) -> None:
    v2 = tmp_path / "memory.max"
    v2.write_text("max\n")
    monkeypatch.setattr(limits, "CGROUP_FILES", (v2,))
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    monkeypatch.setenv(ecs.METADATA_URI_VARIABLE, metadata_uri + "/nowhere")  # 404
    assert limits.task_memory_bytes() == physical
    assert ecs.task_memory_limit_bytes("http://127.0.0.1:9", timeout_s=0.5) is None  # refused
    assert ecs.task_memory_limit_bytes(None) is None


def test_an_allocation_past_the_limit_is_a_too_large_error_naming_it() -> None:
    """In a child process: the limit stays with the process that set it."""
    code = (
        "from worker import limits\n"
        "limits.setup_pool_process(300 * limits.MIB)\n"
        "try:\n"
        "    bytearray(1024 ** 3)\n"
        "except MemoryError as exc:\n"
        "    error = limits.too_large(exc)\n"
        "    print(error.code, error.reason)\n"
        "print(len(bytearray(50 * limits.MIB)))  # and the process goes on\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    first, second = run.stdout.splitlines()
    assert first.startswith("too-large ") and "300 MiB" in first
    assert second == str(50 * limits.MIB)


def test_scratch_folders_are_made_under_tmpdir_and_removed_with_their_content(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    scratch = limits.make_scratch()
    assert scratch.parent == tmp_path and scratch.name.startswith("cis-job-")
    with limits.use_scratch(scratch):
        inner = Path(tempfile.mkdtemp())
        (inner / "page-1.pgm").write_bytes(b"P5")
    assert inner.parent == scratch and tempfile.tempdir == str(tmp_path)
    limits.remove_scratch(scratch)
    assert list(tmp_path.iterdir()) == []


def test_a_killed_workers_job_folders_are_removed_at_the_next_start(tmp_path: Path) -> None:
    """The soak found them: a worker killed with SIGKILL leaves its jobs' folders behind;
    the next worker on that volume removes those of owners that no longer run."""
    from worker.limits import SCRATCH_PREFIX, remove_orphaned_scratch

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folders = {name: tmp_path / f"{SCRATCH_PREFIX}{pid}-abc"
               for name, pid in (("dead", dead.pid), ("mine", os.getpid()), ("init", 1))}
    for folder in folders.values():
        folder.mkdir()
        (folder / ".event").write_text("{}")
    unrelated = tmp_path / "cis-ocr-keep"
    unrelated.mkdir()
    assert remove_orphaned_scratch(tmp_path) == 1
    assert not folders["dead"].exists()
    assert folders["mine"].exists() and folders["init"].exists() and unrelated.exists()
