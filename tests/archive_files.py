"""Archive and mail fixtures, made by real writers: the standard library's zipfile, tarfile
and email packages, Info-ZIP `zip` (encrypted members), 7-Zip, gcab, and libgsf's
`gsf createole` (the OLE2 container of an Outlook .msg)."""

from __future__ import annotations

import base64
import io
import quopri
import shutil
import struct
import subprocess
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from email import base64mime, encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

JST = timezone(timedelta(hours=9))
MAIL_SUBJECT = "【見積依頼】第3四半期の部材について"
MAIL_BODY = "佐藤様\n\nいつもお世話になっております。\n添付の見積書をご確認ください。\n\n山田"


class Cp932ZipInfo(zipfile.ZipInfo):
    """A member named in CP932 without the UTF-8 flag (bit 11), as Japanese Windows'
    Explorer and Lhaplus write them: zipfile itself would write UTF-8 with the flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("cp932"), self.flag_bits & ~0x800


class RawNameZipInfo(zipfile.ZipInfo):
    """A member whose name bytes are given as is (NUL, '..', absolute): hostile names."""

    raw_name = b""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.raw_name, self.flag_bits & ~0x800


def write_zip(path: Path, members: Mapping[str, bytes], cp932: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = Cp932ZipInfo(name) if cp932 else zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def write_raw_name_zip(path: Path, members: Mapping[bytes, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for raw, data in members.items():
            info = RawNameZipInfo(raw.decode("latin-1").replace("\x00", "_"))
            info.raw_name = raw
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def write_tar(path: Path, members: Mapping[str, bytes], mode: str = "w",
              encoding: str = "utf-8") -> Path:
    # PAX (the default) stores non-ASCII names as UTF-8; the GNU format writes the bytes of
    # `encoding`, as tar on Japanese Windows does.
    tar_format = tarfile.PAX_FORMAT if encoding == "utf-8" else tarfile.GNU_FORMAT
    with tarfile.open(path, mode, encoding=encoding, format=tar_format) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def encrypted_zip(path: Path, folder: Path, members: Mapping[str, bytes],
                  password: str = "himitsu") -> Path:
    """Info-ZIP `zip -e`: members with traditional PKWARE encryption."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in members.items():
        (folder / name).write_bytes(data)
    subprocess.run(["zip", "-q", "-P", password, str(path.resolve()), *members], cwd=folder,
                   check=True)
    return path


def seven_zip(path: Path, folder: Path) -> Path:
    """A real 7z archive of the files in `folder` (7-Zip)."""
    subprocess.run(["7z", "a", "-bd", "-y", str(path.resolve()), "."], cwd=folder, check=True,
                   capture_output=True)
    return path


def cabinet(path: Path, file: Path) -> Path:
    subprocess.run(["gcab", "-c", "-n", str(path), str(file)], check=True, capture_output=True)
    return path


_CODECS = {"shift_jis": "cp932", "iso-2022-jp": "iso2022_jp", "utf-8": "utf-8"}


def encoded_word(text: str, charset: str) -> str:
    """An RFC 2047 encoded word in exactly `charset` (email.header.Header would turn
    Shift_JIS into ISO-2022-JP)."""
    return base64mime.header_encode(text.encode(_CODECS[charset]), charset.upper())


def text_part(text: str, charset: str, cte: str | None) -> Message:
    """A text/plain part whose bytes are `charset`, transfer-encoded by `cte`."""
    data = text.encode(_CODECS[charset])
    part = MIMENonMultipart("text", "plain", charset=charset)
    if cte == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        cte = "7bit"
        part.set_payload(data.decode("ascii"))  # ISO-2022-JP is 7-bit
    part["Content-Transfer-Encoding"] = cte
    return part


