"""`cis-worker run` writing to the real OpenSearch test node (the index helper's sink), on
moto's S3 → EventBridge → SQS: a file becomes a searchable document, its deletion removes
it, an older event arriving late changes nothing, and while the node is down the messages
stay on the queue until it returns, then each file is indexed exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.landing import Landing, make_landing
from tests.fixtures.moto import AwsEnv
from tests.fixtures.opensearch import OpenSearchNode, own_node, unique_name
from tests.integration.test_worker_e2e import SAMPLES
from tests.integration.test_worker_events import eventbridge_event
from tests.support.envs import fast_env
from worker.models import SourceRef
from worker.search.admin import setup_index
from worker.search.mapping import IndexDesign

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]


def test_files_become_searchable_and_deleted_files_disappear(
        landing: Landing, start_worker, tmp_path: Path, opensearch_node: OpenSearchNode,
        search_design: IndexDesign) -> None:
    s3, client = landing.aws.client("s3"), opensearch_node.client()
    key = "議事録/第12回 営業会議.docx"
    s3.put_object(Bucket=landing.bucket, Key=key, Body=(SAMPLES / "議事録.docx").read_bytes())
    env = fast_env(landing, tmp_path, OPENSEARCH_ENDPOINT=opensearch_node.url,
                   OPENSEARCH_INDEX=search_design.alias, OPENSEARCH_AUTH="none",
                   EMBEDDING_DIMENSIONS=str(search_design.dimensions))
    env.pop("OUTPUT_DIR")
    worker = start_worker(env)
    worker.wait_for_log("message done", timeout_s=180)
    document_id = SourceRef(bucket=landing.bucket, key=key).document_id

    def hits(query: str) -> list[str]:
        client.indices.refresh(index=search_design.alias)
        answer = client.search(index=search_design.alias, body={
            "query": {"match": {"content": query}}})
        return [hit["_id"] for hit in answer["hits"]["hits"]]

    assert hits("営業会議") == [document_id]
    stored = client.get(index=search_design.alias, id=document_id)["_source"]
    assert stored["thumbnail"] == f"thumbnails/{document_id}.jpg"

    # a late event older than the one applied changes nothing: the sink refuses it as
    # stale (the same content is downloaded again, so only the outcome and the untouched
    # stored document show that the order was kept)
    landing.send(eventbridge_event(landing.bucket, key, "Object Created", "0"))
    late = worker.wait_for_log("message done", count=2, timeout_s=180)[1]
    assert late["outcomes"] == ["stale"]
    after = client.get(index=search_design.alias, id=document_id)["_source"]
    assert after["source"]["sequencer"] == stored["source"]["sequencer"] != "0"
    assert after == stored  # not rewritten: same processed_at, indexed_at, event order
    assert hits("営業会議") == [document_id]

    s3.delete_object(Bucket=landing.bucket, Key=key)
    worker.wait_for_log("message done", count=3, timeout_s=180)
    assert hits("営業会議") == []
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 0


@pytest.fixture
def outage_node() -> Iterator[OpenSearchNode]:
    """A node of this test's own (a free port), so stopping it disturbs no other test."""
    with own_node() as node:
        yield node


def test_index_outage_keeps_messages_until_the_node_returns(
        aws: AwsEnv, start_worker, tmp_path: Path, outage_node: OpenSearchNode) -> None:
    # A generous redrive count and a short backoff: however long the restart takes, the
    # messages are retried while the node is down and never reach the DLQ meanwhile.
    landing = make_landing(aws, max_receive=100)
    alias = unique_name("test-outage")
    setup_index(outage_node.settings(alias), client=outage_node.client())
    env = fast_env(landing, tmp_path, OPENSEARCH_ENDPOINT=outage_node.url,
                   OPENSEARCH_INDEX=alias, OPENSEARCH_AUTH="none",
                   RETRY_BACKOFF_BASE_SECONDS="1", RETRY_BACKOFF_MAX_SECONDS="3")
    env.pop("OUTPUT_DIR")
    worker = start_worker(env)
    worker.wait_for_log("worker started")
    assert outage_node.script("stop").returncode == 0

    s3 = aws.client("s3")
    keys = ["障害/取引先一覧.csv", "障害/売上集計.xlsx"]
    for key in keys:
        s3.put_object(Bucket=landing.bucket, Key=key,
                      Body=(SAMPLES / key.split("/")[1]).read_bytes())
    worker.wait_for(lambda: len({line["message_id"] for line in
                                 worker.logs("message kept for a retry")}) == 2,
                    "both messages kept for a retry", timeout_s=180)
    assert worker.logs("message done") == []  # nothing acknowledged that was not indexed
    assert all(line["error_class"] == "transient"
               for line in worker.logs("message kept for a retry"))
    assert landing.count() == 2

    restarted = outage_node.script("start")
    assert restarted.returncode == 0, restarted.stderr
    worker.wait_for_log("message done", count=2, timeout_s=240)
    worker.wait_for(lambda: landing.count() == 0, "the queue to empty", timeout_s=60)
    assert landing.count(landing.dlq_url) == 0

    client = outage_node.client()
    client.indices.refresh(index=alias)
    hits = client.search(index=alias, body={"size": 10})["hits"]["hits"]
    expected = {SourceRef(bucket=landing.bucket, key=key).document_id for key in keys}
    assert sorted(hit["_id"] for hit in hits) == sorted(expected)  # each exactly once
    assert any("伊藤" in hit["_source"]["content"] for hit in hits)
    client.indices.delete(index=f"{alias}-v*")
    client.indices.delete_index_template(name=f"{alias}-template")
