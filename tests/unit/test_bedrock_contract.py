"""The Bedrock Titan V2 contract, with botocore's Stubber (Bedrock has no local stand-in):
the request body we send, the response we parse, throttling retried then transient."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from tenacity import wait_none

from worker.adapters.bedrock import BedrockEmbedder, translate
from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    PermanentError,
    ServiceUnavailableError,
    ThrottledError,
    TimeoutExceededError,
)

MODEL = "amazon.titan-embed-text-v2:0"


@pytest.fixture
def runtime() -> Iterator[tuple[Any, Stubber, list[dict[str, Any]]]]:
    client = boto3.client("bedrock-runtime", region_name="ap-northeast-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    sent: list[dict[str, Any]] = []
    client.meta.events.register("before-parameter-build.bedrock-runtime.InvokeModel",
                                lambda params, **_: sent.append(dict(params)))
    with Stubber(client) as stubber:
        yield client, stubber, sent
        stubber.assert_no_pending_responses()


def reply(vector: list[float], tokens: int = 7) -> dict[str, Any]:
    data = json.dumps({"embedding": vector, "inputTextTokenCount": tokens}).encode()
    return {"body": StreamingBody(io.BytesIO(data), len(data)),
            "contentType": "application/json"}


EXPECTED = {"modelId": MODEL, "body": ANY, "contentType": "application/json",
            "accept": "application/json"}


def unit(dims: int, axis: int) -> list[float]:
    return [1.0 if i == axis else 0.0 for i in range(dims)]


def test_request_body_and_response(runtime: tuple[Any, Stubber, list[dict[str, Any]]]) -> None:
    client, stubber, sent = runtime
    stubber.add_response("invoke_model", reply(unit(256, 3)), EXPECTED)
    vector = BedrockEmbedder(client, MODEL, 256).embed("御見積書の件")
    assert vector == tuple(unit(256, 3))
    assert json.loads(sent[0]["body"]) == {"inputText": "御見積書の件", "dimensions": 256,
                                           "normalize": True}


def test_long_text_is_chunked_and_combined(
        runtime: tuple[Any, Stubber, list[dict[str, Any]]]) -> None:
    client, stubber, sent = runtime
    text = "。".join(["請求書の明細です"] * 1200)  # ~10,800 characters -> 3 chunks
    for axis in (0, 1, 1):
        stubber.add_response("invoke_model", reply(unit(512, axis)), EXPECTED)
    vector = BedrockEmbedder(client, MODEL, 512).embed(text)
    chunks = [json.loads(params["body"])["inputText"] for params in sent]
    assert len(chunks) == 3 and all(len(chunk) <= 4000 for chunk in chunks)
    assert chunks[0].endswith("。") and chunks[0].startswith("請求書")
    assert math.isclose(math.fsum(v * v for v in vector), 1.0)
    assert vector[1] > vector[0] > 0  # two chunks leaned on axis 1, one on axis 0


def test_throttling_is_retried(runtime: tuple[Any, Stubber, list[dict[str, Any]]]) -> None:
    client, stubber, _ = runtime
    for _ in range(2):
        stubber.add_client_error("invoke_model", "ThrottlingException", "slow down", 429)
    stubber.add_response("invoke_model", reply(unit(1024, 0)), EXPECTED)
    embedder = BedrockEmbedder(client, MODEL, 1024, attempts=3, wait=wait_none())
    assert embedder.embed("契約書")[0] == 1.0


def test_throttling_that_persists_is_transient(
        runtime: tuple[Any, Stubber, list[dict[str, Any]]]) -> None:
    client, stubber, _ = runtime
    for _ in range(3):
        stubber.add_client_error("invoke_model", "ThrottlingException", "slow down", 429)
    embedder = BedrockEmbedder(client, MODEL, 1024, attempts=3, wait=wait_none())
    with pytest.raises(ThrottledError) as caught:
        embedder.embed("契約書")
    assert caught.value.retryable


@pytest.mark.parametrize(("code", "status", "error"), [
    ("ValidationException", 400, PermanentError),
    ("AccessDeniedException", 403, ConfigurationError),
    ("ResourceNotFoundException", 404, ConfigurationError),
])
def test_errors_that_retrying_cannot_fix_are_not_retried(
        runtime: tuple[Any, Stubber, list[dict[str, Any]]], code: str, status: int,
        error: type[Exception]) -> None:
    client, stubber, _ = runtime
    stubber.add_client_error("invoke_model", code, "no", status)  # only one: no retry
    with pytest.raises(error):
        BedrockEmbedder(client, MODEL, 256, attempts=3, wait=wait_none()).embed("x")


def test_failures_before_bedrock_answers_are_classified_like_every_aws_call() -> None:
    assert isinstance(translate(NoCredentialsError()), ConfigurationError)  # not retried
    timeout = translate(ReadTimeoutError(endpoint_url="https://bedrock-runtime"))
    assert isinstance(timeout, TimeoutExceededError) and timeout.retryable
    unreachable = translate(EndpointConnectionError(endpoint_url="https://bedrock-runtime"))
    assert isinstance(unreachable, ServiceUnavailableError) and unreachable.retryable


def test_a_wrong_vector_size_is_a_configuration_error(
        runtime: tuple[Any, Stubber, list[dict[str, Any]]]) -> None:
    client, stubber, _ = runtime
    stubber.add_response("invoke_model", reply(unit(1024, 0)), EXPECTED)
    with pytest.raises(ConfigurationError, match="1024 dimensions"):
        BedrockEmbedder(client, MODEL, 256).embed("x")


def test_embedding_is_off_without_a_region_and_dimensions_are_checked() -> None:
    assert BedrockEmbedder.from_settings(Settings.from_env({})) is None
    on = BedrockEmbedder.from_settings(Settings.from_env({"BEDROCK_REGION": "ap-northeast-1",
                                                          "EMBEDDING_DIMENSIONS": "512"}))
    assert on is not None and on.model_id == MODEL and on.dimensions == 512
    with pytest.raises(ConfigurationError, match="256, 512 or 1024"):
        BedrockEmbedder.from_settings(Settings.from_env({"BEDROCK_REGION": "us-east-1",
                                                         "EMBEDDING_DIMENSIONS": "768"}))
    with pytest.raises(PermanentError):
        BedrockEmbedder(object(), MODEL, 256).embed("   ")
