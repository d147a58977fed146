"""What a container (archive or e-mail) hands the pipeline: its members, one at a time.

A container reader returns an `Unpacking`: an iterator of `Member`s and, once that is
exhausted, the parent's own `Extracted` (a listing of the members, a mail's body). The
pipeline writes each member to a temporary file of a generated name — a member's name is
never a file-system path — and runs it through the same extraction as any file.

Limits are shared by a whole tree of nested containers (`ContainerBudget`): members counted,
bytes inflated (worker/extraction/archives/inflate.py), nesting depth, and the file's time
budget (no member is started after it; each member has its own budgets as well). A reader stops
yielding when the tree's budget is spent and says so in the parent's `reason`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from worker.errors import PermanentError
from worker.extraction.archives.inflate import InflateBudget
from worker.extraction.result import Extracted
from worker.models import MailHeaders

_SEPARATORS = re.compile(r"[\\/]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ContainerLimits:
    """Defaults for a tree of nested containers (one top-level file)."""

    max_depth: int = 3  # containers inside containers unpacked; deeper ones are refused
    max_members: int = 10_000  # documents made from members, the whole tree
    max_total_bytes: int = 1024 * 1024 * 1024  # bytes inflated, the whole tree
    max_ratio: int = 200  # inflated / compressed, once past ratio_floor
    ratio_floor: int = 1024 * 1024


@dataclass
class ContainerBudget:
    """What a tree of containers has used so far."""

    limits: ContainerLimits
    deadline: float | None = None  # time.monotonic() past which no member is started
    members: int = 0
    inflate: InflateBudget = field(init=False)

    def __post_init__(self) -> None:
        self.inflate = InflateBudget(self.limits.max_total_bytes, self.limits.max_ratio,
                                     self.limits.ratio_floor)

    def admit(self, notes: list[str]) -> bool:
        """Count one more member, or say in `notes` why no further one may be unpacked."""
        stop = self.spent()
        if stop:
            notes.append(stop)
            return False
        self.members += 1
        return True

    def spent(self) -> str | None:
        """Why no further member may be unpacked, or None."""
        if self.members >= self.limits.max_members:
            return (f"stopped after {self.limits.max_members} members (the limit): the rest "
                    "were not read")
        if self.inflate.total >= self.limits.max_total_bytes:
            return (f"stopped after inflating {self.limits.max_total_bytes} bytes (the "
                    "limit): the rest were not read")
        if self.deadline is not None and time.monotonic() > self.deadline:
            return "stopped when the file's time budget ran out: the rest were not read"
        return None


@dataclass(frozen=True)
class Member:
    """One member: `save` writes its bytes (raising a PermanentError when it cannot), or
    `error` says up front why it cannot be read (encrypted, a link). `save` must be called
    before the next member is asked for (tar members are read as the archive streams)."""

    path: str  # inside the container, '/'-separated, cleaned (see clean_path)
    save: Callable[[BinaryIO], None] | None = None
    error: PermanentError | None = None


@dataclass
class Unpacking:
    members: Iterator[Member]
    parent: Callable[[], Extracted]  # call after `members` is exhausted
    headers: MailHeaders | None = None


def clean_path(name: str) -> str:
    """A member name as a display path: '/'-separated, no empty, '.' or '..' parts, no
    leading '/', control characters (NUL too) and undecodable bytes replaced. Used for ids
    and container_path, never for the file system."""
    name = name.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # lone halves
    parts = [_CONTROL.sub("\ufffd", part) for part in _SEPARATORS.split(name)]
    kept = [part for part in parts if part not in ("", ".", "..")]
    return "/".join(kept) or "(no name)"


def listing_page_text(paths: list[str]) -> str:
    return "\n".join(paths)
