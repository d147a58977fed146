"""What .eml and .msg share once their own parsers are done: the page of a mail's body and
how an attachment's bytes are saved under the per-member size limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from worker.errors import FileTooLargeError
from worker.extraction.result import Extracted
from worker.models import Page


def attachment_saver(read: Callable[[], bytes], limit: int) -> Callable[[BinaryIO], None]:
    """A Member's `save`: the attachment's bytes, refused past `limit`."""
    def save(destination: BinaryIO) -> None:
        data = read()
        if len(data) > limit:
            raise FileTooLargeError(f"the attachment is {len(data)} bytes; the limit is "
                                    f"{limit} bytes")
        destination.write(data)
    return save


def mail_page(subject: str | None, body: str, notes: list[str]) -> Extracted:
    """The mail itself: one page of subject and body; partial when a limit stopped it."""
    text = "\n\n".join(part for part in (subject or "", body) if part)
    return Extracted(pages=(Page(1, text, "text-layer"),), title=subject,
                     status="partial" if notes else "complete",
                     reason="; ".join(notes) or None)
