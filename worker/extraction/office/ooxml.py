"""Office Open XML packages, opened safely: the zip, its parts, relationships and properties.

docx, xlsx and pptx are zips of XML parts tied together by relationships (`_rels/*.rels`).
This module is the only place that touches the zip and parses its XML, so the safety rules
live in one spot:
- zip bombs are refused: first on the declared sizes (member count, total, ratio), then —
  because declared sizes can lie — while each part is inflated, on the bytes actually
  produced (worker/extraction/archives/inflate.py: past its declared size, the part limit,
  the package's total or the ratio, the part is a `decompression-bomb`, with one chunk in
  memory);
- XML is parsed with defusedxml and DTDs forbidden (OOXML never has one): no entity
  expansion, no external entities;
- a broken zip or broken XML is a CorruptFileError, never an unclassified crash.
Element names are matched by local name, so Strict OOXML (other namespaces) reads the same.
"""

from __future__ import annotations

import logging
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from worker.errors import CorruptFileError, DecompressionBombError, PermanentError
from worker.extraction.archives.inflate import InflateBudget, open_member, read_member

log = logging.getLogger(__name__)
MAX_MEMBERS = 10_000
MAX_TOTAL_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for members past RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_PART_BYTES = 256 * 1024 * 1024  # one part parsed as a whole tree
MAX_THUMBNAIL_BYTES = 8 * 1024 * 1024

REL_OFFICE_DOCUMENT = "officeDocument"
REL_THUMBNAIL = "thumbnail"
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
               NotImplementedError)


def local(tag: str) -> str:
    """'{namespace}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local(child.tag) == name)


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, w:val, ...)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None


def relationship_id(element: Element) -> str:
    """The r:id of an element (namespaced: a plain `id` attribute is something else)."""
    for key, value in element.attrib.items():
        if key.startswith("{") and local(key) == "id":
            return value
    return ""


def check_zip_bomb(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise DecompressionBombError(
            f"zip has {len(members)} members (limit {MAX_MEMBERS}): refused as a zip bomb")
    total = sum(info.file_size for info in members)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise DecompressionBombError(
            f"zip would expand to {total} bytes (limit {MAX_TOTAL_UNCOMPRESSED}): "
            "refused as a zip bomb")
    for info in members:
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise DecompressionBombError(
                f"zip member {info.filename!r} expands {ratio:.0f}x to {info.file_size} bytes "
                f"(limit {MAX_RATIO}x): refused as a zip bomb")


class OoxmlPackage:
    """An opened OOXML package; use as a context manager."""

    def __init__(self, path: Path) -> None:
        try:
            self._zip = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise CorruptFileError(f"not a readable zip (Office Open XML) file: {exc}") from exc
        try:
            check_zip_bomb(self._zip)
        except DecompressionBombError:
            self._zip.close()
            raise
        self._budget = InflateBudget(MAX_TOTAL_UNCOMPRESSED, MAX_RATIO, RATIO_FLOOR)
        self._relationships: dict[str, list[tuple[str, str, str]]] = {}

    def __enter__(self) -> OoxmlPackage:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._zip.close()

    def has(self, part: str) -> bool:
        return part in self._zip.NameToInfo

    def read(self, part: str, limit: int = MAX_PART_BYTES) -> bytes:
        try:
            info = self._zip.getinfo(part)
        except KeyError:
            raise CorruptFileError(f"part {part!r} is missing from the package") from None
        try:
            return read_member(self._zip, info, limit, self._budget, part)
        except _ZIP_ERRORS as exc:
            raise CorruptFileError(f"part {part!r} cannot be read: {exc}") from exc

    def xml(self, part: str) -> Element:
        data = self.read(part)
        try:
            root: Element = fromstring(data, forbid_dtd=True)
        except DefusedXmlException as exc:
            raise DecompressionBombError(
                f"part {part!r} declares a DTD or entities (XML bomb risk): refused") from exc
        except ParseError as exc:
            raise CorruptFileError(f"part {part!r} is not well-formed XML: {exc}") from exc
        return root

    def iter_elements(self, part: str) -> Iterator[tuple[str, Element]]:
        """Stream a large part (a worksheet): ("start" | "end", element) events; the caller
        removes what it has used, so the tree does not grow."""
        try:
            info = self._zip.getinfo(part)
            with open_member(self._zip, info, MAX_TOTAL_UNCOMPRESSED, self._budget) as stream:
                yield from _iter_events(stream, part)
        except KeyError:
            raise CorruptFileError(f"part {part!r} is missing from the package") from None
        except _ZIP_ERRORS as exc:
            raise CorruptFileError(f"part {part!r} cannot be read: {exc}") from exc

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(type's last segment, id, target part) of `part`'s relationships ('' = package);
        each .rels part is parsed once per package."""
        if part not in self._relationships:
            self._relationships[part] = self._read_relationships(part)
        return self._relationships[part]

    def _read_relationships(self, part: str) -> list[tuple[str, str, str]]:
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
        if not self.has(rels_part):
            return []
        result = []
        for rel in self.xml(rels_part):
            target = rel.get("Target") or ""
            if local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External" \
                    or not target:
                continue
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            resolved = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
            result.append((kind, rel.get("Id") or "", resolved))
        return result

    def relationship_ids(self, part: str) -> dict[str, str]:
        """Relationship id -> target part, for parts that refer to others by r:id."""
        return {rel_id: target for _kind, rel_id, target in self.relationships(part)}

    def related(self, part: str, kind: str) -> list[str]:
        return [target for rel_kind, _id, target in self.relationships(part) if rel_kind == kind]

    def main_part(self) -> str:
        parts = self.related("", REL_OFFICE_DOCUMENT)
        if not parts or not self.has(parts[0]):
            raise CorruptFileError("the package has no main document part")
        return parts[0]

    def title(self) -> str | None:
        """dc:title from docProps/core.xml, if set. The properties are not the document: a
        core.xml that is refused (a DTD) or broken loses the title, with a warning, and the
        body read from the main part stands (a DTD in the main part still fails the file)."""
        for core in self.related("", "core-properties"):
            if not self.has(core):
                continue
            try:
                root = self.xml(core)
            except PermanentError as exc:
                log.warning("document properties skipped: %s", exc.reason)
                return None
            for element in root.iter():
                if local(element.tag) == "title" and (element.text or "").strip():
                    return (element.text or "").strip()
        return None

    def thumbnail(self) -> bytes | None:
        """The package's embedded JPEG/PNG thumbnail (WMF/EMF are skipped: no raster)."""
        by_name = ["docProps/thumbnail.jpeg", "docProps/thumbnail.png"]
        for part in [*self.related("", REL_THUMBNAIL), *by_name]:
            if part.lower().endswith((".jpeg", ".jpg", ".png")) and self.has(part):
                return self.read(part, limit=MAX_THUMBNAIL_BYTES)
        return None


def _iter_events(stream: IO[bytes], part: str) -> Iterator[tuple[str, Element]]:
    try:
        yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise DecompressionBombError(
            f"part {part!r} declares a DTD or entities (XML bomb risk): refused") from exc
    except ParseError as exc:
        raise CorruptFileError(f"part {part!r} is not well-formed XML: {exc}") from exc


def embedded_thumbnail(path: Path) -> bytes | None:
    """The thumbnail an Office file carries (docProps/thumbnail.jpeg|png), or None."""
    with OoxmlPackage(path) as package:
        return package.thumbnail()
