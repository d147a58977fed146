"""Legacy Office, RTF and OpenDocument with Japanese, made and read by real LibreOffice.

The documents come from tests/fixtures/office_documents.py: python-docx/openpyxl/
python-pptx/odfpy sources, converted by `soffice` into .doc/.xls/.ppt/.rtf/.ods/.odp.
Password-protected files are stored by LibreOffice over UNO (tests/fixtures/uno_store.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.files import truncated
from tests.fixtures.office_documents import (
    EXPECTED,
    SHEET_SALES,
    SHEET_STAFF,
    SLIDES,
    WORD_FOOTNOTE,
    WORD_HEADER,
    WORD_TEXT_BOX,
    char_recall,
    soffice_convert,
)
from worker.errors import CorruptFileError, EncryptedFileError
from worker.extraction.office import libreoffice
from worker.extraction.office.legacy import extract_legacy
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import extract, extract_or_record
from worker.extraction.sniff import sniff
from worker.models import SourceRef

pytestmark = pytest.mark.integration
OPTIONS = ExtractionOptions(thumbnails=False)
UNO_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "uno_store.py"
KINDS = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
         "ppt": "application/vnd.ms-powerpoint", "rtf": "application/rtf",
         "rtf-cp932": "application/rtf",
         "odt": "application/vnd.oasis.opendocument.text",
         "ods": "application/vnd.oasis.opendocument.spreadsheet",
         "odp": "application/vnd.oasis.opendocument.presentation"}


def _read(path: Path) -> tuple[str, list[str], str]:
    document = extract(path, SourceRef(path=str(path)), OPTIONS).document
    assert document.status == "complete", document.reason
    return document.mime_type, [page.text for page in document.pages], document.content


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_format_is_sniffed_by_content_and_read_whole(
        office_documents: dict[str, Path], name: str, tmp_path: Path) -> None:
    renamed = tmp_path / "名前に拡張子なし"  # the name says nothing: the bytes decide
    renamed.write_bytes(office_documents[name].read_bytes())
    assert sniff(renamed).mime_type == KINDS[name]
    mime, _pages, content = _read(renamed)
    assert mime == KINDS[name]
    assert char_recall(EXPECTED[name], content) == 1.0, content


@pytest.mark.parametrize("name", ["doc", "rtf", "odt"])
def test_word_documents_keep_header_footnote_text_box_and_table_rows(
        office_documents: dict[str, Path], name: str) -> None:
    _mime, pages, content = _read(office_documents[name])
    assert len(pages) == 1
    lines = content.splitlines()
    assert lines[0] == WORD_HEADER
    assert "株式会社みなと物産\t横浜市中区\t渡辺" in lines  # a table row, cells by tab
    assert WORD_FOOTNOTE in lines and WORD_TEXT_BOX in lines


@pytest.mark.parametrize("name", ["xls", "ods"])
def test_workbooks_give_a_page_per_sheet_with_numbers_as_shown(
        office_documents: dict[str, Path], name: str) -> None:
    _mime, pages, _content = _read(office_documents[name])
    assert [page.splitlines()[0] for page in pages] == [SHEET_SALES, SHEET_STAFF]
    assert "2024/4/3\t株式会社みなと商事\t¥296,000" in pages[0].splitlines()
    assert "2024/5/7\t有限会社ひかり電機\t△¥39,800" in pages[0].splitlines()


@pytest.mark.parametrize("name", ["ppt", "odp"])
def test_presentations_give_a_page_per_slide_with_its_notes(
        office_documents: dict[str, Path], name: str) -> None:
    _mime, pages, _content = _read(office_documents[name])
    assert len(pages) == len(SLIDES)
    for page, (title, body, notes) in zip(pages, SLIDES, strict=True):
        assert page.splitlines() == [title, body, notes]  # no "<number>" field text


def test_rtf_in_code_page_932_escapes_is_decoded(office_documents: dict[str, Path]) -> None:
    raw = office_documents["rtf-cp932"].read_bytes()
    assert raw.isascii() and b"\\'" in raw  # the Japanese exists only as \'xx escapes
    _mime, _pages, content = _read(office_documents["rtf-cp932"])
    assert content.splitlines()[0] == "稟議書：新規取引先の登録について"
    assert WORD_FOOTNOTE in content  # the \upr group


def test_legacy_conversion_is_timed(office_documents: dict[str, Path]) -> None:
    document = extract(office_documents["xls"], SourceRef(path="売上.xls"), OPTIONS).document
    assert document.timings_ms is not None and document.timings_ms["convert"] > 0


@pytest.fixture(scope="module")
def encrypted(office_documents: dict[str, Path],
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """.doc and .xls saved with a password by LibreOffice itself (its PowerPoint 97 export
    has no password option); a .docx encrypted by msoffcrypto-tool (ECMA-376 agile)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = tmp_path_factory.mktemp("encrypted")
    jobs = (("MS Word 97", ".doc", "odt"), ("MS Excel 97", ".xls", "xlsx"))
    files = {".docx": out / "秘密.docx"}
    with office_documents["docx"].open("rb") as plain, files[".docx"].open("wb") as secret:
        OOXMLFile(plain).encrypt("秘密", secret)
    for export_filter, suffix, source in jobs:
        subprocess.run(["/usr/bin/python3", str(UNO_STORE), export_filter, suffix, str(out),
                        "--password", "秘密", str(office_documents[source])],
                       check=True, capture_output=True, timeout=300)
        files[suffix] = out / (office_documents[source].stem + suffix)
    return files


