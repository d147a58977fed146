"""The table `make soak` prints: counts, losses, duplicates, races, queues, processes, memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.soak_check import Verdict
from bench.soak_fleet import Fleet

NEWEST = "第10版 / version 10"
AFTER_DELETE = "削除の後の版"


@dataclass(frozen=True)
class Races:
    overwrite_content: str  # what the index holds for the key overwritten ten times
    delete_then_put: str  # content for the key deleted, then written again
    put_then_delete_gone: bool  # the key written, then deleted, has no document

    @property
    def ok(self) -> bool:
        return (self.overwrite_content == NEWEST and self.delete_then_put == AFTER_DELETE
                and self.put_then_delete_gone)


def _left_files(folder: Path) -> tuple[int, int]:
    found = [path for path in folder.rglob("*") if path.is_file()]
    return len(found), sum(path.stat().st_size for path in found)


def _row(name: str, value: object, good: bool | None = None) -> str:
    mark = "" if good is None else ("  ok" if good else "  FAIL")
    return f"  {name:<44} {value!s:>14}{mark}"


def table(verdict: Verdict, fleet: Fleet, leaked: dict[int, str], seconds: float,
          settled: bool, exit_codes: list[int], folder: Path, races: Races,
          producer_error: BaseException | None) -> str:
    documents = sum(verdict.statuses.values())
    temp_files = [_left_files(fleet.tmp_dir(slot)) for slot in range(len(fleet.workers))]
    files, size = sum(n for n, _ in temp_files), sum(b for _, b in temp_files)
    rows = [
        "soak: final state",
        _row("object versions uploaded", verdict.versions),
        _row("keys with a current object", verdict.expected),
        _row("keys deleted (delete marker current)", verdict.deleted),
        _row("documents: complete / partial / failed",
             f"{verdict.statuses['complete']}/{verdict.statuses['partial']}/"
             f"{verdict.statuses['failed']}", documents == verdict.expected),
        _row("lost (current object, no document)", len(verdict.lost), not verdict.lost),
        _row("duplicated (>1 document per key)", len(verdict.duplicated),
             not verdict.duplicated),
        _row("not the current version", len(verdict.wrong_version), not verdict.wrong_version),
        _row("deleted but still searchable", len(verdict.resurrected), not verdict.resurrected),
        _row("documents of no key", len(verdict.unknown), not verdict.unknown),
        _row("race: 10 overwrites in 1 s → newest", races.overwrite_content == NEWEST,
             races.overwrite_content == NEWEST),
        _row("race: delete, then overwrite → document", races.delete_then_put == AFTER_DELETE,
             races.delete_then_put == AFTER_DELETE),
        _row("race: overwrite, then delete → none", races.put_then_delete_gone,
             races.put_then_delete_gone),
        _row("work queue left", verdict.queue_left, not verdict.queue_left),
        _row("DLQ: poison messages / missing", f"{verdict.dlq_expected}/{verdict.dlq_missing}",
             not verdict.dlq_missing),
        _row("DLQ: other messages", len(verdict.dlq_unexpected), not verdict.dlq_unexpected),
        _row("temp files left (files, bytes)", f"{files}, {size}", files == 0),
        _row("processes left after the workers exited", len(leaked), not leaked),
        _row("settled before the time limit", settled, settled),
        _row("workers started / SIGKILL / SIGTERM / crashed",
             f"{len(fleet.history)}/{fleet.hits['SIGKILL']}/{fleet.hits['SIGTERM']}/"
             f"{fleet.hits['crashed']}"),
        _row("last workers' exit codes", exit_codes),
        _row("wall time (s)", f"{seconds:.0f}"),
        _row("files/min (current objects / wall time)",
             f"{verdict.expected / (seconds / 60):.0f}"),
    ]
    rows.append("  peak resident memory per process (VmHWM, max over all of that role):")
    for role, kib in sorted(fleet.peaks.by_role.items(), key=lambda item: -item[1]):
        rows.append(_row(f"  {role}", f"{kib / 1024:.0f} MiB", kib < 1024 * 1024))
    for title, items in (("lost", verdict.lost), ("duplicated", verdict.duplicated),
                         ("not current", verdict.wrong_version),
                         ("resurrected", verdict.resurrected),
                         ("DLQ other", verdict.dlq_unexpected),
                         ("leaked", [f"{pid} {name}" for pid, name in leaked.items()])):
        if items:
            rows.append(f"  {title}: " + "; ".join(items[:10]))
    if producer_error is not None:
        rows.append(f"  producer failed: {producer_error!r}")
    rows.append(f"  logs: {folder}")
    return "\n".join(rows)
