"""E-mail messages (.eml, RFC 5322 / MIME): headers as fields, body as text, attachments as
members.

Parsed with the standard library's `email` package and `policy.default`, which decodes
encoded-word headers (`=?ISO-2022-JP?B?…?=`, Shift_JIS, UTF-8) and RFC 2231 file names, and
quoted-printable / base64 bodies. Text is decoded here from the part's bytes with its
charset's Japanese superset (Shift_JIS → CP932, ISO-2022-JP → its extended forms), because
mail labelled Shift_JIS routinely carries CP932's ① or ㈱. The body is the `text/plain`
part, else the HTML part reduced to its visible text. Every other leaf part with a file
name, every non-text part and every attached message becomes a member (attached messages
are members as `.eml` and are unpacked in turn, to the nesting limit).
"""

from __future__ import annotations

import codecs
import mimetypes
from collections.abc import Callable, Iterator
from datetime import UTC
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import BinaryIO

from worker.errors import CorruptFileError, FileTooLargeError
from worker.extraction.archives.members import ContainerBudget, Member, Unpacking, clean_path
from worker.extraction.mail.common import attachment_saver, mail_page
from worker.extraction.result import Extracted
from worker.models import MailHeaders, utc_timestamp

MAX_MAIL_BYTES = 256 * 1024 * 1024
_SUPERSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
              "windows-31j": "cp932", "ms932": "cp932", "iso-2022-jp": "iso2022_jp_ext",
              "csiso2022jp": "iso2022_jp_ext", "euc-jp": "euc_jp", "x-euc-jp": "euc_jp"}


def part_text(part: Message) -> str:
    """A text part's content decoded with its charset (Japanese supersets first)."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = (part.get_content_charset() or "utf-8").lower()
    encoding = _SUPERSETS.get(charset, charset)
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace")


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message[name]
    except Exception:  # a malformed header the parser cannot model: leave it out
        return None
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def mail_headers(message: EmailMessage) -> MailHeaders:
    to: list[str] = []
    for name in ("to", "cc"):
        try:
            header = message[name]
            addresses = getattr(header, "addresses", ()) if header is not None else ()
            to.extend(" ".join(str(address).split()) for address in addresses)
        except Exception:  # a malformed address list is left out, not fatal
            continue
    date = None
    try:
        moment = getattr(message["date"], "datetime", None)
        if moment is not None and moment.tzinfo is not None:
            date = utc_timestamp(moment.astimezone(UTC))
    except Exception:  # an unparseable Date header: no date field
        date = None
    return MailHeaders(subject=_header(message, "subject"), sender=_header(message, "from"),
                       to=tuple(to), date=date)


def _body(message: EmailMessage) -> tuple[str, set[int]]:
    """The body text and the ids of the parts it came from (they are not attachments)."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return "", set()
    text = part_text(part)
    if part.get_content_subtype() == "html":
        from worker.extraction.text.reader import visible_text  # (reader imports sniff)
        text = visible_text(text)
    return text.strip(), {id(part)}


def _attachment_name(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        return f"添付メール{index}.eml"
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment{index}{extension}"


def _is_attachment(part: Message, body_ids: set[int]) -> bool:
    if id(part) in body_ids:
        return False
    if part.get_content_type() == "message/rfc822":
        return True
    if part.is_multipart():
        return False
    has_name = bool(part.get_param("filename", header="content-disposition")
                    or part.get_param("name"))
    return has_name or part.get_content_disposition() == "attachment" \
        or part.get_content_maintype() not in ("text", "multipart")


def _leaf_parts(message: Message) -> Iterator[Message]:
    """Every part, not descending into attached messages (they are members of their own)."""
    if message.get_content_type() == "message/rfc822" or not message.is_multipart():
        yield message
        return
    payload = message.get_payload()
    for sub in payload if isinstance(payload, list) else ():
        if isinstance(sub, Message):
            yield from _leaf_parts(sub)


def _part_bytes(part: Message) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes(policy=policy.default) if isinstance(inner, Message) else b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


class _MailUnpacking:
    def __init__(self, message: EmailMessage, budget: ContainerBudget, limit: int) -> None:
        self._message, self._budget, self._limit = message, budget, limit
        self.headers = mail_headers(message)
        self._body, self._body_ids = _body(message)
        self._notes: list[str] = []

    def members(self) -> Iterator[Member]:
        parts = [part for part in _leaf_parts(self._message) if part is not self._message
                 and _is_attachment(part, self._body_ids)]
        for index, part in enumerate(parts, start=1):
            if not self._budget.admit(self._notes):
                return
            yield Member(clean_path(_attachment_name(part, index)), save=self._saver(part))

    def _saver(self, part: Message) -> Callable[[BinaryIO], None]:
        return attachment_saver(lambda: _part_bytes(part), self._limit)

    def parent(self) -> Extracted:
        return mail_page(self.headers.subject, self._body, self._notes)


def unpack_eml(path: Path, budget: ContainerBudget, max_member_bytes: int) -> Unpacking:
    size = path.stat().st_size
    if size > MAX_MAIL_BYTES:  # the parser holds the whole message, decoded parts and all
        raise FileTooLargeError(f"an e-mail of {size} bytes; the limit is {MAX_MAIL_BYTES}")
    try:
        with path.open("rb") as handle:
            message = BytesParser(policy=policy.default).parse(handle)
    except (ValueError, LookupError, UnicodeError) as exc:
        raise CorruptFileError(f"not a readable e-mail message: {exc}") from exc
    assert isinstance(message, EmailMessage)
    unpacking = _MailUnpacking(message, budget, max_member_bytes)
    return Unpacking(unpacking.members(), unpacking.parent, unpacking.headers)
