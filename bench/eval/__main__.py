"""`python -m bench.eval`: generate the evaluation pages, read each with cis-worker and with raw
`tesseract -l jpn+eng --psm 3` (one thread) in the same run, print per class CER, bag F1, CPU
seconds per page and output length, for the tuning and the held-out split apart.

CPU is measured in the process that reads the page (its own time plus its children's:
Tesseract, poppler), so running cases side by side (--jobs) does not change it much.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.eval import cases as cases_package
from bench.eval.metrics import score
from bench.eval.render import HELD_OUT_SEED
from bench.eval.report import table
from worker.extraction.images.reader import extract_image
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.reader import extract_pdf

Case = tuple[str, Path, str]
OPTIONS = ExtractionOptions()
KEEP_JUNK = "CIS_EVAL_KEEP_JUNK"


@dataclass(frozen=True)
class Result:
    name: str  # class
    split: str  # "tuning" | "held-out"
    file: str
    pages: int
    ours: dict[str, float]
    raw: dict[str, float]
    dropped_words: int


def case_makers() -> dict[str, Callable[[Path, int], list[Case]]]:
    makers = {}
    for module in pkgutil.iter_modules(cases_package.__path__):
        loaded = importlib.import_module(f"{cases_package.__name__}.{module.name}")
        if hasattr(loaded, "make_cases"):
            makers[module.name] = loaded.make_cases
    return makers


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def read_ours(path: Path) -> tuple[str, int, int]:
    """(content, pages, dropped words) as cis-worker extracts the file."""
    if path.suffix.lower() == ".pdf":
        extracted = extract_pdf(path, OPTIONS)
    else:
        extracted = extract_image(path, OPTIONS)
    dropped = sum(getattr(page, "dropped_words", 0) or 0 for page in extracted.pages)
    return "\n\n".join(page.text for page in extracted.pages), len(extracted.pages), dropped


def read_raw(path: Path) -> str:
    """Raw Tesseract, psm 3, one thread: on the file itself, or on each rendered PDF page."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="eval-raw-") as scratch:
        images = [path]
        if path.suffix.lower() == ".pdf":
            subprocess.run(["pdftoppm", "-r", "300", "-gray", str(path), f"{scratch}/p"],
                           check=True, capture_output=True)
            images = sorted(Path(scratch).glob("p*.pgm"))
        texts = []
        for image in images:
            argv = ["tesseract", str(image), "stdout", "-l", OPTIONS.languages, "--psm", "3"]
            if image != path:
                argv += ["--dpi", "300"]
            texts.append(subprocess.run(argv, env=env, capture_output=True,
                                        check=True).stdout.decode("utf-8", "replace"))
        return "\n\n".join(texts)


def evaluate(case: Case, split: str, raw: bool) -> Result:
    name, path, reference = case
    if os.environ.get(KEEP_JUNK):
        from worker.extraction.ocr import plan

        setattr(plan, "drop_junk", lambda reading: (reading, 0))  # noqa: B010
    started = _cpu()
    content, pages, dropped = read_ours(path)
    ours_cpu = _cpu() - started
    mine = asdict(score(reference, content)) | {"cpu": ours_cpu}
    theirs: dict[str, float] = {}
    if raw:
        started = _cpu()
        raw_text = read_raw(path)
        theirs = asdict(score(reference, raw_text)) | {"cpu": _cpu() - started}
    return Result(name, split, path.name, pages, mine, theirs, dropped)


def _seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__)
    parser.add_argument("--seeds", default="1,2,3", help="tuning seeds (comma separated)")
    parser.add_argument("--held-out", default=f"{HELD_OUT_SEED},{HELD_OUT_SEED + 1}",
                        help=f"held-out seeds (from {HELD_OUT_SEED} on)")
    parser.add_argument("--classes", default="", help="only these classes (comma separated)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-raw", action="store_true", help="skip raw Tesseract")
    parser.add_argument("--out", type=Path, default=Path("build/eval"))
    parser.add_argument("--json", type=Path, help="also write every result here")
    parser.add_argument("--keep-junk", action="store_true",
                        help="leave ocr/junk.py out, to measure what it removes and loses")
    args = parser.parse_args(argv)
    if args.keep_junk:
        os.environ[KEEP_JUNK] = "1"  # read by each worker process (see evaluate)
    wanted = set(filter(None, args.classes.split(",")))
    work: list[tuple[Case, str]] = []
    for module, make in case_makers().items():
        for split, seeds in (("tuning", _seeds(args.seeds)), ("held-out", _seeds(args.held_out))):
            for seed in seeds:
                for case in make(args.out / module, seed):
                    if not wanted or case[0] in wanted:
                        work.append((case, split))
    print(f"{len(work)} pages; reading with cis-worker and raw tesseract ...", file=sys.stderr)
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(evaluate, [c for c, _ in work], [s for _, s in work],
                                [not args.no_raw] * len(work)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
