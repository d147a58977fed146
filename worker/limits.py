"""What each pool process may use: its memory limit, its scratch folder, Pillow's warnings.

Memory: a file whose content needs gigabytes (a 5 KB JPEG declaring 10950 x 10950 pixels,
a 31 MB docx with a 128 MB document.xml) must cost that file only, not the task. Each pool
process therefore runs under RLIMIT_DATA (heap and private writable mappings: what a
decoder allocates), sized from the memory the task may use (the cgroup limit, else the ECS
task's limit from its metadata endpoint, else the machine's memory) less a reserve for the
main process, divided by the pool's processes; the PROCESS_MEMORY_LIMIT_MB setting
overrides it. An allocation past the limit raises
MemoryError in that process, which `too_large` turns into a permanent `too-large` error
naming the limit. That process then serves no other file: a heap that reached its limit
stays fragmented and bloated, so the next file would meet a process already near it. It
hands its job's result over through the job's scratch folder and exits (`hand_over`); the
parent reads the result there (`handed_over`) and the pool starts a fresh process in its
place, while the other processes' jobs go on (a process that dies instead is replaced by
its pool too). Programs the process starts (Tesseract, poppler) inherit the limit, each on
its own.

Scratch: every job (a queue message, a local file) works in its own folder, made and
removed by the parent process (`make_scratch`, `remove_scratch`), so a process killed at the
hard cap, at shutdown or by a crash leaves no downloads or page images behind. `use_scratch`
points `tempfile` and the TMPDIR of child programs at it for the job's duration. A job notes
there which process took it up (`note_owner`), so the parent sees a process that ended
without its pool noticing (`owner_gone`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import resource
import shutil
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from PIL import Image

from worker.adapters import ecs
from worker.errors import FileTooLargeError

MIB = 1024 * 1024
PARENT_RESERVE_BYTES = 256 * MIB  # the main process, its threads and the page cache it needs
FLOOR_BYTES = 256 * MIB  # below this an interpreter with our imports cannot work
CGROUP_FILES = (Path("/sys/fs/cgroup/memory.max"),  # cgroup v2 (ECS on AL2023, Docker)
                Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))  # cgroup v1
RETIRE_EXIT_CODE = 75  # a pool process that ran out of memory ends itself after its job
HANDED_OVER = ".result.pickle"  # in the job's scratch folder: the retired process's result
T = TypeVar("T")
_state = {"pool_process": False, "retiring": False}


def task_memory_bytes() -> int:
    """The memory this task may use: its cgroup limit, else the ECS task's limit (task
    metadata: on EC2 the task-level limit is on a parent cgroup the container cannot see),
    else the machine's memory."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in CGROUP_FILES:
        try:
            raw = path.read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and 0 < int(raw) < physical:  # "max" or a huge v1 value: no limit
            return int(raw)
    task = ecs.task_memory_limit_bytes(os.environ.get(ecs.METADATA_URI_VARIABLE))
    return task if task and task < physical else physical


def process_memory_limit(processes: int, override_mb: int | None = None) -> int:
    """Bytes each of `processes` pool processes may use."""
    if override_mb:
        return override_mb * MIB
    share = (task_memory_bytes() - PARENT_RESERVE_BYTES) // max(1, processes)
    return max(FLOOR_BYTES, share)


def setup_pool_process(memory_limit_bytes: int | None) -> None:
    """Run first in every pool process (queue worker and `process`)."""
    _state["pool_process"] = True
    if memory_limit_bytes:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        soft = memory_limit_bytes if hard == resource.RLIM_INFINITY else min(
            memory_limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    # Our own guard (images/picture.py `check_pixels`, against `max_page_pixels`) refuses
    # oversized images with a clear error before decoding; Pillow's warning at its lower
    # built-in limit would only print noise on stderr for pages we accept (a 300 dpi A0
    # render, a 10,000 px scan), so it is silenced for the whole process.
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)


def memory_limit_bytes() -> int | None:
    """This process's memory limit, None when it has none."""
    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    return None if soft == resource.RLIM_INFINITY else soft


