"""`python -m templates --out DIR`: write the CloudFormation templates as JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from templates.builder import build_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m templates", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, template in build_all().items():
        path = args.out / name
        path.write_text(template.to_json(indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
