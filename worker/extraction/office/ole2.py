"""OLE2 compound files: legacy Office (.doc/.xls/.ppt) and password-protected Office files.

Both start with the same OLE2 signature. Neither can be read here: legacy binary formats
would need a converter (LibreOffice), which the image deliberately does not carry, and an
encrypted docx/xlsx/pptx is an OLE2 container whose `EncryptedPackage` stream needs a
password. This module names which one it is, from the stream names in the OLE2 directory
(stored as UTF-16LE), so the reason a person reads is precise.
"""

from __future__ import annotations

from pathlib import Path

from worker.errors import EncryptedFileError, PermanentError, UnsupportedFileError

_SCAN_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_STREAMS: tuple[tuple[str, str], ...] = (
    ("EncryptedPackage", "encrypted"),
    ("WordDocument", "a Word 97-2003 document (.doc)"),
    ("Workbook", "an Excel 97-2003 workbook (.xls)"),
    ("Book", "an Excel 5.0/95 workbook (.xls)"),
    ("PowerPoint Document", "a PowerPoint 97-2003 presentation (.ppt)"),
    ("__substg1.0_", "an Outlook message (.msg)"),
)


def _stream_names(path: Path) -> set[str]:
    wanted = {name: name.encode("utf-16-le") for name, _ in _STREAMS}
    longest = max(len(encoded) for encoded in wanted.values())
    found: set[str] = set()
    tail = b""
    read = 0
    with path.open("rb") as handle:
        while read < _SCAN_BYTES:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            window = tail + chunk
            found.update(name for name, encoded in wanted.items() if encoded in window)
            tail = window[-longest:]
    return found


def ole2_error(path: Path) -> PermanentError:
    """The permanent error that explains why this OLE2 file is not read."""
    names = _stream_names(path)
    for stream, description in _STREAMS:
        if stream not in names:
            continue
        if description == "encrypted":
            return EncryptedFileError(
                "password-protected Office file (encrypted package): it cannot be read "
                "without its password")
        return UnsupportedFileError(
            f"legacy binary Office format: {description}; conversion is not supported — "
            "save it as .docx/.xlsx/.pptx to have it indexed")
    return UnsupportedFileError(
        "OLE2 compound file of an unknown kind (legacy binary format); conversion is not "
        "supported")
