"""Outlook messages (.msg, MS-OXMSG): headers as fields, body as text, attachments as members.

A .msg is an OLE2 compound file of MAPI properties: each variable-size property is a stream
`__substg1.0_<id><type>` (type 001F UTF-16LE, 001E 8-bit in the message's code page, 0102
binary), fixed-size ones (the dates, the code page) sit in `__properties_version1.0`.
Attachments are storages `__attach_version1.0_#N`, recipients `__recip_version1.0_#N`.

Read with olefile (BSD, pure Python, the long-standing OLE2 reader of oletools) rather than
extract-msg, which is GPL-3.0 and pulls a dozen dependencies for features (RTF
de-encapsulation, signed mail) we do not use. The body is PR_BODY, else PR_BODY_HTML reduced
to text; an attached Outlook item (embedded message storage) is reported, not unpacked.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from worker.errors import CorruptFileError, UnsupportedFileError
from worker.extraction.archives.members import ContainerBudget, Member, Unpacking, clean_path
from worker.extraction.mail.common import attachment_saver, mail_page
from worker.extraction.result import Extracted
from worker.models import MailHeaders, utc_timestamp

SUBJECT, SENDER_NAME, SENDER_EMAIL, SENDER_SMTP = 0x0037, 0x0C1A, 0x0C1F, 0x5D01
DISPLAY_TO, DISPLAY_CC, BODY, BODY_HTML = 0x0E04, 0x0E03, 0x1000, 0x1013
SUBMIT_TIME, DELIVERY_TIME, CODEPAGE, INTERNET_CPID = 0x0039, 0x0E06, 0x3FFD, 0x3FDE
ATTACH_LONG_NAME, ATTACH_NAME, ATTACH_DATA, DISPLAY_NAME = 0x3707, 0x3704, 0x3701, 0x3001
_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


class _Storage:
    """The properties of one storage (the message, an attachment) of the .msg."""

    def __init__(self, ole: Any, prefix: list[str], header_bytes: int) -> None:
        self._ole, self._prefix = ole, prefix
        self.fixed = self._fixed_properties(header_bytes)
        codepage = self.fixed.get(CODEPAGE) or self.fixed.get(INTERNET_CPID)
        self.codepage = f"cp{codepage}" if isinstance(codepage, int) and codepage else None

    def _stream(self, name: str) -> bytes | None:
        path = [*self._prefix, name]
        if not self._ole.exists("/".join(path)):
            return None
        data: bytes = self._ole.openstream(path).read()
        return data

    def _fixed_properties(self, header_bytes: int) -> dict[int, int]:
        data = self._stream("__properties_version1.0") or b""
        values: dict[int, int] = {}
        for offset in range(header_bytes, len(data) - 15, 16):
            kind, prop, _flags, value = struct.unpack_from("<HHIQ", data, offset)
            if kind in (0x0003, 0x0040):  # PT_LONG, PT_SYSTIME
                values[prop] = value & 0xFFFFFFFF if kind == 0x0003 else value
        return values

    def text(self, prop: int) -> str | None:
        unicode = self._stream(f"__substg1.0_{prop:04X}001F")
        if unicode is not None:
            return unicode.decode("utf-16-le", "replace").rstrip("\x00") or None
        narrow = self._stream(f"__substg1.0_{prop:04X}001E")
        if narrow is None:
            return None
        return _decode_narrow(narrow.rstrip(b"\x00"), self.codepage) or None

    def binary(self, prop: int) -> bytes | None:
        return self._stream(f"__substg1.0_{prop:04X}0102")

    def time(self, prop: int) -> str | None:
        ticks = self.fixed.get(prop)
        if not ticks:
            return None
        return utc_timestamp(_EPOCH + timedelta(microseconds=ticks // 10))


def _decode_narrow(data: bytes, codepage: str | None) -> str:
    for encoding in (codepage, "utf-8", "cp932"):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", "replace")


def _headers(message: _Storage) -> MailHeaders:
    name, address = message.text(SENDER_NAME), (message.text(SENDER_SMTP)
                                                 or message.text(SENDER_EMAIL))
    sender = f"{name} <{address}>" if name and address and name != address else name or address
    recipients: list[str] = []
    for prop in (DISPLAY_TO, DISPLAY_CC):
        recipients.extend(part.strip() for part in (message.text(prop) or "").split(";"))
    return MailHeaders(subject=message.text(SUBJECT), sender=sender,
                       to=tuple(part for part in recipients if part),
                       date=message.time(SUBMIT_TIME) or message.time(DELIVERY_TIME))


def _body(message: _Storage) -> str:
    body = message.text(BODY)
    if body:
        return body.strip()
    html = message.binary(BODY_HTML)
    if html is None:
        text_html = message.text(BODY_HTML)
        html = text_html.encode("utf-8") if text_html else None
    if not html:
        return ""
    from worker.extraction.text.reader import visible_text  # (reader imports sniff)
    return visible_text(_decode_narrow(html, message.codepage)).strip()


class _MsgUnpacking:
    def __init__(self, ole: Any, budget: ContainerBudget, limit: int) -> None:
        self._ole, self._budget, self._limit = ole, budget, limit
        message = _Storage(ole, [], 32)
        self.headers = _headers(message)
        self._body = _body(message)
        self._notes: list[str] = []

    def _attachments(self) -> list[str]:
        names = {entry[0] for entry in self._ole.listdir(streams=False, storages=True)
                 if entry[0].startswith("__attach_version1.0_#")}
        return sorted(names)

    def members(self) -> Iterator[Member]:
        try:
            for index, storage_name in enumerate(self._attachments(), start=1):
                if not self._budget.admit(self._notes):
                    return
                yield self._member(_Storage(self._ole, [storage_name], 8), index)
        finally:
            self._ole.close()

    def _member(self, attachment: _Storage, index: int) -> Member:
        name = attachment.text(ATTACH_LONG_NAME) or attachment.text(ATTACH_NAME) \
            or attachment.text(DISPLAY_NAME) or f"attachment{index}"
        data = attachment.binary(ATTACH_DATA)
        if data is None:
            return Member(clean_path(name), error=UnsupportedFileError(
                "an attached Outlook item or linked file: not read"))
        return Member(clean_path(name), save=self._saver(data))

    def _saver(self, data: bytes) -> Callable[[BinaryIO], None]:
        return attachment_saver(lambda: data, self._limit)

    def parent(self) -> Extracted:
        return mail_page(self.headers.subject, self._body, self._notes)


def unpack_msg(path: Path, budget: ContainerBudget, max_member_bytes: int) -> Unpacking:
    import olefile

    try:
        ole = olefile.OleFileIO(str(path))
    except Exception as exc:  # olefile raises many kinds on a broken file
        raise CorruptFileError(f"not a readable Outlook message: {exc}") from exc
    try:
        unpacking = _MsgUnpacking(ole, budget, max_member_bytes)
    except Exception as exc:
        ole.close()
        raise CorruptFileError(f"not a readable Outlook message: {exc}") from exc
    return Unpacking(unpacking.members(), unpacking.parent, unpacking.headers)
