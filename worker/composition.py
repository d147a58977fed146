"""The one composition root: Settings in, the worker's parts out (cosmicpython).

AWS adapters when running in the cloud; a folder of JSON documents (OUTPUT_DIR) when no
search index is configured — a dry run that needs no cluster. The index's and Bedrock's
adapters are imported lazily, so `cis-worker run` in dry-run mode never needs
opensearch-py, and tests can run the worker without them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from worker.adapters import aws
from worker.adapters.s3 import S3ObjectStore
from worker.adapters.sqs import SqsQueue
from worker.config import Settings
from worker.errors import ConfigurationError
from worker.extraction.options import ExtractionOptions
from worker.ports import DocumentSink, Embedder
from worker.service import ProcessingService


def build_queue(settings: Settings) -> SqsQueue:
    settings.require("SQS_QUEUE_URL")
    assert settings.sqs_queue_url is not None
    client = aws.client("sqs", settings, read_timeout_s=settings.wait_time_s + 15)
    return SqsQueue(client, settings.sqs_queue_url)


def build_service(settings: Settings) -> ProcessingService:
    """The processing service with real adapters (called in every pool process)."""
    from worker.extraction.pipeline import extract_or_record

    return ProcessingService(build_store(settings), build_sink(settings),
                             build_embedder(settings), extract_or_record,
                             build_options(settings))


def build_store(settings: Settings) -> S3ObjectStore:
    return S3ObjectStore(aws.client("s3", settings), settings.s3_thumbnail_bucket,
                         settings.s3_thumbnail_kms_key_id)


BUDGET_SHARE_OF_CAP = 0.8


def build_options(settings: Settings) -> ExtractionOptions:
    """Thumbnails are made only when there is a bucket to put them in. The file's time
    budget ends before the message's hard cap (at most 80% of it): a slow file then becomes
    a `partial` document with what was read, and only what no budget can stop (a program
    running to its own timeout) meets the cap and becomes `too-slow`."""
    options = settings.extraction_options(thumbnails=bool(settings.s3_thumbnail_bucket))
    budget_s = min(options.file_budget_s, BUDGET_SHARE_OF_CAP * settings.message_hold_cap_s)
    return replace(options, file_budget_s=budget_s)


def check_service(settings: Settings) -> None:
    """Fail before starting the pool when the service cannot be built (exit 2)."""
    build_service(settings)


def build_sink(settings: Settings) -> DocumentSink:
    if settings.opensearch_endpoint:
        try:
            from worker.search.sink import OpenSearchSink
        except ImportError as exc:
            raise ConfigurationError(
                f"OPENSEARCH_ENDPOINT is set but the OpenSearch adapter is unavailable: {exc}"
            ) from exc
        sink: DocumentSink = OpenSearchSink.from_settings(settings)
        return sink
    if settings.output_dir:
        try:
            from worker.adapters.local import LocalOutput
        except ImportError as exc:
            raise ConfigurationError(f"the local output adapter is unavailable: {exc}") from exc
        local: DocumentSink = LocalOutput(Path(settings.output_dir))
        return local
    raise ConfigurationError(
        "missing required settings: OPENSEARCH_ENDPOINT (or OUTPUT_DIR for a dry run)")


def build_embedder(settings: Settings) -> Embedder | None:
    """Bedrock embeddings when BEDROCK_REGION is set and an index is configured."""
    if not settings.bedrock_region or not settings.opensearch_endpoint:
        return None
    try:
        from worker.adapters.bedrock import BedrockEmbedder
    except ImportError as exc:
        raise ConfigurationError(f"the Bedrock adapter is unavailable: {exc}") from exc
    embedder: Embedder | None = BedrockEmbedder.from_settings(settings)
    return embedder
