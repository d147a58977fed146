"""Pure parts of the index: design, width rules, event order, error classification,
signing parameters, chunking."""

from __future__ import annotations

import math

import pytest
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from worker.config import Settings
from worker.errors import (
    ConfigurationError,
    DocumentRejectedError,
    ServiceUnavailableError,
    ThrottledError,
    TimeoutExceededError,
    TransientError,
)
from worker.models import sequencer_order
from worker.search.client import is_serverless, signing_region, signing_service
from worker.search.embedding_text import chunk_text, combine
from worker.search.mapping import IndexDesign, analysis, mappings, width_mappings
from worker.search.sink import item_error, request_error


def _unescape(side: str) -> str:
    return side.encode("ascii").decode("unicode_escape")


def test_width_rules_fold_full_width_latin_and_half_width_katakana() -> None:
    rules = dict(tuple(_unescape(side) for side in rule.split("=>")) for rule in width_mappings())
    assert rules["Ａ"] == "A" and rules["１"] == "1" and rules["\u3000"] == " "
    assert rules["ｶ"] == "カ" and rules["ｶﾞ"] == "ガ" and rules["ﾊﾟ"] == "パ"
    assert rules["ｰ"] == "ー" and rules["ﾞ"] == "゛"
    assert "ｱﾞ" not in rules  # no composed form: ｱ and ﾞ stay separate rules


def test_design_follows_settings() -> None:
    settings = Settings.from_env({"OPENSEARCH_INDEX": "files", "EMBEDDING_DIMENSIONS": "256",
                                  "OPENSEARCH_KNN_SPACE": "innerproduct"})
    design = IndexDesign.from_settings(settings, version=3)
    assert (design.index_name, design.index_pattern) == ("files-v3", "files-v*")
    vector = mappings(design)["properties"]["embedding"]
    assert vector["dimension"] == 256
    assert vector["method"] == {"name": "hnsw", "engine": "lucene", "space_type": "innerproduct"}
    with pytest.raises(ConfigurationError, match="OPENSEARCH_KNN_ENGINE"):
        Settings.from_env({"OPENSEARCH_KNN_ENGINE": "annoy"})


def test_kuromoji_adds_morph_fields_and_keeps_bigrams() -> None:
    plain = IndexDesign(alias="a", dimensions=4)
    kuromoji = IndexDesign(alias="a", dimensions=4, japanese_analyzer="kuromoji")
    assert "cis_ja_morph" not in analysis(plain)["analyzer"]
    assert analysis(kuromoji)["tokenizer"]["cis_kuromoji"]["type"] == "kuromoji_tokenizer"
    content = mappings(kuromoji)["properties"]["content"]
    assert content["analyzer"] == "cis_ja"
    assert content["fields"]["morph"]["analyzer"] == "cis_ja_morph"
    assert "morph" not in mappings(plain)["properties"]["content"].get("fields", {})


def test_event_order_pads_so_that_string_order_is_numeric_order() -> None:
    assert sequencer_order(None) is None and sequencer_order("") is None
    small, big = sequencer_order("ff"), sequencer_order("0100")
    assert small is not None and big is not None and small < big
    assert len(small) == 64 and small.endswith("FF")
    assert sequencer_order("0055AED6DCD90281E5") > sequencer_order("0055AED6DCD90281E4")  # type: ignore[operator]
    with pytest.raises(ValueError):
        sequencer_order("not-hex")


@pytest.mark.parametrize(("status", "expected"), [
    (400, DocumentRejectedError), (429, ThrottledError), (503, ServiceUnavailableError),
    (409, TransientError), (404, TransientError)])
def test_bulk_item_errors_are_classified(status: int, expected: type[Exception]) -> None:
    error = item_error(status, {"type": "x_exception", "reason": "why",
                                "caused_by": {"type": "cause", "reason": "because"}})
    assert isinstance(error, expected)
    assert "x_exception: why (cause: because)" in error.reason
    assert item_error(201, None) is None


def test_whole_request_errors_are_classified() -> None:
    assert isinstance(request_error(ConnectionTimeout("TIMEOUT", "t", None)),
                      TimeoutExceededError)
    assert isinstance(request_error(OpenSearchConnectionError("N/A", "refused", None)),
                      ServiceUnavailableError)
    assert isinstance(request_error(TransportError(429, "too many", {})), ThrottledError)
    assert isinstance(request_error(TransportError(502, "bad gateway", {})),
                      ServiceUnavailableError)
    too_big = request_error(TransportError(413, "too large", {}))
    assert isinstance(too_big, DocumentRejectedError) and not too_big.retryable


def test_signing_service_and_region_come_from_the_host() -> None:
    settings = Settings.from_env({"AWS_REGION": "us-west-2"})
    domain = "search-files-abc123.ap-northeast-1.es.amazonaws.com"
    collection = "abc123xyz.ap-northeast-1.aoss.amazonaws.com"
    assert (signing_service(domain), signing_region(domain, settings)) == (
        "es", "ap-northeast-1")
    assert signing_service(collection) == "aoss"
    assert is_serverless(Settings.from_env({"OPENSEARCH_ENDPOINT": collection}))
    assert not is_serverless(Settings.from_env({"OPENSEARCH_ENDPOINT": domain}))
    assert signing_region("vpc-proxy.internal", settings) == "us-west-2"
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        signing_region("vpc-proxy.internal", Settings.from_env({}))


def test_chunks_respect_the_limit_and_prefer_sentence_ends() -> None:
    text = "".join(f"これは{n}番目の文です。" for n in range(400))
    chunks = chunk_text(text, max_chars=500, overlap=50)
    assert all(len(chunk) <= 500 for chunk in chunks)
    assert all(chunk.endswith("。") for chunk in chunks[:-1])
    assert chunks[0].startswith("これは0番目") and chunks[-1].endswith("これは399番目の文です。")
    assert chunk_text("x" * 10_000, max_chars=1000, overlap=0, max_chunks=3) == ["x" * 1000] * 3
    assert chunk_text("  \n ") == []


def test_combined_vector_is_a_weighted_unit_vector() -> None:
    vector = combine([[1.0, 0.0], [0.0, 1.0]], [3, 1])
    assert math.isclose(math.hypot(*vector), 1.0)
    assert math.isclose(vector[0] / vector[1], 3.0)
    with pytest.raises(ValueError):
        combine([[1.0, 0.0], [-1.0, 0.0]], [1, 1])


def test_a_hit_inside_a_container_is_named_by_its_container_path() -> None:
    from worker.search.admin import format_hit

    hit = {"_id": "x", "_score": 1.5, "_source": {
        "file_name": "見積書.pdf", "container_path": "見積.zip/2024/見積書.pdf",
        "source": {"bucket": "landing", "key": "共有/見積.zip"}}}
    assert format_hit(1, hit).startswith(" 1. 見積.zip/2024/見積書.pdf  score 1.50  "
                                         "s3://landing/共有/見積.zip")
