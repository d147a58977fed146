"""Telling mail apart from its look-alikes, for sniff.py: an .eml is text that starts with
a header block; an Outlook .msg is an OLE2 compound file with MAPI property streams."""

from __future__ import annotations

from pathlib import Path

_KNOWN_HEADERS = frozenset({"from", "to", "cc", "subject", "date", "message-id",
                            "mime-version", "received", "return-path", "reply-to",
                            "content-type", "x-mailer", "delivered-to", "sender"})


def looks_like_mail(head: str) -> bool:
    """True when the text starts with an e-mail header block: at least three known header
    names (From, Received or Date among them), and every line before the first blank one
    a header or a header's continuation."""
    block = head.replace("\r\n", "\n").split("\n\n", 1)
    if len(block) < 2:
        return False
    names = set()
    for line in block[0].split("\n"):
        if line[:1] in (" ", "\t"):
            continue
        name, colon, _ = line.partition(":")
        if not colon or not name or any(c <= " " or c > "~" for c in name):
            return False
        names.add(name.lower())
    return len(names & _KNOWN_HEADERS) >= 3 and bool(names & {"from", "received", "date"})


def is_outlook_message(path: Path) -> bool:
    """An OLE2 file whose root holds the MAPI property stream of a message."""
    import olefile  # only for OLE2 files

    try:
        with olefile.OleFileIO(str(path)) as ole:
            return bool(ole.exists("__properties_version1.0")) and any(
                entry[0].startswith("__substg1.0_") for entry in ole.listdir())
    except Exception:  # olefile raises many kinds on a broken file: then it is no message
        return False
