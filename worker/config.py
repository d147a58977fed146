"""Configuration, read once from the environment into a frozen Settings object.

Every environment variable name the worker reads lives in this module (DESIGN.md §3).
`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_XRAY_DAEMON_ADDRESS` and `ECS_AGENT_URI` are the
standard variables of boto3, the X-Ray SDK and ECS; they are read here too so that nothing
else has to reach into `os.environ`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from worker.errors import ConfigurationError
from worker.extraction.options import ExtractionOptions, default_jobs


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from None


def _opt(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...],
            default: str | None = None) -> str:
    """The variable's value, one of `allowed` (default: the first)."""
    value = env.get(name, "").strip().lower() or default or allowed[0]
    if value not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _endpoint(env: Mapping[str, str]) -> str | None:
    """OPENSEARCH_ENDPOINT as a URL: a bare host name (as the console shows it) is https."""
    value = _opt(env, "OPENSEARCH_ENDPOINT")
    return f"https://{value}" if value and "://" not in value else value


def _default_auth(endpoint: str | None) -> str:
    host = (urlparse(endpoint).hostname or "") if endpoint else ""
    return "sigv4" if host.endswith(".amazonaws.com") else "none"


def memory_limit_override(env: Mapping[str, str] | None = None) -> int | None:
    """PROCESS_MEMORY_LIMIT_MB: the memory each pool process may use, in MiB (queue worker
    and `process`). Unset or 0: the task's memory (cgroup limit) less a reserve, divided
    by the processes (worker/limits.py)."""
    env = os.environ if env is None else env
    return _int(env, "PROCESS_MEMORY_LIMIT_MB", 0) or None


def hard_cap_s(env: Mapping[str, str] | None = None) -> float:
    """MESSAGE_HOLD_CAP_SECONDS: the hard cap on one job, counted from its start in a pool
    process — a queue message (the heartbeat stops extending it there) or one file of
    `process`. Past it the process is stopped and the file gets a `too-slow` failed
    document."""
    env = os.environ if env is None else env
    return _float(env, "MESSAGE_HOLD_CAP_SECONDS", 2400.0)


