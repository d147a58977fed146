"""The evaluation table: one row per class and split, then the overall ratios. Pure.

Scores are means over the pages of a class; CPU is seconds per page; `cpu x` is cis-worker's
CPU over raw Tesseract's on the same pages; `len` is cis-worker's output length over the
reference's (junk read from graphics makes it grow).
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean
from typing import Any, Protocol


class _Result(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def split(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def pages(self) -> int: ...
    @property
    def ours(self) -> dict[str, float]: ...
    @property
    def raw(self) -> dict[str, float]: ...
    @property
    def dropped_words(self) -> int: ...


HEADER = ("| split | class | pages | CER ours | CER raw | F1 ours | F1 raw | CPU s/page ours "
          "| CPU s/page raw | cpu x | len ours | dropped |")


def _mean(results: Sequence[_Result], side: str, key: str) -> float:
    values = [getattr(r, side).get(key) for r in results]
    present = [v for v in values if v is not None]
    return mean(present) if present else float("nan")


def _cpu_per_page(results: Sequence[_Result], side: str) -> float:
    pages = sum(r.pages for r in results) or 1
    total: float = sum(getattr(r, side).get("cpu", float("nan")) for r in results)
    return total / pages


def _row(split: str, name: str, results: Sequence[_Result]) -> str:
    ours_cpu, raw_cpu = _cpu_per_page(results, "ours"), _cpu_per_page(results, "raw")
    cells: list[Any] = [
        split, name, sum(r.pages for r in results),
        f"{_mean(results, 'ours', 'cer'):.3f}", f"{_mean(results, 'raw', 'cer'):.3f}",
        f"{_mean(results, 'ours', 'f1'):.3f}", f"{_mean(results, 'raw', 'f1'):.3f}",
        f"{ours_cpu:.2f}", f"{raw_cpu:.2f}", f"{ours_cpu / raw_cpu:.2f}" if raw_cpu else "-",
        f"{_mean(results, 'ours', 'length_ratio'):.2f}", sum(r.dropped_words for r in results),
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def table(results: Sequence[_Result]) -> str:
    lines = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)]
    for split in ("tuning", "held-out"):
        chosen = [r for r in results if r.split == split]
        if not chosen:
            continue
        for name in sorted({r.name for r in chosen}):
            lines.append(_row(split, name, [r for r in chosen if r.name == name]))
        lines.append(_row(split, "**all**", chosen))
    vertical = [(r.ours["cpu"] / r.raw["cpu"], r.file) for r in results
                if r.raw.get("cpu") and r.name.startswith("vertical")]
    if vertical:
        ratio, file = max(vertical)
        lines.append(f"\nworst vertical page CPU ratio: {ratio:.2f} ({file})")
    return "\n".join(lines)
