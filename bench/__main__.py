"""`python -m bench [NAME...]`: run the benchmark modules and print one table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from bench.table import Row, render


def _modules(filters: list[str]) -> list[str]:
    folder = Path(__file__).parent
    names = sorted(info.name for info in pkgutil.iter_modules([str(folder)])
                   if info.name.startswith("bench_"))
    return [name for name in names if not filters or any(f in name for f in filters)]


def main(argv: list[str]) -> int:
    rows: list[Row] = []
    for name in _modules(argv):
        started = time.monotonic()
        print(f"== {name}", file=sys.stderr, flush=True)
        module = importlib.import_module(f"bench.{name}")
        rows.extend(module.run())
        print(f"   {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
