"""OLE2 compound files: legacy Office (.doc/.xls/.ppt), password-protected Office, the rest.

All start with the same OLE2 signature; the streams inside tell them apart. olefile (a
small, pure-Python, long-kept reader of the compound-file directory) lists them, and the
first bytes of the main stream say whether a legacy file is encrypted:
- Word: the FIB's fEncrypted flag (WordDocument stream, bit 8 of the flags at offset 10);
- Excel: a FILEPASS record (0x002F) among the first records of the Workbook stream;
- PowerPoint: the CurrentUser atom's header token 0xF3D1C4DF, or an EncryptedSummary stream;
- an encrypted docx/xlsx/pptx is an OLE2 file with an `EncryptedPackage` stream.
An encrypted file is a permanent `encrypted` error: without its password nobody reads it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import olefile

from worker.errors import CorruptFileError, EncryptedFileError, PermanentError, UnsupportedFileError

LEGACY_MIME = {"doc": "application/msword", "xls": "application/vnd.ms-excel",
               "ppt": "application/vnd.ms-powerpoint"}
_MAIN_STREAMS = (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"),
                 ("PowerPoint Document", "ppt"))
_XLS_FILEPASS = 0x002F
_XLS_EOF = 0x000A
_XLS_RECORDS_SCANNED = 64
_PPT_ENCRYPTED_TOKEN = 0xF3D1C4DF
_WORD_ENCRYPTED_FLAG = 0x0100


def _streams(path: Path) -> set[str]:
    """Top-level stream and storage names; empty for a file olefile cannot open."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return {entry[0] for entry in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, struct.error, IndexError, RecursionError):
        return set()


def ole2_kind(path: Path) -> str:
    """"doc" | "xls" | "ppt" for legacy Office, "encrypted-package" for a password-protected
    OOXML file, "msg" for an Outlook message, else "ole2"."""
    names = _streams(path)
    if "EncryptedPackage" in names:
        return "encrypted-package"
    for stream, kind in _MAIN_STREAMS:
        if stream in names:
            return kind
    if any(name.startswith("__substg1.0_") for name in names):
        return "msg"
    return "ole2"


def _word_encrypted(ole: olefile.OleFileIO) -> bool:
    header = ole.openstream("WordDocument").read(12)
    return len(header) == 12 and bool(int.from_bytes(header[10:12], "little")
                                      & _WORD_ENCRYPTED_FLAG)


def _excel_encrypted(ole: olefile.OleFileIO) -> bool:
    stream = ole.openstream("Workbook" if ole.exists("Workbook") else "Book")
    for _ in range(_XLS_RECORDS_SCANNED):
        header = stream.read(4)
        if len(header) < 4:
            return False
        record, size = struct.unpack("<HH", header)
        if record == _XLS_FILEPASS:
            return True
        if record == _XLS_EOF:
            return False
        stream.seek(size, 1)
    return False


def _powerpoint_encrypted(ole: olefile.OleFileIO) -> bool:
    if ole.exists("EncryptedSummary"):
        return True
    if not ole.exists("Current User"):
        return False
    atom = ole.openstream("Current User").read(16)
    return len(atom) == 16 and int.from_bytes(atom[12:16], "little") == _PPT_ENCRYPTED_TOKEN


def check_not_encrypted(path: Path, kind: str) -> None:
    """Raise EncryptedFileError for a password-protected legacy file (or CorruptFileError
    when its main stream cannot be read)."""
    checks = {"doc": _word_encrypted, "xls": _excel_encrypted, "ppt": _powerpoint_encrypted}
    try:
        with olefile.OleFileIO(str(path)) as ole:
            encrypted = checks[kind](ole)
    except (OSError, ValueError, struct.error, IndexError, RecursionError) as exc:
        raise CorruptFileError(f"the OLE2 compound file cannot be read: {exc}") from exc
    if encrypted:
        raise EncryptedFileError(f"password-protected legacy Office file (.{kind}): it "
                                 "cannot be read without its password")


def ole2_error(path: Path) -> PermanentError:
    """The permanent error that explains why this OLE2 file (not legacy Office) is not read."""
    kind = ole2_kind(path)
    if kind == "encrypted-package":
        return EncryptedFileError("password-protected Office file (encrypted package): it "
                                  "cannot be read without its password")
    if kind == "msg":
        return UnsupportedFileError("an Outlook message (.msg): not read yet")
    return UnsupportedFileError("OLE2 compound file of an unknown kind (not Word, Excel or "
                                "PowerPoint)")
