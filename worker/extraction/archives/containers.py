"""Which files are containers, and the reader that unpacks each kind.

The pipeline asks `is_container(kind)` and calls `unpack`; it never looks inside itself.
Archive types that are recognised but not unpacked (7z, RAR, CAB, LZH) are a permanent
`unsupported` with a reason a person can act on.
"""

from __future__ import annotations

from pathlib import Path

from worker.errors import DecompressionBombError, UnsupportedFileError
from worker.extraction.archives.members import ContainerBudget, Unpacking
from worker.extraction.sniff import FileType

CONTAINER_KINDS = frozenset({"zip", "tar", "gzip", "bzip2", "xz", "eml", "msg"})
_UNSUPPORTED_NAMES = {
    "application/x-7z-compressed": "a 7-Zip (.7z) archive",
    "application/vnd.rar": "a RAR archive",
    "application/vnd.ms-cab-compressed": "a Windows cabinet (.cab)",
    "application/x-lzh-compressed": "an LZH (.lzh) archive",
}


def is_container(kind: str) -> bool:
    return kind in CONTAINER_KINDS


def unsupported_archive(file_type: FileType) -> UnsupportedFileError:
    name = _UNSUPPORTED_NAMES.get(file_type.mime_type, "an archive")
    return UnsupportedFileError(
        f"{name}: this archive type is not unpacked (zip, tar, tar.gz/.bz2/.xz are) — "
        "repack it as zip to have its files indexed")


def unpack(path: Path, file_type: FileType, file_name: str, budget: ContainerBudget,
           depth: int, max_member_bytes: int) -> Unpacking:
    """The container's members (to be extracted one by one) and its own text.
    `depth`: how many containers enclose this one (0 for a file named or found)."""
    if depth >= budget.limits.max_depth:
        raise DecompressionBombError(
            f"a container nested {depth} levels deep (limit {budget.limits.max_depth}): "
            "not unpacked")
    kind = file_type.kind
    if kind == "zip":
        from worker.extraction.archives.zip_reader import unpack_zip
        return unpack_zip(path, budget, max_member_bytes)
    if kind == "eml":
        from worker.extraction.mail.eml import unpack_eml
        return unpack_eml(path, budget, max_member_bytes)
    if kind == "msg":
        from worker.extraction.mail.msg import unpack_msg
        return unpack_msg(path, budget, max_member_bytes)
    from worker.extraction.archives.tar_reader import unpack_tar
    return unpack_tar(path, file_name, None if kind == "tar" else kind, budget,
                      max_member_bytes)
