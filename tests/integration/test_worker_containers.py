"""Containers through `cis-worker run` on moto's S3 → EventBridge → SQS into the real
OpenSearch node: an archive's members are indexed as child documents, an overwrite removes
the members it no longer has, a delete removes parent and children with their thumbnails,
and a mail's attachment is found by its own text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.archive_files import japanese_mail, write_zip
from tests.fixtures.japanese_pages import HORIZONTAL_LINES
from tests.fixtures.landing import Landing
from tests.fixtures.opensearch import OpenSearchNode
from tests.fixtures.pdfs import born_digital
from tests.support.envs import fast_env
from worker.models import SourceRef, child_document_id
from worker.search.mapping import IndexDesign

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]


class Index:
    def __init__(self, node: OpenSearchNode, design: IndexDesign) -> None:
        self.client, self.alias = node.client(), design.alias

    def hits(self, query: str, field: str = "content") -> dict[str, dict[str, Any]]:
        self.client.indices.refresh(index=self.alias)
        answer = self.client.search(index=self.alias, body={
            "size": 50, "query": {"match_phrase": {field: query}}})
        return {hit["_id"]: hit["_source"] for hit in answer["hits"]["hits"]}

    def all_ids(self) -> set[str]:
        self.client.indices.refresh(index=self.alias)
        answer = self.client.search(index=self.alias, body={"size": 100})
        return {hit["_id"] for hit in answer["hits"]["hits"]}


@pytest.fixture
def worker_env(landing: Landing, tmp_path: Path, opensearch_node: OpenSearchNode,
               search_design: IndexDesign) -> dict[str, str]:
    env = fast_env(landing, tmp_path, OPENSEARCH_ENDPOINT=opensearch_node.url,
                   OPENSEARCH_INDEX=search_design.alias, OPENSEARCH_AUTH="none",
                   EMBEDDING_DIMENSIONS=str(search_design.dimensions))
    env.pop("OUTPUT_DIR")
    return env


def test_an_archives_children_are_indexed_replaced_and_deleted_with_it(
        landing: Landing, start_worker, worker_env: dict[str, str], tmp_path: Path,
        opensearch_node: OpenSearchNode, search_design: IndexDesign) -> None:
    s3, index = landing.aws.client("s3"), Index(opensearch_node, search_design)
    pdf = born_digital(tmp_path / "見積書.pdf", pages=1).read_bytes()
    first = write_zip(tmp_path / "v1.zip", {"2024/見積書.pdf": pdf,
                                            "古い/議事録.txt": "廃止予定の議事録".encode()},
                      cp932=True)
    key = "共有/見積.zip"
    s3.put_object(Bucket=landing.bucket, Key=key, Body=first.read_bytes())
    worker = start_worker(worker_env)
    worker.wait_for_log("message done", timeout_s=180)

    parent = SourceRef(bucket=landing.bucket, key=key).document_id
    pdf_id = child_document_id(parent, "2024/見積書.pdf")
    old_id = child_document_id(parent, "古い/議事録.txt")
    assert index.all_ids() == {parent, pdf_id, old_id}
    [found] = index.hits("廃止予定").values()
    assert (found["id"], found["parent_id"]) == (old_id, parent)
    assert found["container_path"] == "見積.zip/古い/議事録.txt"
    stored_parent = index.client.get(index=search_design.alias, id=parent)["_source"]
    assert sorted(stored_parent["children"]) == sorted([pdf_id, old_id])
    thumbnails = {o["Key"] for o in s3.list_objects_v2(Bucket=landing.thumbnails)["Contents"]}
    assert thumbnails == {f"thumbnails/{pdf_id}.jpg"}  # the member PDF's, as for any PDF

    second = write_zip(tmp_path / "v2.zip", {"2024/見積書.pdf": pdf,
                                             "新規/メモ.txt": "新しく追加したメモ".encode()})
    s3.put_object(Bucket=landing.bucket, Key=key, Body=second.read_bytes())
    worker.wait_for_log("message done", count=2, timeout_s=180)
    new_id = child_document_id(parent, "新規/メモ.txt")
    assert index.all_ids() == {parent, pdf_id, new_id}  # the old member is gone
    assert index.hits("廃止予定") == {}

    s3.delete_object(Bucket=landing.bucket, Key=key)
    worker.wait_for_log("message done", count=3, timeout_s=180)
    assert index.all_ids() == set()
    assert s3.list_objects_v2(Bucket=landing.thumbnails)["KeyCount"] == 0


def test_a_mails_attachment_is_found_by_its_text(
        landing: Landing, start_worker, worker_env: dict[str, str], tmp_path: Path,
        opensearch_node: OpenSearchNode, search_design: IndexDesign) -> None:
    s3, index = landing.aws.client("s3"), Index(opensearch_node, search_design)
    pdf = born_digital(tmp_path / "見積書.pdf", pages=1).read_bytes()
    mail = japanese_mail({"御見積書.pdf": (pdf, "application/pdf")})
    key = "メール/見積依頼.eml"
    s3.put_object(Bucket=landing.bucket, Key=key, Body=mail.as_bytes())
    worker = start_worker(worker_env)
    worker.wait_for_log("message done", timeout_s=180)

    parent = SourceRef(bucket=landing.bucket, key=key).document_id
    hits = index.hits(HORIZONTAL_LINES[0][:10])  # text of the PDF only, not of the mail
    attachment = child_document_id(parent, "御見積書.pdf")
    assert attachment in hits
    assert hits[attachment]["container_path"] == "見積依頼.eml/御見積書.pdf"
    assert hits[attachment]["parent_id"] == parent
    assert set(index.hits("第3四半期", field="subject")) == {parent}
