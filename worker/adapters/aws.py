"""boto3 clients with one retry and timeout policy, and botocore errors in our classes.

Every AWS client of the worker comes from `client()`: retries in botocore's standard mode
(exponential backoff with jitter, throttling-aware), bounded connect/read timeouts, and
the endpoint from the standard `AWS_ENDPOINT_URL` variable, which boto3 reads itself (a
local emulator in tests and demos). `translate()` is the one place that turns botocore
exceptions into the worker's error classes (DESIGN.md §3, Errors).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    ObjectGoneError,
    ServiceUnavailableError,
    ThrottledError,
    TimeoutExceededError,
    TransientError,
    WorkerError,
)

GONE_CODES = frozenset({"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NotFound", "404"})
THROTTLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
    "SlowDown", "TooManyRequestsException", "RequestLimitExceeded",
    "ProvisionedThroughputExceededException", "RequestThrottledException",
})


def client(service: str, settings: Settings, read_timeout_s: float = 60.0) -> Any:
    """A client for `service` in the configured region (endpoint from AWS_ENDPOINT_URL)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": 4},
        connect_timeout=5,
        read_timeout=read_timeout_s,
        tcp_keepalive=True,
        max_pool_connections=20,
    )
    session = boto3.session.Session(region_name=settings.aws_region)
    return session.client(service, config=config)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def translate(exc: Exception, what: str) -> WorkerError:
    """Our error class for a botocore failure while doing `what` (e.g. 'GetObject s3://…')."""
    if isinstance(exc, WorkerError):
        return exc
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        reason = f"{what}: {code or status}"
        if code in GONE_CODES:
            return ObjectGoneError(reason)
        if code in THROTTLE_CODES or status == 429 or status == 503:
            return ThrottledError(reason)
        if status >= 500:
            return ServiceUnavailableError(reason)
        # Access denied, KMS refusals, validation errors: not the file's fault, and
        # deleting the message would lose the file. Retried, then kept in the DLQ.
        return TransientError(reason)
    if isinstance(exc, NoCredentialsError):
        return ConfigurationError(f"{what}: no AWS credentials")
    if isinstance(exc, ReadTimeoutError):
        return TimeoutExceededError(f"{what}: read timeout")
    if isinstance(exc, ConnectionError):
        return ServiceUnavailableError(f"{what}: {type(exc).__name__}")
    if isinstance(exc, BotoCoreError):
        return TransientError(f"{what}: {type(exc).__name__}: {exc}")
    return TransientError(f"{what}: unexpected {type(exc).__name__}: {exc}")