def too_large(exc: MemoryError) -> FileTooLargeError:
    """A file that ran out of the process's memory: permanent, with the limit named. What
    the file's decoding had allocated was freed when the error unwound it, and is handed
    back to the system here, so that the process can still write and send the result. The
    frames the error unwound still hold the file's buffers in their locals (through its
    traceback) until a later garbage collection: they are cleared first. A pool process
    then retires at the end of the job (`hand_over`)."""
    _state["retiring"] = True
    if exc.__traceback__ is not None:
        traceback.clear_frames(exc.__traceback__)
        exc.__traceback__ = None
    _give_back_memory()
    limit = memory_limit_bytes()
    where = (f"the {limit // MIB} MiB memory limit of a worker process"
             if limit else "the memory available to the worker process")
    error = FileTooLargeError(f"processing this file needed more than {where} "
                              "(PROCESS_MEMORY_LIMIT_MB)")
    error.__cause__ = exc
    return error


def hand_over(result: T, scratch: Path) -> T:
    """Runs in a pool process at the end of each job. A process that ran out of memory
    during the job (`too_large`) leaves the result in the job's scratch folder and exits
    with RETIRE_EXIT_CODE, so its pool replaces it; any other returns the result as usual
    (also when the result cannot be written: serving on beats losing it)."""
    if not (_state["pool_process"] and _state["retiring"]):
        return result
    part = scratch / f"{HANDED_OVER}.part"
    try:
        part.write_bytes(pickle.dumps(result))
        part.rename(scratch / HANDED_OVER)
    except (OSError, pickle.PicklingError, MemoryError):
        return result
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(RETIRE_EXIT_CODE)


def handed_over(scratch: Path | None) -> Any:
    """In the parent: the result a retired pool process left in `scratch` (read once, so a
    later job in the same folder cannot be taken for it); None when there is none."""
    if scratch is None:
        return None
    path = scratch / HANDED_OVER
    try:
        data = path.read_bytes()
    except OSError:
        return None
    path.unlink(missing_ok=True)
    return pickle.loads(data)  # written by our own pool process, in a 0700 folder


SCRATCH_PREFIX = "cis-job-"


def make_scratch() -> Path:
    """A fresh folder for one job (under TMPDIR), named after the process that owns it; the
    parent removes it with `remove_scratch` when the job is settled, whatever happened in it."""
    return Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))


def remove_orphaned_scratch(root: Path | None = None) -> int:
    """Remove the job folders of owners that no longer run (a worker killed with SIGKILL
    could not remove its own); a folder of a live process is left alone. How many went."""
    removed = 0
    for folder in Path(root or tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        owner = folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


OWNER = ".owner"  # in a job's scratch folder: the pid of the pool process working on it
LOST_AFTER_S = 2.0  # a job's process ended this long ago and pebble has not settled it


def note_owner(scratch: Path) -> None:
    """Runs in a pool process as a job starts: which process works in `scratch`."""
    (scratch / OWNER).write_text(str(os.getpid()))


def owner_gone(scratch: Path | None) -> bool:
    """Whether the pool process that started the job in `scratch` has ended (a zombie
    counts as ended); False while no process has started it."""
    try:
        pid = int((scratch / OWNER).read_text()) if scratch is not None else 0
    except (OSError, ValueError):
        return False
    if not pid or not _alive(pid):
        return bool(pid)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def gone_since(scratch: Path | None, since: float | None, now: float) -> float | None:
    """When the job's process was first seen ended (`since`, or `now` if it just has), or
    None while it runs. pebble misses a process that dies before it has noted which task
    it took (a crash at once) and would wait for the hard cap: the run loop and the batch
    pool both treat a job whose process is gone LOST_AFTER_S as lost (`is_lost`)."""
    if not owner_gone(scratch):
        return since
    return since if since is not None else now


def is_lost(since: float | None, now: float) -> bool:
    return since is not None and now - since >= LOST_AFTER_S


def remove_scratch(path: Path | None) -> None:
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


def _give_back_memory() -> None:
    gc.collect()
    # glibc keeps freed heap for reuse; return it so the next file starts lean
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.contextmanager
def use_scratch(path: Path) -> Iterator[None]:
    """Temporary files of this process and of the programs it starts go under `path`."""
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(path)
    os.environ["TMPDIR"] = str(path)
    try:
        yield
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
