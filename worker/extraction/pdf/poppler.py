"""The one caller of poppler's programs: pdfinfo, pdffonts, pdftotext, pdfimages, pdftoppm.

Each function builds one command, runs it with a timeout (the child tree is killed past it)
and turns poppler's failures into our exceptions: a user password → EncryptedFileError, a
file poppler cannot parse → CorruptFileError, a run past its timeout → TimeoutExceededError,
poppler not installed → MissingProgramError. Pages are rendered one at a time to a PGM file
(grayscale, never PNG), so memory does not grow with the page count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from worker.errors import CorruptFileError, EncryptedFileError, TimeoutExceededError
from worker.extraction.programs import Finished, ProgramTimedOut, run_program

_PAGE_SIZE = re.compile(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", re.MULTILINE)
_PASSWORD_SIGNS = ("Incorrect password",)


@dataclass(frozen=True)
class PdfInfo:
    page_count: int
    encrypted: bool
    title: str | None
    page_sizes_pt: tuple[tuple[float, float], ...]  # (width, height) of the pages asked for


@dataclass(frozen=True)
class PdfFont:
    name: str
    font_type: str
    encoding: str
    to_unicode: bool
    subset: bool = False

    @property
    def unmapped_subset(self) -> bool:
        """A simple TrueType subset without ToUnicode: its codes are the subset's own. Some
        writers keep ASCII codes as they are (English survives) and give every other glyph
        a code of their own, which comes out as nothing or as stray symbols."""
        return self.font_type == "TrueType" and self.subset and not self.to_unicode

    @property
    def unmapped_cid(self) -> bool:
        """A CID font without ToUnicode whose CMap is Identity-H/V or embedded ("Custom",
        as fpdf2 writes OpenType/CFF fonts such as Noto CJK): its text comes out as glyph
        numbers. A predefined CMap (UniJIS-UCS2-H, 90ms-RKSJ-H) maps through Adobe-Japan1."""
        unmapped = self.encoding.startswith("Identity") or (
            self.font_type.startswith("CID") and self.encoding == "Custom")
        return unmapped and not self.to_unicode


@dataclass(frozen=True)
class PdfImage:
    width: int
    height: int
    x_ppi: float
    y_ppi: float

    @property
    def area_sq_in(self) -> float:
        if self.x_ppi <= 0 or self.y_ppi <= 0:
            return 0.0
        return (self.width / self.x_ppi) * (self.height / self.y_ppi)


def _file(path: Path) -> str:
    """The PDF as an absolute path: a relative name like "-h.pdf" would read as an option."""
    return str(path.absolute())


def _run(argv: list[str], what: str, timeout_s: float) -> Finished:
    try:
        finished = run_program(argv, timeout_s=timeout_s)
    except ProgramTimedOut as exc:
        raise TimeoutExceededError(f"{what} stopped after {exc.timeout_s:.0f} s") from None
    if finished.returncode != 0:
        reason = finished.error_text
        if any(sign in reason for sign in _PASSWORD_SIGNS):
            raise EncryptedFileError(
                "the PDF is encrypted with a user password and cannot be opened without it")
        raise CorruptFileError(f"{what}: poppler cannot read the PDF ({reason})")
    return finished


def pdf_info(path: Path, *, last_page: int, timeout_s: float) -> PdfInfo:
    """Page count, encryption, title, and the sizes of pages 1..last_page."""
    out = _run(["pdfinfo", "-enc", "UTF-8", "-f", "1", "-l", str(max(1, last_page)), _file(path)],
               "pdfinfo", timeout_s).stdout.decode("utf-8", "replace")
    fields: dict[str, str] = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep and not key.startswith("Page "):
            fields.setdefault(key.strip(), value.strip())
    try:
        page_count = int(fields["Pages"])
    except (KeyError, ValueError):
        raise CorruptFileError("pdfinfo: the PDF has no readable page count") from None
    sizes = tuple((float(w), float(h)) for _, w, h in _PAGE_SIZE.findall(out))
    return PdfInfo(page_count, fields.get("Encrypted", "no").startswith("yes"),
                   fields.get("Title") or None, sizes)


def pdf_fonts(path: Path, *, first: int, last: int, timeout_s: float) -> list[PdfFont]:
    """The fonts used on pages first..last (pdffonts' table, split at its dashed rule)."""
    out = _run(["pdffonts", "-f", str(first), "-l", str(last), _file(path)], "pdffonts",
               timeout_s).stdout.decode("utf-8", "replace").splitlines()
    if len(out) < 2:
        return []
    spans = [(match.start(), match.end()) for match in re.finditer(r"-+", out[1])]
    fonts = []
    for line in out[2:]:
        cells = [line[start:end + 1].strip() for start, end in spans]
        if len(cells) >= 6:
            fonts.append(PdfFont(cells[0], cells[1], cells[2], cells[5] == "yes",
                                 subset=cells[4] == "yes"))
    return fonts


def pdf_text(path: Path, *, first: int, last: int, timeout_s: float) -> list[str]:
    """The text layer of pages first..last, one string per page (reading order, UTF-8)."""
    out = _run(["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last), _file(path), "-"],
               "pdftotext", timeout_s).stdout.decode("utf-8", "replace")
    pages = out.split("\f")
    wanted = last - first + 1
    return (pages + [""] * wanted)[:wanted]


def pdf_images(path: Path, *, first: int, last: int,
               timeout_s: float) -> dict[int, list[PdfImage]]:
    """The images drawn on pages first..last, by page, with their placed resolution.

    One run for the whole range: each pdfimages run parses the document again, so a run
    per page would make a long PDF of short pages quadratic.
    """
    out = _run(["pdfimages", "-list", "-f", str(first), "-l", str(last), _file(path)],
               "pdfimages", timeout_s).stdout.decode("utf-8", "replace").splitlines()
    images: dict[int, list[PdfImage]] = {}
    for line in out[2:]:
        cells = line.split()
        if len(cells) >= 14 and cells[2] == "image":
            image = PdfImage(int(cells[3]), int(cells[4]), float(cells[12]), float(cells[13]))
            images.setdefault(int(cells[0]), []).append(image)
    return images


def render_page(path: Path, *, page: int, dpi: int, out_dir: Path, timeout_s: float,
                crop: tuple[int, int, int, int] | None = None) -> Path:
    """Render one page, grayscale, at `dpi` to a PGM file in out_dir; return its path.

    `crop` (x, y, width, height in pixels at `dpi`) renders only that part of the page: a
    tile of a page too large to render whole at a legible resolution.
    """
    root = out_dir / (f"page-{page}" if crop is None else f"page-{page}-{crop[0]}-{crop[1]}")
    area = [] if crop is None else ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]),
                                    "-H", str(crop[3])]
    _run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), *area, "-gray",
          "-singlefile", _file(path), str(root)], f"pdftoppm page {page}", timeout_s)
    rendered = root.with_suffix(".pgm")
    if not rendered.is_file():
        raise CorruptFileError(f"pdftoppm rendered nothing for page {page}")
    return rendered


def render_previews(path: Path, *, first: int, last: int, dpi: int, out_dir: Path,
                    timeout_s: float) -> dict[int, Path]:
    """Pages first..last at a low `dpi` in one pdftoppm run (one parse of the document):
    cheap pictures to tell blank pages and where a huge page has room to be cut."""
    root = out_dir / "preview"
    _run(["pdftoppm", "-f", str(first), "-l", str(last), "-r", str(dpi), "-gray", _file(path),
          str(root)], f"pdftoppm previews {first}-{last}", timeout_s)
    pages: dict[int, Path] = {}
    for rendered in out_dir.glob("preview-*.pgm"):
        number = rendered.stem.rpartition("-")[2]
        if number.isdigit():
            pages[int(number)] = rendered
    return pages


def render_thumbnail(path: Path, *, size: int, timeout_s: float) -> bytes:
    """The first page as a JPEG whose long side is `size`, rendered straight at that scale."""
    return _run(["pdftoppm", "-f", "1", "-l", "1", "-scale-to", str(size), "-jpeg",
                 "-jpegopt", "quality=80", "-singlefile", _file(path)], "pdftoppm thumbnail",
                timeout_s).stdout
