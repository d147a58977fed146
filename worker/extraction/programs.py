"""Run one external program (Tesseract, poppler) with a timeout that kills its whole tree.

The wrapper modules (`ocr.py` for Tesseract, `poppler.py` for poppler) build the commands and
turn failures into our exceptions; this module only starts the child in its own session,
waits for it, and on timeout kills the child and every descendant it started (psutil), so a
stuck page never leaves orphans that keep eating a CPU. A program that is not installed is a
FatalError: the worker cannot do its job on this machine.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil

from worker.errors import MissingProgramError

INSTALL_HINT = "install it with scripts/install-system-deps.sh runtime"


@dataclass(frozen=True)
class Finished:
    """What a program left behind: exit code and both output streams."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def error_text(self) -> str:
        """The last lines of stderr, decoded: enough for a reason, never a wall of text."""
        lines = self.stderr.decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-3:]) if lines else f"exit code {self.returncode}"


class ProgramTimedOut(Exception):
    """The program ran past its timeout and was killed with its children."""

    def __init__(self, argv: Sequence[str], timeout_s: float) -> None:
        super().__init__(f"{argv[0]} ran longer than {timeout_s:g} s and was stopped")
        self.timeout_s = timeout_s


def run_program(argv: Sequence[str], *, timeout_s: float,
                env: Mapping[str, str] | None = None, inherit_env: bool = True) -> Finished:
    """Run `argv` to completion; raise ProgramTimedOut (tree killed) or MissingProgramError.
    With `inherit_env=False` the child sees only `env` (a converter of untrusted input)."""
    child_env = dict(os.environ) if inherit_env else {}
    child_env.update(env or {})
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=child_env, start_new_session=True)
    except FileNotFoundError as exc:
        raise MissingProgramError(f"{argv[0]} is not installed ({INSTALL_HINT})") from exc
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        proc.communicate()
        raise ProgramTimedOut(argv, timeout_s) from None
    except BaseException:  # KeyboardInterrupt, SystemExit: never leave the child behind
        kill_tree(proc.pid)
        proc.communicate()
        raise
    return Finished(tuple(argv), proc.returncode, stdout, stderr)


def kill_tree(pid: int) -> None:
    """Kill a process and all its descendants; those already gone are ignored."""
    try:
        parent = psutil.Process(pid)
        family = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return
    for process in family:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
    psutil.wait_procs(family, timeout=5)
