"""Run one external program (Tesseract, poppler) with a timeout that kills its whole tree.

The wrapper modules (`ocr.py` for Tesseract, `poppler.py` for poppler) build the commands and
turn failures into our exceptions; this module only starts the child in its own session,
waits for it, and on timeout kills the child and every descendant it started (psutil), so a
stuck page never leaves orphans that keep eating a CPU. A program that is not installed is a
FatalError: the worker cannot do its job on this machine.

A child never inherits the worker's environment: it starts with the few variables a program
needs to run (CHILD_ENVIRONMENT, taken from the worker's own) plus what its wrapper names.
The worker's environment holds AWS credentials and OPENSEARCH_PASSWORD; a parser that a
crafted file takes over must not find them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil

from worker.errors import MissingProgramError

INSTALL_HINT = "install it with scripts/install-system-deps.sh runtime"

# What a child may inherit: where programs are, the locale, where to write (TMPDIR; HOME and
# XDG_CACHE_HOME for fontconfig's cache), one OCR thread, and Tesseract's models. Nothing else.
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TMPDIR", "HOME", "XDG_CACHE_HOME",
                     "OMP_THREAD_LIMIT", "TESSDATA_PREFIX")
DEFAULT_LANG = "C.UTF-8"


def child_environment(extra: Mapping[str, str] | None = None,
                      parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a child starts with: the allowed names from `parent` (the worker's
    own by default), a UTF-8 locale and a PATH when it has none, then `extra` on top."""
    parent = os.environ if parent is None else parent
    env = {name: parent[name] for name in CHILD_ENVIRONMENT if name in parent}
    env.setdefault("PATH", os.defpath)
    env.setdefault("LANG", DEFAULT_LANG)
    env.update(extra or {})
    return env


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
                env: Mapping[str, str] | None = None) -> Finished:
    """Run `argv` to completion with the minimal environment (child_environment) plus `env`;
    raise ProgramTimedOut (tree killed) or MissingProgramError."""
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=child_environment(env),
                                start_new_session=True)
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