@pytest.mark.parametrize("suffix", [".doc", ".xls", ".docx"])
def test_password_protected_office_files_are_permanent_encrypted(
        encrypted: dict[str, Path], suffix: str) -> None:
    path = encrypted[suffix]
    document = extract_or_record(path, SourceRef(path=str(path)), OPTIONS).document
    assert (document.status, document.error_class, document.error_code) == \
        ("failed", "permanent", "encrypted")
    assert "password" in (document.reason or "")


def test_truncated_legacy_file_is_a_permanent_failure(office_documents: dict[str, Path],
                                                      tmp_path: Path) -> None:
    broken = truncated(office_documents["ppt"], tmp_path / "壊れた.ppt", 0.3)
    document = extract_or_record(broken, SourceRef(path=str(broken)), OPTIONS).document
    assert (document.status, document.error_class) == ("failed", "permanent")
    assert document.reason


def test_a_conversion_past_its_time_is_stopped_and_permanent(
        office_documents: dict[str, Path]) -> None:
    with pytest.raises(CorruptFileError, match="ran longer than"):
        extract_legacy(office_documents["doc"], "doc", ExtractionOptions(file_budget_s=0.05))


def test_converter_runs_with_limits_and_a_private_profile(tmp_path: Path) -> None:
    argv = libreoffice.command(tmp_path / "source.doc", tmp_path / "out", "docx", tmp_path)
    assert argv[:2] == ["prlimit", f"--as={libreoffice.MEMORY_LIMIT_BYTES}"]
    assert f"-env:UserInstallation={tmp_path.as_uri()}" in argv
    env = libreoffice._environment(tmp_path, tmp_path)
    assert env["HOME"] == str(tmp_path) and env["http_proxy"].startswith("http://127.0.0.1")
    assert "AWS_ACCESS_KEY_ID" not in env


def test_encrypted_check_runs_before_conversion(encrypted: dict[str, Path]) -> None:
    with pytest.raises(EncryptedFileError):
        extract_legacy(encrypted[".xls"], "xls", OPTIONS)


def test_a_linked_picture_is_not_fetched_during_conversion(tmp_path: Path) -> None:
    """A document whose picture is a link to a web server: plain `soffice --convert-to`
    fetches it (the control), the worker's converter does not (dead proxies, links off)."""
    import http.server
    import threading

    from odf import draw, text
    from odf.opendocument import OpenDocumentText

    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        document = OpenDocumentText()
        paragraph = text.P(text="東京本社")
        frame = draw.Frame(width="3cm", height="3cm", anchortype="paragraph")
        frame.addElement(draw.Image(href=f"http://127.0.0.1:{server.server_port}/logo.png",
                                    type="simple", show="embed", actuate="onLoad"))
        paragraph.addElement(frame)
        document.text.addElement(paragraph)
        linked = tmp_path / "linked.odt"
        document.save(str(linked))
        soffice_convert(linked, ".docx", tmp_path / "plain")
        assert requests == ["/logo.png"]  # the control: this input does make a request
        requests.clear()
        (tmp_path / "work").mkdir()
        converted = libreoffice.convert_to_ooxml(linked, "doc", tmp_path / "work", 300)
    finally:
        server.shutdown()
    assert converted.stat().st_size > 0
    assert requests == []


@pytest.mark.parametrize("name", ["ods", "odp"])
def test_opendocument_preview_becomes_the_thumbnail(office_documents: dict[str, Path],
                                                    name: str) -> None:
    import io

    from PIL import Image

    path = office_documents[name]
    outcome = extract(path, SourceRef(path=str(path)), ExtractionOptions())
    assert outcome.thumbnail_jpeg is not None
    with Image.open(io.BytesIO(outcome.thumbnail_jpeg)) as picture:
        assert picture.format == "JPEG" and max(picture.size) <= 320
