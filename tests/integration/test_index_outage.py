"""The index goes away mid-run: writes come back transient (nothing reported written that
was not), and after the node returns the same batch lands exactly once.

Runs its own node on the next port, so stopping it disturbs no other test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tenacity import wait_none

from tests.fixtures.opensearch import OpenSearchNode, own_node, unique_name
from tests.integration.index_helpers import count, make_document, refresh
from worker.errors import ServiceUnavailableError, TransientError
from worker.models import SourceRef
from worker.search.admin import setup_index
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]


@pytest.fixture(scope="module")
def outage_node() -> Iterator[OpenSearchNode]:
    with own_node() as node:
        yield node


def test_node_down_means_transient_and_restart_means_exactly_once(
        outage_node: OpenSearchNode) -> None:
    alias = unique_name("test-outage")
    setup_index(outage_node.settings(alias), client=outage_node.client())
    sink = OpenSearchSink(outage_node.client(), alias, attempts=3, wait=wait_none())
    before = [make_document(f"o/{n}.pdf", [f"障害前{n}"]) for n in range(3)]
    during = [make_document(f"o/during-{n}.pdf", [f"障害中{n}"]) for n in range(4)]
    assert [r.error for r in sink.write(before)] == [None] * 3

    assert outage_node.script("stop").returncode == 0
    results = sink.write(during)
    assert [r.document_id for r in results] == [d.id for d in during]
    assert all(isinstance(r.error, ServiceUnavailableError) for r in results)
    assert all(r.error is not None and r.error.retryable and not r.stale for r in results)
    with pytest.raises(TransientError):
        sink.delete(SourceRef(bucket="landing", key="o/0.pdf"))

    restarted = outage_node.script("start")
    assert restarted.returncode == 0, restarted.stderr
    refresh(sink.client, alias)
    assert count(sink.client, alias) == 3  # nothing of the failed batch was written
    assert [r.error for r in sink.write(during)] == [None] * 4  # the queue redelivers
    assert [r.error for r in sink.write(during[:2])] == [None] * 2  # and once more
    refresh(sink.client, alias)
    ids = [h["_id"] for h in sink.client.search(index=alias, body={"size": 20})["hits"]["hits"]]
    assert sorted(ids) == sorted(d.id for d in before + during)
    sink.client.indices.delete(index=f"{alias}-v*")
    sink.client.indices.delete_index_template(name=f"{alias}-template")


def test_the_script_reuses_a_running_node(outage_node: OpenSearchNode) -> None:
    again = outage_node.script("start")
    assert again.returncode == 0
    assert "already running" in again.stderr
    status = outage_node.script("status")
    assert status.returncode == 0 and f":{outage_node.port}" in status.stdout
    if os.geteuid() == 0:  # OpenSearch refuses root: the script runs it as its own user
        pid = status.stdout.split()[2]
        with open(f"/proc/{pid}/status") as proc:
            uid = next(line.split()[1] for line in proc if line.startswith("Uid:"))
        assert uid != "0"
