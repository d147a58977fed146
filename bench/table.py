"""One row of the benchmark table, and the table printed from all rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    benchmark: str
    measured: str  # e.g. "41.3 pages/min"
    baseline: str  # what it is compared with, measured in the same run
    ratio: float | None = None  # measured / baseline in the direction where higher is better
    target: str = ""  # e.g. ">= 0.9"
    note: str = ""


HEADERS = ("benchmark", "measured", "baseline", "ratio", "target", "note")


def _cells(row: Row) -> tuple[str, ...]:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
    return (row.benchmark, row.measured, row.baseline, ratio, row.target, row.note)


def render(rows: list[Row]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    table = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(HEADERS))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths,
                                                                          strict=True)) + " |"

    rule = "| " + " | ".join("-" * width for width in widths) + " |"
    return "\n".join([line(HEADERS), rule, *(line(cells) for cells in table[1:])])
