"""The S3 ObjectStore: downloads source objects, stores and removes thumbnails.

A download is one GetObject of the key's current version, checked against the event
before a byte of the body is read: a key that no longer exists (or whose current version
is a delete marker) is `ObjectGoneError`, an event whose version is no longer the current
one is `StaleEventError` (a newer event exists), an object over the size limit is
`FileTooLargeError`. Only then is the body streamed to local disk; one request reads one
version, so nothing can replace the object between the check and the read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worker.adapters.aws import translate
from worker.errors import (
    ConfigurationError,
    FileTooLargeError,
    ObjectGoneError,
    StaleEventError,
)
from worker.models import SourceRef
from worker.ports import StoredObject

CHUNK_BYTES = 1024 * 1024
THUMBNAIL_PREFIX = "thumbnails/"


def thumbnail_key(document_id: str) -> str:
    return f"{THUMBNAIL_PREFIX}{document_id}.jpg"


def _local_name(source: SourceRef) -> str:
    """A safe local file name that keeps the extension (never the key's folders)."""
    suffix = Path(source.file_name).suffix
    return "source" + (suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else "")


def _encryption(kms_key_id: str | None) -> dict[str, Any]:
    """SSE-KMS with the given key (the stack's data key, with an S3 bucket key to keep KMS
    requests cheap), else SSE-S3: never whatever the request happens to leave out."""
    if kms_key_id:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id,
                "BucketKeyEnabled": True}
    return {"ServerSideEncryption": "AES256"}


class S3ObjectStore:
    def __init__(self, s3: Any, thumbnail_bucket: str | None,
                 kms_key_id: str | None = None) -> None:
        self._s3 = s3
        self._thumbnail_bucket = thumbnail_bucket
        self._encryption = _encryption(kms_key_id)

    def download(self, source: SourceRef, dest_dir: Path, max_bytes: int) -> StoredObject:
        try:
            response = self._s3.get_object(Bucket=source.bucket, Key=source.key)
        except (ClientError, BotoCoreError) as exc:  # NoSuchKey (or a delete marker): gone
            raise translate(exc, f"GetObject {source.uri}") from exc
        body = response["Body"]
        current = response.get("VersionId")
        size = int(response.get("ContentLength", 0))
        if source.version_id and current and current != source.version_id:
            body.close()
            raise StaleEventError(f"{source.uri} version {source.version_id} is not current")
        if size > max_bytes:
            body.close()
            raise FileTooLargeError(f"{size} bytes is over the limit of {max_bytes}")
        path = dest_dir / _local_name(source)
        self._stream(body, path, max_bytes, source)
        return StoredObject(path=path, size_bytes=path.stat().st_size,
                            version_id=current if current != "null" else None,
                            content_type=response.get("ContentType"))

    def exists(self, source: SourceRef) -> bool:
        try:
            self._s3.head_object(Bucket=source.bucket, Key=source.key)
        except (ClientError, BotoCoreError) as exc:
            error = translate(exc, f"HeadObject {source.uri}")
            if isinstance(error, ObjectGoneError):
                return False  # includes a delete marker as the current version
            raise error from exc
        return True

    def put_thumbnail(self, document_id: str, jpeg: bytes) -> str:
        key = thumbnail_key(document_id)
        try:
            self._s3.put_object(Bucket=self._require_bucket(), Key=key, Body=jpeg,
                                ContentType="image/jpeg", CacheControl="max-age=86400",
                                **self._encryption)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, f"PutObject thumbnail {key}") from exc
        return key

    def delete_thumbnail(self, document_id: str) -> None:
        if not self._thumbnail_bucket:
            return
        key = thumbnail_key(document_id)
        try:
            self._s3.delete_object(Bucket=self._thumbnail_bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, f"DeleteObject thumbnail {key}") from exc

    def _require_bucket(self) -> str:
        if not self._thumbnail_bucket:  # a wiring error (build_options turns thumbnails off
            # without a bucket): fatal, never a transient retry of every file into the DLQ
            raise ConfigurationError("no thumbnail bucket configured (S3_THUMBNAIL_BUCKET)")
        return self._thumbnail_bucket

    @staticmethod
    def _stream(body: Any, path: Path, max_bytes: int, source: SourceRef) -> None:
        written = 0
        try:
            with path.open("wb") as out:
                for chunk in body.iter_chunks(CHUNK_BYTES):
                    written += len(chunk)
                    if written > max_bytes:
                        raise FileTooLargeError(f"over the limit of {max_bytes} bytes")
                    out.write(chunk)
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc, f"GetObject {source.uri} body") from exc
        finally:
            body.close()
