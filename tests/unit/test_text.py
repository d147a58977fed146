"""Text files in every Japanese encoding round-trip to the right text, and say which one."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from worker.errors import UnsupportedFileError
from worker.extraction.options import ExtractionOptions
from worker.extraction.sniff import sniff
from worker.extraction.text import reader as text_module
from worker.extraction.text.encoding import detect_encoding, japanese_score
from worker.extraction.text.reader import extract_text

INVOICE = ("請求書\n株式会社サンプル　御中\n"
           "品名,数量,金額\nノートパソコン,2,￥300,000\n合計金額：３３０，０００円（税込）\n")
OPTIONS = ExtractionOptions()


def _extract(path: Path) -> tuple[str, str | None]:
    extracted = extract_text(path, sniff(path), OPTIONS)
    return extracted.pages[0].text, extracted.encoding


@pytest.mark.parametrize(("data", "expected_encoding"), [
    (INVOICE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + INVOICE.encode("utf-8"), "utf-8-sig"),
    (INVOICE.encode("utf-16"), "utf-16"),  # with BOM
    (codecs.BOM_UTF16_BE + INVOICE.encode("utf-16-be"), "utf-16"),
    (INVOICE.encode("utf-16-le"), "utf-16-le"),  # no BOM
    (INVOICE.encode("utf-16-be"), "utf-16-be"),  # no BOM
    (INVOICE.encode("cp932"), "cp932"),
    (INVOICE.encode("euc-jp"), "euc-jp"),
    (INVOICE.encode("iso-2022-jp"), "iso-2022-jp"),
], ids=["utf8", "utf8-bom", "utf16-bom-le", "utf16-bom-be", "utf16le", "utf16be", "cp932",
        "euc-jp", "iso-2022-jp"])
def test_each_encoding_round_trips(tmp_path: Path, data: bytes,
                                   expected_encoding: str) -> None:
    path = tmp_path / "請求書.csv"
    path.write_bytes(data)
    text, encoding = _extract(path)
    assert text == INVOICE
    assert encoding == expected_encoding


@pytest.mark.parametrize("word", ["議事録", "見積", "こんにちは", "東京都千代田区", "カタカナ"])
def test_short_japanese_is_not_mislabelled(word: str) -> None:
    # Generic detectors guess Cyrillic or Chinese code pages for a few bytes like these.
    assert detect_encoding(word.encode("cp932")) == "cp932"
    assert detect_encoding(word.encode("euc-jp")) == "euc-jp"


def test_cp932_only_characters_and_crlf() -> None:
    data = "①②　髙橋様　№１２\r\n".encode("cp932")  # NEC/IBM extensions: not in Shift_JIS
    assert detect_encoding(data) == "cp932"


def test_euc_jp_read_as_cp932_scores_lower() -> None:
    euc = "会議の議事録を送付します".encode("euc-jp")
    assert japanese_score(euc.decode("euc-jp")) > japanese_score(euc.decode("cp932", "replace"))


def test_truncated_sample_is_still_recognised() -> None:
    data = INVOICE.encode("utf-8")
    cut = data[:5]  # in the middle of a three-byte character
    assert detect_encoding(cut, final=False) == "utf-8"


def test_binary_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(UnsupportedFileError, match="neither text"):
        extract_text(path, sniff(path), OPTIONS)


def test_html_visible_text_title_and_declared_charset(tmp_path: Path) -> None:
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
            "<title>お知らせ｜総務部</title><style>p{color:red}</style>"
            "<script>var hidden = '見えない';</script></head>"
            "<body><h1>年末年始の休業</h1><p>12月29日から<b>1月3日</b>まで&amp;休業します。</p>"
            "<table><tr><td>東京</td><td>休業</td></tr></table></body></html>")
    path = tmp_path / "notice.html"
    path.write_bytes(html.encode("cp932"))
    extracted = extract_text(path, sniff(path), OPTIONS)
    assert extracted.title == "お知らせ｜総務部"
    assert extracted.encoding == "cp932"
    assert extracted.pages[0].text == \
        "年末年始の休業\n12月29日から1月3日まで&休業します。\n東京 休業"
    assert "見えない" not in extracted.pages[0].text and "color" not in extracted.pages[0].text


def test_markdown_title_from_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "手順.md"
    path.write_text("前書き\n\n## 経費精算の手順 ##\n\n1. 申請する\n", encoding="utf-8")
    extracted = extract_text(path, sniff(path), OPTIONS)
    assert extracted.title == "経費精算の手順"


def test_past_the_size_cap_the_document_is_partial(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module, "MAX_TEXT_BYTES", 64)
    path = tmp_path / "long.txt"
    path.write_bytes(("あ" * 100).encode("utf-8"))
    extracted = extract_text(path, sniff(path), OPTIONS)
    assert extracted.status == "partial"
    assert "first 64 of 300 bytes" in (extracted.reason or "")
    assert extracted.pages[0].text == "あ" * 21  # the cut character is dropped, not garbled


def test_japanese_after_a_long_ascii_start_is_not_read_as_utf8(tmp_path: Path) -> None:
    """Sniffing sees only ASCII (utf-8); the whole file is CP932: it must be detected again."""
    path = tmp_path / "log.csv"
    tail = "取引先,株式会社みなと商事\n"
    path.write_bytes(b"id,name\n" * 10_000 + tail.encode("cp932"))
    file_type = sniff(path)
    assert file_type.encoding_hint == "utf-8"

    extracted = extract_text(path, file_type, ExtractionOptions())

    assert extracted.encoding == "cp932"
    assert extracted.pages[0].text.endswith(tail)
