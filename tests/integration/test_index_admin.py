"""index-setup is idempotent, a new mapping version moves the alias without losing a
document, and `cis-worker search` shows what an operator needs — on the real node."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from tests.fixtures.opensearch import OpenSearchNode
from tests.integration.index_helpers import count, found, make_document, refresh
from tests.support.search import scratch_alias
from worker.errors import ConfigurationError
from worker.search.admin import setup_index
from worker.search.mapping import MAPPING_VERSION
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]


@pytest.fixture
def alias(opensearch_node: OpenSearchNode) -> Iterator[str]:
    with scratch_alias(opensearch_node, "test-admin") as name:
        yield name


def _cli(node: OpenSearchNode, alias: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENSEARCH_ENDPOINT": node.url, "OPENSEARCH_INDEX": alias,
           "OPENSEARCH_AUTH": "none", "EMBEDDING_DIMENSIONS": "4"}
    return subprocess.run([sys.executable, "-m", "worker", *args], env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def _aliases(client: OpenSearch, alias: str) -> list[str]:
    return sorted(client.indices.get_alias(name=alias))


def test_index_setup_twice_is_harmless(opensearch_node: OpenSearchNode, alias: str) -> None:
    first = _cli(opensearch_node, alias, "index-setup")
    assert first.returncode == 0, first.stderr
    assert f"created index {alias}-v{MAPPING_VERSION}" in first.stdout
    client = opensearch_node.client()
    OpenSearchSink(client, alias).write([make_document("k/議事録.pdf", ["議事録"])])
    second = _cli(opensearch_node, alias, "index-setup")
    assert second.returncode == 0, second.stderr
    assert "created" not in second.stdout
    refresh(client, alias)
    assert count(client, alias) == 1
    assert _aliases(client, alias) == [f"{alias}-v{MAPPING_VERSION}"]


def test_a_new_version_moves_the_alias_and_search_keeps_working(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    client = opensearch_node.client()
    settings = opensearch_node.settings(alias)
    setup_index(settings, version=1, client=client)
    sink = OpenSearchSink(client, alias)
    docs = [make_document(f"m/報告書{n}.pdf", [f"月次報告書 その{n}"], sequencer="0A")
            for n in range(5)]
    sink.write(docs)
    sink.delete(dataclasses.replace(docs[4].source, sequencer="0B"))
    refresh(client, alias)
    assert len(found(client, alias, "報告書")) == 4

    setup_index(settings, version=2, client=client)
    assert _aliases(client, alias) == [f"{alias}-v2"]
    refresh(client, alias)
    assert len(found(client, alias, "報告書")) == 4  # the tombstone moved too, still hidden
    assert sink.write([docs[4]])[0].stale  # and still rejects the older create
    assert sink.write([make_document("m/新規.pdf", ["新しい報告書"])])[0].error is None
    refresh(client, alias)
    assert count(client, f"{alias}-v2") == 5 + 1  # 4 documents, 1 tombstone, 1 new
    assert len(found(client, alias, "報告書")) == 5
    setup_index(settings, version=2, client=client)  # idempotent after the move too
    assert _aliases(client, alias) == [f"{alias}-v2"]


def test_an_index_named_like_the_alias_is_a_clear_configuration_error(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    client = opensearch_node.client()
    client.indices.create(index=alias)
    with pytest.raises(ConfigurationError, match="not an alias"):
        setup_index(opensearch_node.settings(alias), client=client)
    result = _cli(opensearch_node, alias, "index-setup")
    assert result.returncode == 2 and "not an alias" in result.stderr


def test_writes_before_index_setup_fail_transient_and_create_nothing(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    client = opensearch_node.client()
    result = OpenSearchSink(client, alias, attempts=1).write([make_document("n/a.pdf", ["a"])])
    assert result[0].error is not None and result[0].error.retryable
    assert not client.indices.exists(index=alias)  # no auto-created index in the alias's way


def test_search_command_prints_hits_with_highlights_and_pages(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    client = opensearch_node.client()
    setup_index(opensearch_node.settings(alias), client=client)
    OpenSearchSink(client, alias).write([
        make_document("s/会議資料.pdf", ["表紙", "第二四半期の売上報告"], method="ocr"),
        make_document("s/other.pdf", ["関係のない文書"]),
    ])
    refresh(client, alias)
    result = _cli(opensearch_node, alias, "search", "売上報告")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "1 documents match '売上報告'"
    assert lines[1].startswith(" 1. 会議資料.pdf") and "s3://landing/s/会議資料.pdf" in lines[1]
    assert any("第二四半期の[売上報告]" in line for line in lines[2:])
    assert any(line.strip().startswith("p.2:") for line in lines[2:])
    missing = _cli(opensearch_node, alias, "search", "--semantic", "売上")
    assert missing.returncode == 2 and "BEDROCK_REGION" in missing.stderr
    no_index = _cli(opensearch_node, alias + "-absent", "search", "売上")
    assert no_index.returncode == 2 and "index-setup" in no_index.stderr


def test_catch_up_carries_late_writes_and_keeps_newer_events(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    """What reached the old index during the copy is carried over after the swap, by the
    ordering rule: a newer event already in the new index is kept."""
    from worker.search.admin import catch_up
    from worker.search.sink import document_body

    client = opensearch_node.client()
    settings = opensearch_node.settings(alias)
    setup_index(settings, version=1, client=client)
    sink = OpenSearchSink(client, alias)
    copied = make_document("l/a.pdf", ["版1"], sequencer="01")
    sink.write([copied])
    setup_index(settings, version=2, client=client)  # v1 -> v2, alias on v2
    late = dataclasses.replace(copied, content="版2",
                               source=dataclasses.replace(copied.source, sequencer="02"))
    newest = make_document("l/b.pdf", ["新"], sequencer="09")
    outdated = dataclasses.replace(newest, content="旧",
                                   source=dataclasses.replace(newest.source, sequencer="08"))
    sink.write([newest])  # arrived at v2 first
    for doc in (late, outdated):  # written to v1 while the copy ran
        client.index(index=f"{alias}-v1", id=doc.id, body=document_body(doc))
    client.indices.refresh(index=f"{alias}-v1")
    assert catch_up(client, alias, [f"{alias}-v1"], since_ms=0) == 2  # late replaced copied in v1
    v2 = f"{alias}-v2"
    assert client.get(index=v2, id=copied.id)["_source"]["content"] == "版2"
    assert client.get(index=v2, id=newest.id)["_source"]["content"] == "新"


class QueryEmbedder:
    """A fake of our Embedder port: the query's vector is known."""

    model_id = "fake-model"

    def __init__(self, vector: tuple[float, ...]) -> None:
        self.vector = vector
        self.seen: list[str] = []

    def embed(self, text: str) -> tuple[float, ...]:
        self.seen.append(text)
        return self.vector


