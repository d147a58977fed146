"""Office formats: files/s and peak memory per format against the OOXML path, in one run.

(a) each format of tests/fixtures/office_documents.py (the same Japanese content as .doc,
    .xls, .ppt, .rtf, .odt, .ods, .odp) through `extract()`, against its OOXML twin (docx,
    xlsx, pptx) in the same run: files/s, peak RSS of the worker process (VmHWM) and of
    its largest child (LibreOffice, RUSAGE_CHILDREN); each format in a fresh process;
(b) the cost of one LibreOffice conversion (.doc -> docx): a new profile per call, the
    per-process profile the worker keeps (office/libreoffice.py), and a kept-alive office
    over UNO (tests/fixtures/uno_store.py; needs Debian's python3-uno);
(c) a ~42 MB legacy workbook (.xls, 3 sheets of 65,000 rows x 12 columns) against the
    same workbook as .xlsx; made once and cached under $TMPDIR/cis-bench-formats.
Each row is also printed to stderr as soon as it is measured (the whole run takes long).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Row
from tests.fixtures.office_documents import make_all, soffice_convert
from worker.extraction.office import libreoffice
from worker.extraction.programs import run_program

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "cis-bench-formats"
TWINS = {"doc": "docx", "rtf": "docx", "odt": "docx", "xls": "xlsx", "ods": "xlsx",
         "ppt": "pptx", "odp": "pptx"}
ROUNDS = {"doc": 3, "rtf": 3, "xls": 3, "ppt": 3}  # the rest: 20
PEAK_RSS_KB = ("int(next(line.split()[1] for line in open('/proc/self/status')"
               " if line.startswith('VmHWM')))")


SHEETS, ROWS = 3, 65_000


def _shown(row: Row) -> Row:
    print(f"   {row}", file=sys.stderr, flush=True)
    return row


def _measure(path: Path, rounds: int, warm: bool = True) -> tuple[float, float, float]:
    """(files/s, worker peak MB, child peak MB) of `rounds` extractions in a fresh process;
    raises CalledProcessError when an extraction fails."""
    warm_up = "extract(p, SourceRef(path=str(p)), o);" if warm else ""  # imports, profile
    code = (
        "import json, resource, time; from pathlib import Path;"
        "from worker.extraction.pipeline import extract;"
        "from worker.extraction.options import ExtractionOptions as O;"
        "from worker.models import SourceRef;"
        f"p = Path({str(path)!r}); o = O(thumbnails=False, file_budget_s=3600);{warm_up}"
        f"t = time.perf_counter()\nfor _ in range({rounds}):\n"
        "    d = extract(p, SourceRef(path=str(p)), o).document\n"
        f"print(json.dumps([{rounds} / (time.perf_counter() - t), {PEAK_RSS_KB},"
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=REPO).stdout
    rate, worker_kb, child_kb = json.loads(out.splitlines()[-1])
    return rate, worker_kb / 1024, child_kb / 1024


def per_format(files: dict[str, Path]) -> list[Row]:
    twins = {kind: _measure(files[kind], 20) for kind in ("docx", "xlsx", "pptx")}
    rows = []
    for kind, twin in TWINS.items():
        rate, worker_mb, child_mb = _measure(files[kind], ROUNDS.get(kind, 20))
        base_rate, base_mb, _ = twins[twin]
        rows.append(_shown(Row(
            f"(a) .{kind} with Japanese, extract()", f"{rate:.2f} files/s",
            f"{base_rate:.1f} files/s .{twin}", rate / base_rate, "",
            f"peak {worker_mb:.0f} MB worker (.{twin} {base_mb:.0f} MB), "
            f"{child_mb:.0f} MB LibreOffice")))
    return rows


def _cold(doc: Path, scratch: Path) -> float:
    times = []
    for round_ in range(3):
        work = scratch / f"cold-{round_}"
        (work / "out").mkdir(parents=True)
        started = time.perf_counter()
        run_program(libreoffice.command(doc, work / "out", "docx:MS Word 2007 XML",
                                        work / "profile"), timeout_s=600)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _warm(doc: Path, scratch: Path) -> float:
    times = []
    for round_ in range(4):
        work = scratch / f"warm-{round_}"
        work.mkdir()
        started = time.perf_counter()
        libreoffice.convert_to_ooxml(doc, "doc", work, 600)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first call makes the profile


def _kept_alive(doc: Path, scratch: Path) -> tuple[float, float]:
    """(start-up s, median s per conversion) of one office converting 5 times."""
    out = subprocess.run(["/usr/bin/python3", str(REPO / "tests/fixtures/uno_store.py"),
                          "MS Word 2007 XML", ".docx", str(scratch / "uno"), "--rounds", "5",
                          str(doc)], check=True, capture_output=True, text=True).stdout
    lines = [line.split("\t") for line in out.splitlines() if "\t" in line]
    start = float(next(line[0] for line in lines if line[1] == "start"))
    return start, statistics.median(float(line[0]) for line in lines if line[1] != "start")


def conversion_cost(files: dict[str, Path], scratch: Path) -> list[Row]:
    cold = _cold(files["doc"], scratch)
    warm = _warm(files["doc"], scratch)
    rows = [_shown(Row("(b) LibreOffice .doc->docx, process profile", f"{warm * 1000:.0f} ms",
                       f"{cold * 1000:.0f} ms new profile per call", cold / warm, "",
                       "the worker keeps one profile per process"))]
    try:
        start, alive = _kept_alive(files["doc"], scratch)
    except (OSError, subprocess.CalledProcessError) as exc:
        return [*rows, Row("(b) kept-alive office (UNO)", "not measured", "", None, "",
                           f"python3-uno missing or failed: {exc}")]
    return [*rows, _shown(Row("(b) LibreOffice .doc->docx, kept-alive (UNO)",
                              f"{alive * 1000:.0f} ms", f"{warm * 1000:.0f} ms process profile",
                              warm / alive, "", f"start-up {start:.1f} s once"))]


def _big_xlsx(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for sheet_number in range(SHEETS):
        sheet = workbook.create_sheet(f"明細{sheet_number + 1}")
        for row in range(ROWS):
            sheet.append([row, f"株式会社みなと商事 第{row}号",
                          f"東京都港区芝浦{row % 97}-{row % 13}",
                          row * 1.5, f"品目{row % 1000}", row % 365, "備考：至急対応のこと",
                          f"JP-{row:08d}", row * 7, "営業部", f"担当{row % 50}", row / 3])
    workbook.save(str(path))
    return path


def big_workbook() -> list[Row]:
    CACHE.mkdir(parents=True, exist_ok=True)
    xlsx = CACHE / f"big-{SHEETS}x{ROWS}.xlsx"
    xls = xlsx.with_suffix(".xls")
    if not xls.exists():
        _big_xlsx(xlsx)
        soffice_convert(xlsx, ".xls", CACHE)
    name = f"(c) {xls.stat().st_size / 1e6:.0f} MB .xls, {SHEETS} x {ROWS:,} rows"
    ooxml = _measure(xlsx, 1, warm=False)
    baseline = f"{1 / ooxml[0]:.0f} s same workbook .xlsx ({xlsx.stat().st_size / 1e6:.0f} MB)"
    try:
        legacy = _measure(xls, 1, warm=False)
    except subprocess.CalledProcessError as exc:
        return [_shown(Row(name, "failed", baseline, None, "", exc.stderr[-300:]))]
    return [_shown(Row(name, f"{1 / legacy[0]:.0f} s", baseline, legacy[0] / ooxml[0], "",
                       f"peak {legacy[1]:.0f} MB worker, {legacy[2]:.0f} MB LibreOffice "
                       f"(.xlsx: {ooxml[1]:.0f} MB worker)"))]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="cis-bench-") as folder:
        scratch = Path(folder)
        files = make_all(scratch / "fixtures")
        print("   per format ...", file=sys.stderr, flush=True)
        rows = per_format(files)
        print("   conversion cost ...", file=sys.stderr, flush=True)
        rows.extend(conversion_cost(files, scratch))
    print("   50 MB workbook ...", file=sys.stderr, flush=True)
    rows.extend(big_workbook())
    return rows
