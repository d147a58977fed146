"""The soak's `cis-worker run` processes: start, hit (SIGKILL or SIGTERM), restart, watch.

Each slot runs one `cis-worker run` in a session of its own. A hit on a slot sends the signal
to the worker's main process only (SIGKILL as the kernel's OOM killer or a crash would, not
to the whole group), then starts a new worker in its place, so processes left behind by a
killed main show up as leaks. A background thread samples every process of every session
the fleet ever started, and every descendant of those (the worker runs Tesseract and
poppler in sessions of their own, which then count as the fleet's too): peak resident
memory (VmHWM) per process, and which are still alive.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.fixtures.worker_process import CIS_WORKER, WorkerProcess


@dataclass
class Peaks:
    """Peak VmHWM (KiB) seen per process role, and per pid."""

    by_role: dict[str, int] = field(default_factory=dict)
    by_pid: dict[int, int] = field(default_factory=dict)

    def add(self, role: str, pid: int, kib: int) -> None:
        self.by_role[role] = max(self.by_role.get(role, 0), kib)
        self.by_pid[pid] = max(self.by_pid.get(pid, 0), kib)


def _parent_and_session(pid: int) -> tuple[int, int] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # state, ppid, pgrp, session
        return (int(fields[1]), int(fields[3])) if fields[0] != "Z" else None
    except (OSError, IndexError, ValueError):
        return None


def _peak_kib(pid: int) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            lines = dict(line.split(":", 1) for line in status if ":" in line)
    except OSError:
        return None
    hwm = lines.get("VmHWM")
    return (lines["Name"].strip(), int(hwm.split()[0])) if hwm else None


def session_members(sessions: set[int]) -> dict[int, int]:
    """pid → session for every live process of the given sessions or descended from one;
    the sessions of descendants are added to `sessions`."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (info := _parent_and_session(int(entry))) is not None:
            table[int(entry)] = info
    found = {pid: sid for pid, (_, sid) in table.items() if sid in sessions}
    grown = True
    while grown:
        grown = False
        for pid, (parent, sid) in table.items():
            if pid not in found and parent in found:
                found[pid] = sid
                sessions.add(sid)
                grown = True
    return found


class Fleet:
    def __init__(self, env: dict[str, str], size: int, folder: Path) -> None:
        self.env, self.folder = env, folder
        self.workers: list[WorkerProcess] = []
        self.history: list[WorkerProcess] = []  # every worker ever started
        self.sessions: set[int] = set()
        self.hits: dict[str, int] = {"SIGKILL": 0, "SIGTERM": 0, "crashed": 0}
        self.peaks = Peaks()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._draining: set[int] = set()
        for slot in range(size):
            self.workers.append(self._start(slot))
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def tmp_dir(self, slot: int) -> Path:
        return self.folder / f"tmp-{slot}"

    def _start(self, slot: int) -> WorkerProcess:
        tmp = self.tmp_dir(slot)
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "TMPDIR": str(tmp), "HEALTH_FILE": str(tmp.parent / f"alive-{slot}")}
        worker = WorkerProcess(CIS_WORKER, env)
        self.history.append(worker)
        self.sessions.add(worker.proc.pid)
        return worker

    def hit(self, slot: int, signum: int) -> None:
        """Signal the slot's main process and put a new worker in its place."""
        with self._lock:
            if slot in self._draining or self._stopping.is_set():
                return
            worker = self.workers[slot]
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.proc.pid, signum)
            self.hits[signal.Signals(signum).name] += 1
            if signum == signal.SIGKILL:
                worker.proc.wait(timeout=30)
                self.workers[slot] = self._start(slot)
                return
            self._draining.add(slot)
        threading.Thread(target=self._replace_after_drain, args=(slot, worker),
                         daemon=True).start()

    def _replace_after_drain(self, slot: int, worker: WorkerProcess) -> None:
        try:
            worker.proc.wait(timeout=120)
        except Exception:  # a drain that hangs: the next signal is SIGKILL
            os.kill(worker.proc.pid, signal.SIGKILL)
            worker.proc.wait(timeout=30)
        with self._lock:
            self._draining.discard(slot)
            if not self._stopping.is_set():
                self.workers[slot] = self._start(slot)

    def restart_crashed(self) -> None:
        """A worker that exited on its own (not hit) is counted and replaced."""
        with self._lock:
            for slot, worker in enumerate(self.workers):
                if slot not in self._draining and worker.proc.poll() is not None \
                        and not self._stopping.is_set():
                    self.hits["crashed"] += 1
                    self.workers[slot] = self._start(slot)

    def _sample(self) -> None:
        while True:
            with self._lock:
                mains = {worker.proc.pid for worker in self.history}
                sessions = set(self.sessions)
            members = session_members(sessions)
            with self._lock:
                self.sessions |= sessions
            for pid in members:
                found = _peak_kib(pid)
                if found:
                    name, kib = found
                    role = "worker main" if pid in mains else \
                        ("pool process" if name.startswith("python") else name)
                    self.peaks.add(role, pid, kib)
            if self._stopping.is_set():
                return
            time.sleep(0.5)

    def stop(self) -> list[int]:
        """SIGTERM every worker, wait for them; return exit codes."""
        with self._lock:
            self._stopping.set()
            workers = list(self.workers)
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                worker.signal(signal.SIGTERM)
        codes = [worker.wait_exit(timeout_s=120) for worker in workers]
        for worker in self.history:  # draining ones still settling
            with contextlib.suppress(Exception):
                worker.proc.wait(timeout=120)
        self._sampler.join(timeout=10)
        return codes

    def leaked(self, grace_s: float = 10.0) -> dict[int, str]:
        """Processes of any session the fleet started that are still alive after every
        worker main has exited (pid → command name); they are then killed."""
        deadline = time.monotonic() + grace_s
        members = session_members(self.sessions)
        while members and time.monotonic() < deadline:
            time.sleep(0.5)
            members = session_members(self.sessions)
        named = {pid: (_peak_kib(pid) or ("?", 0))[0] for pid in members}
        for pid in members:  # by pid, each checked to be of one of our sessions just now
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return named