@dataclass(frozen=True)
class Settings:
    # queue and storage
    sqs_queue_url: str | None
    sqs_dlq_url: str | None
    s3_landing_bucket: str | None
    s3_thumbnail_bucket: str | None
    s3_thumbnail_kms_key_id: str | None  # SSE-KMS for thumbnails; unset: SSE-S3
    output_dir: str | None
    # search index
    opensearch_endpoint: str | None
    opensearch_index: str
    opensearch_auth: str
    opensearch_secret_id: str | None
    opensearch_japanese_analyzer: str  # bigram (built in everywhere) | kuromoji (plugin)
    opensearch_knn_engine: str  # lucene (pure Java) | faiss | nmslib (native libraries)
    opensearch_knn_space: str  # cosinesimil | innerproduct | l2
    # basic-auth credentials injected by ECS `secrets` from Secrets Manager (templates/);
    # kept out of repr so that logging the settings never prints the password
    opensearch_username: str | None = field(repr=False)
    opensearch_password: str | None = field(repr=False)
    # embeddings
    bedrock_region: str | None
    bedrock_model_id: str
    embedding_dimensions: int
    # processing
    ocr_languages: str
    worker_concurrency: int
    max_file_bytes: int
    page_timeout_s: float
    file_budget_s: float
    process_memory_limit_mb: int | None  # per pool process; None: sized from the task
    # queue loop
    visibility_timeout_s: int
    wait_time_s: int
    max_receive: int
    shutdown_budget_s: float
    # AWS and runtime environment
    aws_region: str | None
    aws_endpoint_url: str | None
    environment: str
    log_level: str
    ecs_agent_uri: str | None
    xray_daemon_address: str | None
    tracing: bool
    # queue worker: heartbeat, retries, health, task protection (worker/queue/runtime.py)
    message_hold_cap_s: float  # hard cap on keeping one message hidden by heartbeats
    retry_backoff_base_s: int  # visibility after a transient error, doubled per receive
    retry_backoff_max_s: int
    health_file: str  # touched by the loop; `cis-worker health` checks its age
    health_max_age_s: float
    # operator task only (index-setup, snapshots; templates/service.py): the worker's role
    # to map to the index write role, and where snapshots go (S3 with a role, or a folder)
    search_worker_role_arn: str | None = None
    snapshot_bucket: str | None = None
    snapshot_role_arn: str | None = None
    snapshot_path: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        endpoint = _endpoint(env)
        return cls(
            sqs_queue_url=_opt(env, "SQS_QUEUE_URL"),
            sqs_dlq_url=_opt(env, "SQS_DLQ_URL"),
            s3_landing_bucket=_opt(env, "S3_LANDING_BUCKET"),
            s3_thumbnail_bucket=_opt(env, "S3_THUMBNAIL_BUCKET"),
            s3_thumbnail_kms_key_id=_opt(env, "S3_THUMBNAIL_KMS_KEY_ID"),
            output_dir=_opt(env, "OUTPUT_DIR"),
            opensearch_endpoint=endpoint,
            opensearch_index=_opt(env, "OPENSEARCH_INDEX") or "cis-files",
            opensearch_auth=_choice(env, "OPENSEARCH_AUTH", ("sigv4", "basic", "none"),
                                    default=_default_auth(endpoint)),
            opensearch_secret_id=_opt(env, "OPENSEARCH_SECRET_ID"),
            opensearch_japanese_analyzer=_choice(env, "OPENSEARCH_JAPANESE_ANALYZER",
                                                 ("bigram", "kuromoji")),
            opensearch_knn_engine=_choice(env, "OPENSEARCH_KNN_ENGINE",
                                          ("lucene", "faiss", "nmslib")),
            opensearch_knn_space=_choice(env, "OPENSEARCH_KNN_SPACE",
                                         ("cosinesimil", "innerproduct", "l2")),
            opensearch_username=_opt(env, "OPENSEARCH_USERNAME"),
            opensearch_password=_opt(env, "OPENSEARCH_PASSWORD"),
            bedrock_region=_opt(env, "BEDROCK_REGION"),
            bedrock_model_id=_opt(env, "BEDROCK_MODEL_ID") or "amazon.titan-embed-text-v2:0",
            embedding_dimensions=_int(env, "EMBEDDING_DIMENSIONS", 1024),
            ocr_languages=_opt(env, "OCR_LANGUAGES") or "jpn+eng",
            worker_concurrency=_int(env, "WORKER_CONCURRENCY", default_jobs()),
            max_file_bytes=_int(env, "MAX_FILE_BYTES", 512 * 1024 * 1024),
            page_timeout_s=_float(env, "PAGE_TIMEOUT_SECONDS", 180.0),
            file_budget_s=_float(env, "FILE_BUDGET_SECONDS", 1800.0),
            process_memory_limit_mb=memory_limit_override(env),
            visibility_timeout_s=_int(env, "VISIBILITY_TIMEOUT_SECONDS", 300),
            wait_time_s=_int(env, "SQS_WAIT_TIME_SECONDS", 20),
            max_receive=_int(env, "SQS_MAX_MESSAGES", 10),
            shutdown_budget_s=_float(env, "SHUTDOWN_BUDGET_SECONDS", 90.0),
            aws_region=_opt(env, "AWS_REGION") or _opt(env, "AWS_DEFAULT_REGION"),
            aws_endpoint_url=_opt(env, "AWS_ENDPOINT_URL"),
            environment=_opt(env, "ENVIRONMENT") or "dev",
            log_level=(_opt(env, "LOG_LEVEL") or "INFO").upper(),
            ecs_agent_uri=_opt(env, "ECS_AGENT_URI"),
            xray_daemon_address=_opt(env, "AWS_XRAY_DAEMON_ADDRESS"),
            tracing=env.get("TRACING", "on").strip().lower() not in {"0", "off", "false", "no"},
            message_hold_cap_s=hard_cap_s(env),
            retry_backoff_base_s=_int(env, "RETRY_BACKOFF_BASE_SECONDS", 30),
            retry_backoff_max_s=_int(env, "RETRY_BACKOFF_MAX_SECONDS", 900),
            health_file=_opt(env, "HEALTH_FILE") or "/tmp/cis-worker.alive",
            health_max_age_s=_float(env, "HEALTH_MAX_AGE_SECONDS", 120.0),
            search_worker_role_arn=_opt(env, "SEARCH_WORKER_ROLE_ARN"),
            snapshot_bucket=_opt(env, "SNAPSHOT_BUCKET"),
            snapshot_role_arn=_opt(env, "SNAPSHOT_ROLE_ARN"),
            snapshot_path=_opt(env, "SNAPSHOT_PATH"),
        )

    def extraction_options(self, thumbnails: bool = True) -> ExtractionOptions:
        return ExtractionOptions(
            languages=self.ocr_languages,
            thumbnails=thumbnails,
            max_file_bytes=self.max_file_bytes,
            page_timeout_s=self.page_timeout_s,
            file_budget_s=self.file_budget_s,
        )

    def require(self, *names: str) -> None:
        """Raise ConfigurationError naming every missing variable (exit code 2)."""
        missing = [name for name in names if getattr(self, name.lower()) in (None, "")]
        if missing:
            raise ConfigurationError("missing required settings: " + ", ".join(missing))

    def require_for_run(self) -> None:
        self.require("SQS_QUEUE_URL")
        if not self.opensearch_endpoint and not self.output_dir:
            raise ConfigurationError(
                "missing required settings: OPENSEARCH_ENDPOINT (or OUTPUT_DIR for a dry run)"
            )
