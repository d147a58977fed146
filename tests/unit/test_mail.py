"""E-mail through the real pipeline: headers in Japanese encodings become fields, the body is
the text, attachments become child documents read like any file."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import Message
from email.mime.text import MIMEText
from pathlib import Path

import pytest

from tests.archive_files import japanese_mail, write_msg, write_zip
from tests.fixtures.pdfs import born_digital
from worker.extraction.options import ExtractionOptions
from worker.extraction.pipeline import ExtractionOutcome, extract_or_record
from worker.extraction.sniff import sniff
from worker.models import SourceRef

OPTIONS = ExtractionOptions(thumbnails=False)


def run(path: Path) -> ExtractionOutcome:
    return extract_or_record(path, SourceRef(path=str(path)), OPTIONS)


def write_eml(path: Path, message: Message) -> Path:
    path.write_bytes(message.as_bytes())
    return path


@pytest.mark.parametrize(("subject_charset", "body_charset", "cte"), [
    ("iso-2022-jp", "iso-2022-jp", None),
    ("shift_jis", "shift_jis", "base64"),
    ("utf-8", "utf-8", "quoted-printable"),
    ("utf-8", "utf-8", "base64"),
])
def test_headers_and_body_in_japanese_encodings(tmp_path: Path, subject_charset: str,
                                                body_charset: str, cte: str | None) -> None:
    message = japanese_mail(subject_charset=subject_charset, body_charset=body_charset,
                            cte=cte)
    raw = message.as_bytes()
    assert "見積".encode() not in raw  # everything on the wire is encoded
    path = write_eml(tmp_path / "依頼.eml", message)
    outcome = run(path)
    data = outcome.document.to_dict()
    assert data["mime_type"] == "message/rfc822" and data["status"] == "complete"
    assert data["subject"] == "【見積依頼】第3四半期の部材について"
    assert data["from"] == "山田 太郎 <yamada@example.co.jp>"
    assert data["to"] == ["佐藤 花子 <sato@example.co.jp>"]
    assert data["date"] == "2024-10-01T00:30:00Z"
    assert "添付の見積書をご確認ください" in data["content"]
    assert data["title"] == data["subject"]
    assert outcome.children == ()


def test_an_html_only_mail_is_read_as_its_visible_text(tmp_path: Path) -> None:
    message = MIMEText("<html><body><p>納品書を<b>送付</b>します。</p><style>p{}</style>"
                       "</body></html>", "html", "utf-8")
    for name, value in japanese_mail().items():
        if name.lower() not in ("content-type", "content-transfer-encoding", "mime-version"):
            message[name] = value
    document = run(write_eml(tmp_path / "html.eml", message)).document
    assert "納品書を送付します。" in document.content and "<b>" not in document.content
    assert "p{}" not in document.content


def test_attachments_are_child_documents(tmp_path: Path) -> None:
    pdf = born_digital(tmp_path / "見積書.pdf", pages=1).read_bytes()
    archive = write_zip(tmp_path / "資料.zip", {"議事録.txt": "議事録 来週に延期".encode()},
                        cp932=True).read_bytes()
    message = japanese_mail({"見積書.pdf": (pdf, "application/pdf"),
                             "資料.zip": (archive, "application/zip")},
                            html="<p>添付の見積書をご確認ください</p>")
    outcome = run(write_eml(tmp_path / "見積依頼.eml", message))
    parent = outcome.document
    paths = {child.document.container_path: child.document for child in outcome.children}
    assert sorted(paths) == ["見積依頼.eml/見積書.pdf", "見積依頼.eml/資料.zip",
                             "見積依頼.eml/資料.zip/議事録.txt"]
    pdf_child = paths["見積依頼.eml/見積書.pdf"]
    assert (pdf_child.mime_type, pdf_child.status) == ("application/pdf", "complete")
    assert "見積" in pdf_child.content and pdf_child.parent_id == parent.id
    assert "延期" in paths["見積依頼.eml/資料.zip/議事録.txt"].content
    assert list(parent.children) == [pdf_child.id, paths["見積依頼.eml/資料.zip"].id]
    assert parent.content.count("添付の見積書をご確認ください") == 1  # text part, not also HTML


def test_an_attached_message_is_unpacked_in_turn(tmp_path: Path) -> None:
    inner = japanese_mail({"メモ.txt": ("転送された添付".encode(), "text/plain")})
    outer = japanese_mail(messages=[inner])  # message/rfc822
    outcome = run(write_eml(tmp_path / "転送.eml", outer))
    paths = {child.document.container_path: child.document for child in outcome.children}
    [attached] = [name for name in paths if name.endswith(".eml")]
    assert paths[attached].to_dict()["subject"] == "【見積依頼】第3四半期の部材について"
    assert "転送された添付" in paths[f"{attached}/メモ.txt"].content


def test_mail_is_told_apart_from_text_that_merely_has_colons(tmp_path: Path) -> None:
    note = tmp_path / "メモ.txt"
    note.write_text("件名: 会議\n日時: 明日\n\n本文です", encoding="utf-8")
    assert sniff(note).kind == "text"
    mail = write_eml(tmp_path / "a.eml", japanese_mail())
    assert sniff(mail).kind == "eml"


def test_outlook_msg_fields_body_and_attachments(tmp_path: Path) -> None:
    pdf = born_digital(tmp_path / "請求書.pdf", pages=1).read_bytes()
    path = write_msg(tmp_path / "請求書送付.msg", tmp_path / "msg", subject="請求書送付のご案内",
                     body="いつもお世話になっております。\r\n請求書を添付いたします。",
                     sender=("経理部 鈴木", "suzuki@example.co.jp"),
                     to="佐藤 花子; 田中 一郎",
                     sent=datetime(2024, 11, 5, 1, 2, 3, tzinfo=UTC),
                     attachments={"請求書.pdf": pdf, "メモ.txt": "支払期限は月末".encode()})
    assert sniff(path).kind == "msg"
    outcome = run(path)
    data = outcome.document.to_dict()
    assert (data["status"], data["mime_type"]) == ("complete", "application/vnd.ms-outlook")
    assert data["subject"] == "請求書送付のご案内"
    assert data["from"] == "経理部 鈴木 <suzuki@example.co.jp>"
    assert data["to"] == ["佐藤 花子", "田中 一郎"]
    assert data["date"] == "2024-11-05T01:02:03Z"
    assert "請求書を添付いたします" in data["content"]
    children = {child.document.file_name: child.document for child in outcome.children}
    assert sorted(children) == ["メモ.txt", "請求書.pdf"]
    assert children["請求書.pdf"].mime_type == "application/pdf"
    assert "支払期限は月末" in children["メモ.txt"].content
    assert children["請求書.pdf"].container_path == "請求書送付.msg/請求書.pdf"


def test_attachment_names_as_encoded_words(tmp_path: Path) -> None:
    message = japanese_mail({"発注書.txt": ("発注内容の確認".encode(), "text/plain")},
                            encoded_word_names=True)
    assert b"=?ISO-2022-JP?" in message.as_bytes()
    [child] = run(write_eml(tmp_path / "発注.eml", message)).children
    assert child.document.file_name == "発注書.txt"
    assert "発注内容の確認" in child.document.content


def test_an_ansi_outlook_msg_in_code_page_932(tmp_path: Path) -> None:
    path = write_msg(tmp_path / "旧形式.msg", tmp_path / "msg", subject="納品書の件（旧形式）",
                     body="納品書を送付します。①②③",
                     sender=("営業部 高橋", "takahashi@example.co.jp"),
                     to="佐藤 花子", sent=datetime(2010, 3, 1, tzinfo=UTC),
                     attachments={"納品書.txt": "納品書 第１号".encode("cp932")},
                     ansi_codepage=932)
    data = run(path).document.to_dict()
    assert data["subject"] == "納品書の件（旧形式）"
    assert "①②③" in data["content"]  # CP932, not strict Shift_JIS
    assert data["from"] == "営業部 高橋 <takahashi@example.co.jp>"