def test_semantic_search_prints_the_nearest_documents_first(
        opensearch_node: OpenSearchNode, alias: str, capsys: pytest.CaptureFixture[str]) -> None:
    from worker.search.admin import search_index

    client = opensearch_node.client()
    settings = opensearch_node.settings(alias)
    setup_index(settings, client=client)
    OpenSearchSink(client, alias).write([
        make_document("q/予算案.pdf", ["来期の予算"], embedding=(0.8, 0.6, 0.0, 0.0)),
        make_document("q/議事録.pdf", ["会議"], embedding=(0.0, 0.0, 1.0, 0.0)),
        make_document("q/見積.pdf", ["見積"], embedding=(1.0, 0.0, 0.0, 0.0)),
        make_document("q/no-vector.pdf", ["ベクトルなし"]),
    ])
    refresh(client, alias)
    capsys.readouterr()
    embedder = QueryEmbedder((1.0, 0.0, 0.0, 0.0))
    assert search_index(settings, "来期の予算", semantic=True, size=3, client=client,
                        embedder=embedder) == 0
    assert embedder.seen == ["来期の予算"]
    printed = [line.split()[1] for line in capsys.readouterr().out.splitlines()[1:]
               if line.startswith(" ")]
    assert printed == ["見積.pdf", "予算案.pdf", "議事録.pdf"]
