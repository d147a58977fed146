"""Snapshots on the real node: index-setup registers a filesystem repository, a snapshot is
taken, the index is lost, and the restore brings every document back behind the alias — the
disaster-recovery path of docs/runbook.md, with `fs` where AWS uses `s3`.

The node must have `path.repo` (scripts/opensearch.sh sets it); a node started by an older
script lacks it and this test says so.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from tests.fixtures.opensearch import OpenSearchNode
from tests.integration.index_helpers import count, found, make_document, refresh
from tests.support.search import scratch_alias
from worker.errors import ConfigurationError
from worker.search.admin import setup_index
from worker.search.mapping import IndexDesign
from worker.search.sink import OpenSearchSink
from worker.search.snapshots import (
    REPOSITORY,
    RESTORED_PREFIX,
    restore_behind_alias,
    take_snapshot,
)

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]


def _path_repo(client: OpenSearch) -> str:
    nodes = client.nodes.info(metric="settings")["nodes"]
    paths = [node["settings"].get("path", {}).get("repo") for node in nodes.values()]
    repo = paths[0]
    assert repo, ("the test node has no path.repo: it was started before scripts/opensearch.sh "
                  "set one; restart it, or run with OPENSEARCH_TEST_PORT=<free port>")
    return str(repo[0] if isinstance(repo, list) else repo)


@pytest.fixture
def alias(opensearch_node: OpenSearchNode) -> Iterator[str]:
    with scratch_alias(opensearch_node, "test-snap", f"{RESTORED_PREFIX}{{name}}*") as name:
        yield name
    opensearch_node.client().snapshot.delete_repository(repository=f"{REPOSITORY}-{name}",
                                                        ignore=[404])


def test_snapshot_then_restore_brings_every_document_back(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    client = opensearch_node.client()
    location = f"{_path_repo(client)}/{alias}"
    settings = opensearch_node.settings(alias, SNAPSHOT_PATH=location)
    repository = f"{REPOSITORY}-{alias}"
    setup_index(settings, client=client)  # registers the repository named REPOSITORY
    assert client.snapshot.get_repository(repository=REPOSITORY)[REPOSITORY]["type"] == "fs"
    client.snapshot.create_repository(repository=repository, body={
        "type": "fs", "settings": {"location": location}})  # the test's own name, removed after
    client.snapshot.delete_repository(repository=REPOSITORY)
    design = IndexDesign.from_settings(settings)
    sink = OpenSearchSink(client, alias)
    documents = [make_document(f"経理/請求書_{n}.pdf", [f"請求書 第{n}号 株式会社見本"])
                 for n in range(25)]
    sink.write(documents)
    refresh(client, alias)

    name = take_snapshot(client, design, repository=repository)
    client.indices.delete(index=f"{alias}-v*")  # the disaster: the index is gone
    assert not client.indices.exists_alias(name=alias)
    restored = restore_behind_alias(client, design, name, repository=repository)

    assert restored == [f"{RESTORED_PREFIX}{design.index_name}"]
    refresh(client, alias)
    assert count(client, alias) == 25
    assert len(found(client, alias, "株式会社見本")) == 20  # a page of hits, as before
    seventh = client.get(index=restored[0], id=documents[7].id)["_source"]
    assert seventh["file_name"] == "請求書_7.pdf" and "第7号" in seventh["content"]
    # the worker keeps writing through the alias into the restored index
    sink.write([make_document("経理/見積書_新.pdf", ["見積書 新規"])])
    refresh(client, alias)
    assert count(client, alias) == 26


def test_granting_the_worker_on_a_cluster_without_security_is_a_clear_error(
        opensearch_node: OpenSearchNode, alias: str) -> None:
    """The local node has no security plugin: index-setup, asked to map the worker's role,
    says why it cannot instead of failing somewhere inside the client."""
    settings = opensearch_node.settings(
        alias, SEARCH_WORKER_ROLE_ARN="arn:aws:iam::123456789012:role/cis-prod-TaskRole")
    with pytest.raises(ConfigurationError, match="fine-grained access control"):
        setup_index(settings, client=opensearch_node.client())
