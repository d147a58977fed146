"""The S3 ObjectStore against moto: the event is checked against S3's current state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.moto import AwsEnv
from worker.adapters import aws as aws_clients
from worker.adapters.s3 import S3ObjectStore
from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    FileTooLargeError,
    ObjectGoneError,
    StaleEventError,
)
from worker.models import SourceRef

pytestmark = pytest.mark.integration  # moto server

Versioned = tuple[S3ObjectStore, Any]  # the store, and a plain client to arrange S3


@pytest.fixture
def versioned(aws: AwsEnv) -> Versioned:
    s3 = aws.client("s3")
    for bucket in ("landing", "thumbnails"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={
            "LocationConstraint": aws.region})
    s3.put_bucket_versioning(Bucket="landing", VersioningConfiguration={"Status": "Enabled"})
    store = S3ObjectStore(aws_clients.client("s3", Settings.from_env()), "thumbnails")
    return store, s3


def test_download_by_version_and_stale_versions(versioned: Versioned, tmp_path: Path) -> None:
    store, s3 = versioned
    v1 = s3.put_object(Bucket="landing", Key="a/見積 書.pdf", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket="landing", Key="a/見積 書.pdf", Body=b"two!")["VersionId"]
    stored = store.download(SourceRef(bucket="landing", key="a/見積 書.pdf", version_id=v2),
                            tmp_path, max_bytes=100)
    assert stored.path.read_bytes() == b"two!" and stored.version_id == v2
    assert stored.path.name == "source.pdf"  # never the key's folders
    with pytest.raises(StaleEventError):
        store.download(SourceRef(bucket="landing", key="a/見積 書.pdf", version_id=v1),
                       tmp_path, max_bytes=100)
    with pytest.raises(FileTooLargeError):
        store.download(SourceRef(bucket="landing", key="a/見積 書.pdf"), tmp_path, max_bytes=3)


def test_delete_marker_means_gone_and_not_existing(versioned: Versioned, tmp_path: Path) -> None:
    store, s3 = versioned
    version = s3.put_object(Bucket="landing", Key="k.txt", Body=b"x")["VersionId"]
    source = SourceRef(bucket="landing", key="k.txt", version_id=version)
    assert store.exists(source)
    s3.delete_object(Bucket="landing", Key="k.txt")  # a delete marker on top
    assert not store.exists(source)
    with pytest.raises(ObjectGoneError):
        store.download(source, tmp_path, max_bytes=100)


def test_thumbnails_are_jpeg_encrypted_and_removable(versioned: Versioned) -> None:
    store, s3 = versioned
    key = store.put_thumbnail("abc", b"\xff\xd8\xff\xd9")
    assert key == "thumbnails/abc.jpg"
    head = s3.head_object(Bucket="thumbnails", Key=key)
    assert head["ContentType"] == "image/jpeg" and head["ServerSideEncryption"] == "AES256"
    store.delete_thumbnail("abc")
    assert s3.list_objects_v2(Bucket="thumbnails")["KeyCount"] == 0


def test_thumbnails_use_the_stacks_kms_key_when_configured(versioned: Versioned) -> None:
    _, s3 = versioned
    key_id = "arn:aws:kms:ap-northeast-1:123456789012:key/data-key"
    store = S3ObjectStore(aws_clients.client("s3", Settings.from_env()), "thumbnails", key_id)
    head = s3.head_object(Bucket="thumbnails", Key=store.put_thumbnail("abc", b"\xff\xd8"))
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key_id


def test_a_thumbnail_without_a_bucket_is_a_configuration_error(aws: AwsEnv) -> None:
    """Fatal (exit 2), not a ValueError that would be retried into the DLQ for every file;
    deleting is a no-op."""
    store = S3ObjectStore(aws_clients.client("s3", Settings.from_env()), None)
    with pytest.raises(ConfigurationError, match="S3_THUMBNAIL_BUCKET"):
        store.put_thumbnail("abc", b"\xff\xd8\xff")
    store.delete_thumbnail("abc")
