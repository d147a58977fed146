"""The Embedder of worker/ports.py on Amazon Bedrock (Titan Text Embeddings V2).

One `invoke_model` per chunk (worker/search/embedding_text.py cuts the text), with
`dimensions` = EMBEDDING_DIMENSIONS (256, 512 or 1024) and `normalize` on; the chunk vectors
become one unit-length document vector. Errors are translated here:
- throttling, service unavailable, model not ready / timeout, 5xx, connection and read
  errors: retried with exponential backoff and jitter (tenacity; botocore's own retries are
  off so one policy decides), then ThrottledError / ServiceUnavailableError /
  TimeoutExceededError (transient);
- validation errors: PermanentError (this text cannot be embedded);
- access denied, unknown model, bad or missing credentials: ConfigurationError (fatal: no
  document will fare better).
Embedding is off when BEDROCK_REGION is unset: `from_settings` returns None and documents
are indexed without a vector.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential_jitter

from worker.adapters import aws
from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    PermanentError,
    ServiceUnavailableError,
    ThrottledError,
    TransientError,
    WorkerError,
)
from worker.search.embedding_text import DEFAULT_MAX_CHUNKS, chunk_text, combine

ALLOWED_DIMENSIONS = (256, 512, 1024)
_TRANSIENT = {"ThrottlingException", "ServiceUnavailableException", "ModelNotReadyException",
              "ModelTimeoutException", "InternalServerException", "ServiceQuotaExceededException"}
_FATAL = {"AccessDeniedException", "ResourceNotFoundException", "UnrecognizedClientException",
          "ExpiredTokenException"}


def translate(exc: Exception) -> WorkerError:
    """Our error for a Bedrock failure: its service errors here, the rest (no credentials,
    timeouts, connection errors) as for every AWS call."""
    if isinstance(exc, ClientError):
        code = aws.error_code(exc)
        message = exc.response.get("Error", {}).get("Message", "")
        if code == "ThrottlingException":
            return ThrottledError(f"Bedrock throttled: {message}")
        if code in _TRANSIENT:
            return ServiceUnavailableError(f"Bedrock {code}: {message}")
        if code in _FATAL:
            return ConfigurationError(f"Bedrock {code}: {message}")
        if code == "ValidationException":
            return PermanentError(f"Bedrock refused the text: {message}")
        return ServiceUnavailableError(f"Bedrock {code or 'error'}: {message}")
    return aws.translate(exc, "Bedrock")


class BedrockEmbedder:
    """Embeds text with Titan Text Embeddings V2 through `bedrock-runtime`."""

    def __init__(self, client: Any, model_id: str, dimensions: int, *, attempts: int = 5,
                 wait: wait_base | None = None, max_chunks: int = DEFAULT_MAX_CHUNKS) -> None:
        if dimensions not in ALLOWED_DIMENSIONS:
            raise ConfigurationError(f"EMBEDDING_DIMENSIONS must be 256, 512 or 1024 for "
                                     f"{model_id}, got {dimensions}")
        self.client = client
        self.model_id = model_id
        self.dimensions = dimensions
        self.attempts = attempts
        self.wait = wait if wait is not None else wait_exponential_jitter(multiplier=1, max=30)
        self.max_chunks = max_chunks

    @classmethod
    def from_settings(cls, settings: Settings) -> BedrockEmbedder | None:
        """None when BEDROCK_REGION is unset: embedding is off."""
        if not settings.bedrock_region:
            return None
        config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60)
        client = boto3.client("bedrock-runtime", region_name=settings.bedrock_region,
                              config=config)
        return cls(client, settings.bedrock_model_id, settings.embedding_dimensions)

    def embed(self, text: str) -> tuple[float, ...]:
        chunks = chunk_text(text, max_chunks=self.max_chunks)
        if not chunks:
            raise PermanentError("no text to embed")
        vectors = [self._embed_chunk(chunk) for chunk in chunks]
        if len(vectors) == 1:
            return tuple(vectors[0])
        return combine(vectors, [len(chunk) for chunk in chunks])

    def _embed_chunk(self, chunk: str) -> list[float]:
        retrying = Retrying(stop=stop_after_attempt(self.attempts), wait=self.wait,
                            retry=retry_if_exception_type(TransientError), reraise=True)
        vector: list[float] = retrying(self._invoke, chunk)
        return vector

    def _invoke(self, chunk: str) -> list[float]:
        body = json.dumps({"inputText": chunk, "dimensions": self.dimensions,
                           "normalize": True}, ensure_ascii=False)
        try:
            response = self.client.invoke_model(modelId=self.model_id, body=body,
                                                contentType="application/json",
                                                accept="application/json")
            payload = json.loads(response["body"].read())
        except (ClientError, BotoCoreError) as exc:
            raise translate(exc) from None
        except ValueError:
            raise ServiceUnavailableError("Bedrock answered with invalid JSON") from None
        vector = payload.get("embedding")
        if not isinstance(vector, list) or len(vector) != self.dimensions:
            size = len(vector) if isinstance(vector, list) else "no"
            raise ConfigurationError(f"{self.model_id} returned {size} dimensions, "
                                     f"expected {self.dimensions}")
        return [float(value) for value in vector]
