"""Bad PDFs get the right error class and a clear reason (real poppler, real qpdf)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.japanese_pages import HORIZONTAL_LINES
from tests.fixtures.pdfs import born_digital, encrypt
from worker.errors import CorruptFileError, EmptyFileError, EncryptedFileError, PermanentError
from worker.extraction.options import ExtractionOptions
from worker.extraction.pdf.reader import extract_pdf

OPTIONS = ExtractionOptions()


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return born_digital(tmp_path_factory.mktemp("bad") / "good.pdf", pages=2)


def test_empty_file_is_an_empty_file_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")

    with pytest.raises(EmptyFileError, match="empty"):
        extract_pdf(empty, OPTIONS)


@pytest.mark.parametrize("keep", [0.1, 0.5])
def test_truncated_pdf_is_corrupt(good_pdf: Path, tmp_path: Path, keep: float) -> None:
    data = good_pdf.read_bytes()
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(data[: int(len(data) * keep)])

    with pytest.raises(CorruptFileError, match="poppler cannot read the PDF") as caught:
        extract_pdf(truncated, OPTIONS)

    assert isinstance(caught.value, PermanentError) and not caught.value.retryable


def test_pdf_with_a_user_password_is_refused_as_encrypted(good_pdf: Path, tmp_path: Path) -> None:
    locked = encrypt(good_pdf, tmp_path / "locked.pdf", user_password="secret")

    with pytest.raises(EncryptedFileError, match="user password"):
        extract_pdf(locked, OPTIONS)


def test_pdf_with_an_empty_user_password_opens_and_is_read(good_pdf: Path,
                                                          tmp_path: Path) -> None:
    owner_only = encrypt(good_pdf, tmp_path / "owner-only.pdf", user_password="")

    extracted = extract_pdf(owner_only, OPTIONS)

    assert [page.method for page in extracted.pages] == ["text-layer", "text-layer"]
    assert extracted.pages[0].text.startswith(HORIZONTAL_LINES[0])


def test_bytes_that_are_not_a_pdf_are_corrupt(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)

    with pytest.raises(CorruptFileError):
        extract_pdf(junk, OPTIONS)
