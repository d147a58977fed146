"""The shared contracts: error classes, settings from the environment, document shape."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from worker.cli import cli
from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    EncryptedFileError,
    PermanentError,
    ThrottledError,
    TransientError,
    classify,
)
from worker.models import Document, Page, SourceRef


def test_error_classes_carry_retry_and_exit_code() -> None:
    assert EncryptedFileError("x").retryable is False
    assert isinstance(EncryptedFileError("x"), PermanentError)
    assert ThrottledError("x").retryable is True
    assert ConfigurationError("x").exit_code == 2
    assert EncryptedFileError("no password").to_dict() == {
        "error_class": "permanent", "code": "encrypted", "reason": "no password"}


def test_unknown_exceptions_are_transient() -> None:
    wrapped = classify(KeyError("boom"))
    assert isinstance(wrapped, TransientError)
    assert "KeyError" in wrapped.reason
    same = EncryptedFileError("x")
    assert classify(same) is same


def test_settings_defaults_and_auth_by_host() -> None:
    settings = Settings.from_env({})
    assert settings.opensearch_index == "cis-files"
    assert settings.bedrock_model_id == "amazon.titan-embed-text-v2:0"
    assert settings.embedding_dimensions == 1024
    assert settings.ocr_languages == "jpn+eng"
    assert settings.worker_concurrency >= 1
    assert settings.opensearch_auth == "none"
    aws = Settings.from_env(
        {"OPENSEARCH_ENDPOINT": "https://search-x.ap-northeast-1.es.amazonaws.com"})
    assert aws.opensearch_auth == "sigv4"
    bare = Settings.from_env({"OPENSEARCH_ENDPOINT": "search-x.ap-northeast-1.es.amazonaws.com"})
    assert (bare.opensearch_endpoint, bare.opensearch_auth) == (
        "https://search-x.ap-northeast-1.es.amazonaws.com", "sigv4")
    local = Settings.from_env({"OPENSEARCH_ENDPOINT": "http://127.0.0.1:9200"})
    assert local.opensearch_auth == "none"


def test_settings_reject_bad_values_and_name_missing_ones() -> None:
    with pytest.raises(ConfigurationError, match="WORKER_CONCURRENCY"):
        Settings.from_env({"WORKER_CONCURRENCY": "many"})
    with pytest.raises(ConfigurationError, match="OPENSEARCH_AUTH"):
        Settings.from_env({"OPENSEARCH_AUTH": "kerberos"})
    with pytest.raises(ConfigurationError, match="SQS_QUEUE_URL"):
        Settings.from_env({}).require_for_run()
    with pytest.raises(ConfigurationError, match="OPENSEARCH_ENDPOINT"):
        Settings.from_env({"SQS_QUEUE_URL": "http://q"}).require_for_run()
    Settings.from_env({"SQS_QUEUE_URL": "http://q", "OUTPUT_DIR": "/tmp/o"}).require_for_run()


def test_backfill_defaults_to_the_landing_bucket_and_names_it_when_missing() -> None:
    unset = CliRunner().invoke(cli, ["backfill"], env={"S3_LANDING_BUCKET": ""})
    assert unset.exit_code == 2 and "S3_LANDING_BUCKET" in unset.output
    # with the bucket known, the next missing setting is the queue's
    known = CliRunner().invoke(cli, ["backfill"], env={"S3_LANDING_BUCKET": "landing",
                                                       "SQS_QUEUE_URL": ""})
    assert known.exit_code == 2 and "SQS_QUEUE_URL" in known.output


def test_document_ids_are_stable_and_distinct() -> None:
    a = SourceRef(bucket="landing", key="a/請求書.pdf")
    newer = SourceRef(bucket="landing", key="a/請求書.pdf", version_id="v2")
    assert a.document_id == newer.document_id
    assert a.document_id != SourceRef(bucket="landing", key="b/請求書.pdf").document_id
    assert a.file_name == "請求書.pdf"
    with pytest.raises(ValueError):
        SourceRef(bucket="b", path="/x")
    with pytest.raises(ValueError, match="hex"):  # refused when the event is parsed
        SourceRef(bucket="b", key="k", sequencer="0x1F")


def test_document_dict_has_the_contract_fields() -> None:
    source = SourceRef(path="/in/見積書.pdf")
    doc = Document(
        id=source.document_id, source=source, file_name=source.file_name,
        mime_type="application/pdf", size_bytes=10, sha256="0" * 64, content="見積書",
        pages=(Page(1, "見積書", "ocr", 91.234),), status="complete",
        processed_at="2026-01-01T00:00:00Z", processor_version="0.1.0",
    )
    data = doc.to_dict()
    required = {"id", "source", "file_name", "mime_type", "size_bytes", "sha256", "content",
                "pages", "page_count", "thumbnail", "status", "processed_at",
                "processor_version"}
    assert required <= set(data)
    assert data["page_count"] == 1
    assert data["pages"][0] == {"number": 1, "text": "見積書", "method": "ocr", "confidence": 91.23}
    assert data["source"] == {"path": "/in/見積書.pdf"}
    assert "embedding" not in data
    with_vector = dataclasses.replace(doc, embedding=(0.5, 0.25), embedding_model="m")
    assert with_vector.to_dict()["embedding"] == [0.5, 0.25]
