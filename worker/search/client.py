"""The one place an OpenSearch client is built: endpoint, authentication, TLS, timeouts.

- `sigv4`: requests signed with the task's AWS credentials (refreshed by botocore), for
  Amazon OpenSearch Service (`es`) and Serverless (`aoss`, told apart by the host name).
  The client uses urllib3, so the signer is opensearch-py's `Urllib3AWSV4SignerAuth`
  (`AWSV4SignerAuth` is the one for `RequestsHttpConnection`).
- `basic`: for domains with fine-grained access control. On ECS the task definition injects
  OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD from Secrets Manager through `secrets` (the
  execution role reads the secret); elsewhere the worker reads the Secrets Manager secret
  OPENSEARCH_SECRET_ID (JSON with `username` and `password`) itself, once per client,
  through `worker.adapters.aws.client` like every AWS call.
- `none`: the local test node.
TLS certificates are always verified. The client does not retry by itself: the sink owns
the retry policy (backoff with jitter), so retries are not multiplied.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth, Urllib3HttpConnection

from worker.adapters import aws
from worker.config import Settings
from worker.errors import ConfigurationError

_AWS_HOST = re.compile(
    r"\.(?P<region>[a-z]{2}(-[a-z]+)+-\d)\.(?P<service>es|aoss)\.amazonaws\.com$")


def signing_service(host: str) -> str:
    """`aoss` for OpenSearch Serverless collections, `es` for everything else."""
    match = _AWS_HOST.search(host)
    return match.group("service") if match else "es"


def is_serverless(settings: Settings) -> bool:
    """An OpenSearch Serverless collection (no scripted updates, templates or aliases)."""
    host = urlparse(settings.opensearch_endpoint or "").hostname or ""
    return settings.opensearch_auth == "sigv4" and signing_service(host) == "aoss"


def signing_region(host: str, settings: Settings) -> str:
    match = _AWS_HOST.search(host)
    if match:
        return match.group("region")
    if settings.aws_region:
        return settings.aws_region
    raise ConfigurationError("sigv4 needs AWS_REGION when the endpoint host names no region")


def basic_credentials(settings: Settings) -> tuple[str, str]:
    """(username, password), injected by ECS or read from the secret; never logged."""
    if settings.opensearch_username and settings.opensearch_password:
        return settings.opensearch_username, settings.opensearch_password
    if not settings.opensearch_secret_id:
        raise ConfigurationError("missing required settings: OPENSEARCH_SECRET_ID or "
                                 "OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD "
                                 "(OPENSEARCH_AUTH=basic)")
    try:
        secret = aws.client("secretsmanager", settings).get_secret_value(
            SecretId=settings.opensearch_secret_id)
    except ClientError as exc:
        code = aws.error_code(exc)
        if code in {"ResourceNotFoundException", "AccessDeniedException"}:
            raise ConfigurationError(f"cannot read OPENSEARCH_SECRET_ID: {code}") from None
        raise aws.translate(exc, "Secrets Manager") from None
    except BotoCoreError as exc:
        raise aws.translate(exc, "Secrets Manager") from None
    try:
        data = json.loads(secret["SecretString"])
        return str(data["username"]), str(data["password"])
    except (KeyError, TypeError, ValueError):
        raise ConfigurationError(
            "the OPENSEARCH_SECRET_ID secret must be JSON with username and password") from None


def sigv4_auth(host: str, settings: Settings, service: str | None = None
               ) -> Urllib3AWSV4SignerAuth:
    credentials = boto3.Session(region_name=settings.aws_region).get_credentials()
    if credentials is None:
        raise ConfigurationError("sigv4: no AWS credentials found for the task")
    return Urllib3AWSV4SignerAuth(credentials, signing_region(host, settings),
                                  service or signing_service(host))


def connect(settings: Settings, *, service: str | None = None) -> OpenSearch:
    """A client for OPENSEARCH_ENDPOINT with the configured authentication."""
    if not settings.opensearch_endpoint:  # a URL: Settings adds https:// to a bare host
        raise ConfigurationError("missing required settings: OPENSEARCH_ENDPOINT")
    url = urlparse(settings.opensearch_endpoint)
    host = url.hostname or ""
    https = url.scheme == "https"
    auth: object = None
    if settings.opensearch_auth == "sigv4":
        auth = sigv4_auth(host, settings, service)
    elif settings.opensearch_auth == "basic":
        auth = basic_credentials(settings)
    return OpenSearch(
        hosts=[{"host": host, "port": url.port or (443 if https else 80),
                "scheme": url.scheme}],
        http_auth=auth,
        use_ssl=https,
        verify_certs=True,
        ssl_show_warn=True,
        connection_class=Urllib3HttpConnection,
        timeout=30,
        max_retries=0,
        retry_on_timeout=False,
        http_compress=https,  # bulk bodies of Japanese text compress well; not worth it on loopback
    )
