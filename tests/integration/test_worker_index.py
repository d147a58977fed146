"""`cis-worker run` writing to the real OpenSearch test node (the index helper's sink), on
moto's S3 → EventBridge → SQS: a file becomes a searchable document, its deletion removes
it, and an older event arriving late changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.landing import Landing
from tests.fixtures.opensearch import OpenSearchNode
from tests.integration.test_worker_e2e import SAMPLES
from tests.integration.test_worker_events import eventbridge_event
from tests.support.envs import fast_env
from worker.index_mapping import IndexDesign
from worker.models import SourceRef

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

    # a late event older than the one applied changes nothing
    landing.send(eventbridge_event(landing.bucket, key, "Object Created", "0"))
    worker.wait_for_log("message done", count=2, timeout_s=180)
    assert hits("営業会議") == [document_id]

    s3.delete_object(Bucket=landing.bucket, Key=key)
    worker.wait_for_log("message done", count=3, timeout_s=180)
    assert hits("営業会議") == []
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 0
