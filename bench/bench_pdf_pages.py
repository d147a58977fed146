"""PDF page rendering: pdf2image against the project's pdftoppm wrapper, blank pages, timeouts.

(e) one page at a time, 300 dpi, grayscale PGM into a folder: pdf2image's convert_from_path
    (first_page = last_page, dpi, grayscale, fmt="ppm" → PGM, output_folder, paths_only,
    single_file, timeout) against poppler.render_page; wall time and child CPU per page;
(f) 500 blank pages: one low-dpi preview run (reader.blank_page_numbers) against rendering
    each page at 300 dpi (what every blank page cost before);
(g) a 2.7 KB PDF of nested form XObjects with a 3 s timeout: when each way gives up, and
    whether a poppler process is left running.
Inputs are generated here. See docs/pdf-rendering.md for what the numbers decide.
"""

from __future__ import annotations

import contextlib
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPopplerTimeoutError

from bench.table import Row
from tests.fixtures.hostile_pages import blank_pages, nested_xobjects
from tests.fixtures.japanese_pages import HORIZONTAL_LINES, horizontal_page
from tests.fixtures.pdfs import image_page, new_pdf
from worker.errors import TimeoutExceededError
from worker.extraction.pdf.poppler import render_page
from worker.extraction.pdf.reader import blank_page_numbers

PAGES = 10
BLANK_PAGES = 500
DPI = 300


def _scans(path: Path) -> Path:
    pdf = new_pdf(path)
    for index in range(PAGES):
        image_page(pdf, horizontal_page(HORIZONTAL_LINES[index % 6:index % 6 + 3]).image)
    pdf.save()
    return path


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall seconds and child CPU seconds (pdftoppm, pdfinfo) of `work`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _with_pdf2image(pdf: Path, out: Path, page: int, timeout: int = 120) -> Path:
    paths = convert_from_path(pdf, dpi=DPI, first_page=page, last_page=page, grayscale=True,
                              fmt="ppm", output_folder=out, paths_only=True, single_file=True,
                              output_file=f"p2i-{page}", timeout=timeout)
    return Path(paths[0])


def _render_rows(scratch: Path) -> list[Row]:
    pdf = _scans(scratch / "scans.pdf")
    ours_dir, theirs_dir = scratch / "ours", scratch / "theirs"
    ours_dir.mkdir()
    theirs_dir.mkdir()
    for _ in range(2):  # warm the page cache once for both
        render_page(pdf, page=1, dpi=DPI, out_dir=ours_dir, timeout_s=120)
        _with_pdf2image(pdf, theirs_dir, 1)
    ours = _timed(lambda: [render_page(pdf, page=page, dpi=DPI, out_dir=ours_dir, timeout_s=120)
                           for page in range(1, PAGES + 1)])
    theirs = _timed(lambda: [_with_pdf2image(pdf, theirs_dir, page)
                             for page in range(1, PAGES + 1)])
    same = all((ours_dir / f"page-{page}.pgm").read_bytes()
               == (theirs_dir / f"p2i-{page}.pgm").read_bytes() for page in range(1, PAGES + 1))
    return [
        Row("(e) render a page, 300 dpi gray: wall", f"{ours[0] / PAGES * 1000:.0f} ms/page",
            f"pdf2image {theirs[0] / PAGES * 1000:.0f} ms/page", theirs[0] / ours[0],
            note=f"identical PGM files: {same}"),
        Row("(e) render a page: child CPU", f"{ours[1] / PAGES * 1000:.0f} ms/page",
            f"pdf2image {theirs[1] / PAGES * 1000:.0f} ms/page",
            theirs[1] / ours[1] if ours[1] else None,
            note="pdf2image also runs pdfinfo and pdftoppm -v per call"),
    ]


def _blank_rows(scratch: Path) -> list[Row]:
    pdf = blank_pages(scratch / "blank.pdf", BLANK_PAGES)
    numbers = list(range(1, BLANK_PAGES + 1))
    renders = scratch / "full"
    renders.mkdir()

    def full() -> None:
        for page in numbers:
            render_page(pdf, page=page, dpi=DPI, out_dir=renders, timeout_s=120).unlink()

    preview = _timed(lambda: blank_page_numbers(pdf, numbers, scratch, timeout_s=120))
    old = _timed(full)
    scans = scratch / "scans.pdf"
    scan_numbers = list(range(1, PAGES + 1))

    def scans_full() -> None:
        for page in scan_numbers:
            render_page(scans, page=page, dpi=DPI, out_dir=renders, timeout_s=120).unlink()

    scan_preview = _timed(lambda: blank_page_numbers(scans, scan_numbers, scratch,
                                                     timeout_s=120))
    scan_full = _timed(scans_full)
    return [Row(f"(f) {BLANK_PAGES} blank pages found", f"{preview[0]:.2f} s",
                f"each rendered at 300 dpi {old[0]:.1f} s", old[0] / preview[0],
                note="one 20 dpi pdftoppm run over the range"),
            Row(f"(f) the preview's cost on {PAGES} scanned pages", f"{scan_preview[0]:.2f} s",
                f"their 300 dpi renders {scan_full[0]:.2f} s",
                scan_full[0] / scan_preview[0],
                note="paid on pages that are not blank (OCR is 1-4 s a page on top)")]


def _left_running(name: str) -> int:
    """Our own descendants called `name` (other processes on the machine do not count)."""
    return sum(1 for process in psutil.Process().children(recursive=True)
               if process.name() == name)


def _timeout_rows(scratch: Path) -> list[Row]:
    pdf = nested_xobjects(scratch / "nested.pdf")
    before = _left_running("pdftoppm")
    started = time.perf_counter()
    with contextlib.suppress(TimeoutExceededError):
        render_page(pdf, page=1, dpi=DPI, out_dir=scratch, timeout_s=3)
    ours = time.perf_counter() - started
    ours_left = _left_running("pdftoppm") - before
    started = time.perf_counter()
    with contextlib.suppress(PDFPopplerTimeoutError):
        _with_pdf2image(pdf, scratch, 1, timeout=3)
    theirs = time.perf_counter() - started
    theirs_left = _left_running("pdftoppm") - before
    return [Row("(g) nested XObjects, 3 s timeout", f"stopped after {ours:.1f} s, "
                f"{ours_left} left", f"pdf2image {theirs:.1f} s, {theirs_left} left",
                note="pdf2image's pdfinfo and version runs have no timeout")]


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-pdf-pages-") as folder:
        scratch = Path(folder)
        return [*_render_rows(scratch), *_blank_rows(scratch), *_timeout_rows(scratch)]  # order:
        # _render_rows writes scans.pdf, which _blank_rows reads


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