def japanese_mail(attachments: Mapping[str, tuple[bytes, str]] | None = None,
                  subject_charset: str = "iso-2022-jp", body_charset: str = "iso-2022-jp",
                  cte: str | None = None, html: str | None = None,
                  messages: Sequence[Message] = (),
                  encoded_word_names: bool = False) -> Message:
    """An e-mail as Japanese mailers write it (the standard library's email.mime writer):
    encoded-word headers in `subject_charset`, the body in `body_charset` (7bit, or
    quoted-printable / base64 by `cte`), an optional HTML alternative, attachments
    (name → (bytes, MIME type)) with RFC 2231 names, and attached messages."""
    body: Message = text_part(MAIL_BODY, body_charset, cte)
    if html is not None:
        body = MIMEMultipart("alternative", _subparts=[body, MIMEText(html, "html", "utf-8")])
    message = body
    if attachments or messages:
        message = MIMEMultipart("mixed", _subparts=[body])
        for name, (data, mime) in (attachments or {}).items():
            part = MIMEBase(*mime.split("/", 1))
            part.set_payload(data)
            encoders.encode_base64(part)
            if encoded_word_names:  # as many Japanese mailers write them (not RFC 2231)
                part.add_header("Content-Disposition", "attachment",
                                filename=encoded_word(name, "iso-2022-jp"))
            else:
                part.add_header("Content-Disposition", "attachment",
                                filename=("utf-8", "", name))
            message.attach(part)
        for attached in messages:
            message.attach(MIMEMessage(attached))
    message["Subject"] = encoded_word(MAIL_SUBJECT, subject_charset)
    message["From"] = formataddr(("山田 太郎", "yamada@example.co.jp"), charset="iso-2022-jp")
    message["To"] = formataddr(("佐藤 花子", "sato@example.co.jp"), charset="iso-2022-jp")
    message["Date"] = format_datetime(datetime(2024, 10, 1, 9, 30, tzinfo=JST))
    message["Message-ID"] = "<20241001093000.1234@example.co.jp>"
    if "MIME-Version" not in message:
        message["MIME-Version"] = "1.0"
    return message


def write_msg(path: Path, work: Path, subject: str, body: str, sender: tuple[str, str],
              to: str, sent: datetime, attachments: Mapping[str, bytes],
              ansi_codepage: int | None = None) -> Path:
    """An Outlook .msg: MAPI property streams (MS-OXMSG) written as files and packed into an
    OLE2 compound file by libgsf's `gsf createole`. No maintained .msg writer exists on
    PyPI or in Debian (extract-msg, olefile and msg-parser only read), so the property
    layout is ours; the container is a real writer's."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    filetime = int((sent - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10**7)

    def unicode(folder: Path, prop: int, text: str) -> None:
        if ansi_codepage is None:  # PT_UNICODE, as Outlook 2003 and later write
            (folder / f"__substg1.0_{prop:04X}001F").write_bytes(text.encode("utf-16-le"))
        else:  # PT_STRING8 in the message's code page (older, "ANSI" messages)
            data = text.encode(f"cp{ansi_codepage}")
            (folder / f"__substg1.0_{prop:04X}001E").write_bytes(data)

    unicode(work, 0x0037, subject)
    unicode(work, 0x0C1A, sender[0])
    unicode(work, 0x5D01, sender[1])
    unicode(work, 0x0E04, to)
    unicode(work, 0x1000, body)
    fixed = struct.pack("<HHIQ", 0x0040, 0x0039, 6, filetime)
    if ansi_codepage is not None:  # PR_MESSAGE_CODEPAGE, PT_LONG
        fixed += struct.pack("<HHIQ", 0x0003, 0x3FFD, 6, ansi_codepage)
    (work / "__properties_version1.0").write_bytes(b"\x00" * 32 + fixed)
    for index, (name, data) in enumerate(attachments.items()):
        folder = work / f"__attach_version1.0_#{index:08X}"
        folder.mkdir()
        unicode(folder, 0x3707, name)
        (folder / "__substg1.0_37010102").write_bytes(data)
        (folder / "__properties_version1.0").write_bytes(b"\x00" * 8)
    entries = sorted(entry.name for entry in work.iterdir())
    subprocess.run(["gsf", "createole", str(path.resolve()), *entries], cwd=work, check=True,
                   capture_output=True)
    return path
