"""The sink's guarantees on a real node: replays are harmless, older events never win,
deletes stick, a bad document is reported permanent while the rest of the batch lands, and
vectors come back nearest-first."""

from __future__ import annotations

import dataclasses
import math

import pytest

from tests.fixtures.opensearch import OpenSearchNode, unique_name
from tests.integration.index_helpers import count, found, make_document, refresh
from worker.errors import DocumentRejectedError
from worker.models import SourceRef
from worker.ports import WriteResult
from worker.search.admin import setup_index
from worker.search.mapping import MAPPING_VERSION, IndexDesign, knn_query
from worker.search.sink import OpenSearchSink

pytestmark = [pytest.mark.integration, pytest.mark.opensearch]

# Real S3 sequencers are longer than 16 hex digits (more than 63 bits).
OLDER = "0055AED6DCD90281E4"
NEWER = "0055AED6DCD90281E5"


@pytest.fixture
def sink(search_design: IndexDesign, opensearch_node: OpenSearchNode) -> OpenSearchSink:
    return OpenSearchSink(opensearch_node.client(), search_design.alias)


def stored(sink: OpenSearchSink, doc_id: str) -> dict[str, object]:
    return dict(sink.client.get(index=sink.index, id=doc_id)["_source"])


def test_a_replay_leaves_one_document(sink: OpenSearchSink) -> None:
    assert sink.write([]) == []
    doc = make_document("a/見積書.pdf", ["見積書"], sequencer=NEWER)
    assert sink.write([doc]) == sink.write([doc])
    refresh(sink.client, sink.index)
    assert count(sink.client, sink.index) == 1


def test_an_older_event_never_overwrites_a_newer_document(sink: OpenSearchSink) -> None:
    newer = make_document("a/契約書.pdf", ["新しい契約書"], sequencer=NEWER)
    older = dataclasses.replace(newer, content="古い契約書",
                                source=dataclasses.replace(newer.source, sequencer=OLDER))
    first, late = sink.write([newer]), sink.write([older])
    assert first[0].error is None and not first[0].stale
    assert late[0].error is None and late[0].stale
    assert stored(sink, newer.id)["content"] == "新しい契約書"


def test_sequencers_of_different_lengths_compare_as_numbers(sink: OpenSearchSink) -> None:
    big = make_document("a/x.pdf", ["big"], sequencer="0100")
    small = make_document("a/x.pdf", ["small"], sequencer="FF")
    sink.write([big])
    assert sink.write([small])[0].stale
    assert stored(sink, big.id)["content"] == "big"


def test_an_event_without_sequencer_writes_and_keeps_the_order(sink: OpenSearchSink) -> None:
    ordered = make_document("b/y.pdf", ["first"], sequencer=NEWER)
    backfill = make_document("b/y.pdf", ["backfilled"])
    late_older = make_document("b/y.pdf", ["late"], sequencer=OLDER)
    sink.write([ordered])
    assert not sink.write([backfill])[0].stale
    assert sink.write([late_older])[0].stale
    assert stored(sink, ordered.id)["content"] == "backfilled"


def test_delete_removes_and_a_late_older_create_does_not_resurrect(
        sink: OpenSearchSink) -> None:
    doc = make_document("c/請求書.pdf", ["請求書の本文"], sequencer=OLDER)
    sink.write([doc])
    sink.delete(SourceRef(bucket="landing", key="c/請求書.pdf", sequencer=NEWER))
    refresh(sink.client, sink.index)
    assert count(sink.client, sink.index) == 0
    assert found(sink.client, sink.index, "請求書") == []
    assert sink.write([doc])[0].stale  # the create event arrives after the delete
    recreated = make_document("c/請求書.pdf", ["新しい請求書"], sequencer="0055AED6DCD90281F0")
    assert not sink.write([recreated])[0].stale
    refresh(sink.client, sink.index)
    assert found(sink.client, sink.index, "請求書") == ["請求書.pdf"]


def test_an_older_delete_leaves_the_newer_document(sink: OpenSearchSink) -> None:
    doc = make_document("d/z.pdf", ["残る"], sequencer=NEWER)
    sink.write([doc])
    sink.delete(SourceRef(bucket="landing", key="d/z.pdf", sequencer=OLDER))
    sink.delete(SourceRef(bucket="landing", key="d/never-indexed.pdf"))  # harmless
    refresh(sink.client, sink.index)
    assert count(sink.client, sink.index) == 1


def test_one_bad_document_is_permanent_and_the_rest_are_indexed(sink: OpenSearchSink) -> None:
    good = [make_document(f"e/{n}.pdf", [f"文書{n}"]) for n in range(3)]
    bad = make_document("e/bad.pdf", ["壊れた日付"], processed_at="昨日")
    results = sink.write([good[0], bad, good[1], good[2]])
    assert [r.document_id for r in results] == [good[0].id, bad.id, good[1].id, good[2].id]
    assert isinstance(results[1].error, DocumentRejectedError)
    assert not results[1].error.retryable
    assert "processed_at" in results[1].error.reason
    assert [r.error for r in (results[0], results[2], results[3])] == [None] * 3
    refresh(sink.client, sink.index)
    assert count(sink.client, sink.index) == 3


def test_a_failed_file_is_indexed_as_a_record_operators_can_filter(
        sink: OpenSearchSink) -> None:
    failed = dataclasses.replace(make_document("f/secret.pdf", []), status="failed",
                                 error_class="permanent", error_code="encrypted",
                                 reason="the PDF is encrypted")
    assert sink.write([failed])[0].error is None
    refresh(sink.client, sink.index)
    hits = sink.client.search(index=sink.index, body={"query": {"bool": {"filter": [
        {"term": {"status": "failed"}}, {"term": {"error_code": "encrypted"}}]}}})
    assert [h["_id"] for h in hits["hits"]["hits"]] == [failed.id]
    assert found(sink.client, sink.index, "secret") == ["secret.pdf"]  # by its file name


def _unit(*values: float) -> tuple[float, ...]:
    norm = math.sqrt(sum(v * v for v in values))
    return tuple(v / norm for v in values)


@pytest.mark.parametrize("space", ["cosinesimil", "innerproduct", "l2"])
def test_knn_returns_nearest_first_with_the_lucene_engine(opensearch_node: OpenSearchNode,
                                                          space: str) -> None:
    alias = unique_name(f"test-knn-{space}")
    settings = opensearch_node.settings(alias, OPENSEARCH_KNN_SPACE=space)
    client = opensearch_node.client()
    setup_index(settings, client=client)
    try:
        vectors = {"near": _unit(1, 0.1, 0, 0), "nearer": _unit(1, 0.01, 0, 0),
                   "far": _unit(0, 1, 0, 0), "farthest": _unit(-1, 0, 0.1, 0)}
        docs = [make_document(f"v/{name}.txt", [name], embedding=vector)
                for name, vector in vectors.items()]
        assert all(r.error is None for r in OpenSearchSink(client, alias).write(docs))
        refresh(client, alias)
        hits = client.search(index=alias, body=knn_query([1.0, 0.0, 0.0, 0.0], size=4))
        names = [hit["_source"]["file_name"] for hit in hits["hits"]["hits"]]
        assert names == ["nearer.txt", "near.txt", "far.txt", "farthest.txt"]
        index = f"{alias}-v{MAPPING_VERSION}"
        mapping = client.indices.get_mapping(index=index)
        method = mapping[index]["mappings"]["properties"]["embedding"]["method"]
        assert (method["engine"], method["space_type"]) == ("lucene", space)
    finally:
        client.indices.delete(index=f"{alias}-v*")
        client.indices.delete_index_template(name=f"{alias}-template")


def test_unordered_mode_for_serverless_writes_replays_and_deletes(
        opensearch_node: OpenSearchNode) -> None:
    """OpenSearch Serverless has no scripted updates or aliases: plain index/delete actions
    into one index named like the alias (what index-setup makes there)."""
    from worker.search.admin import _setup_serverless

    name = unique_name("test-serverless-style")
    client = opensearch_node.client()
    client.indices.delete(index=name, ignore_unavailable=True)
    _setup_serverless(client, IndexDesign(alias=name, dimensions=4))
    try:
        sink = OpenSearchSink(client, name, ordered=False)
        doc = make_document("u/通知書.pdf", ["通知書"], sequencer=NEWER)
        assert sink.write([doc]) == sink.write([doc])
        refresh(client, name)
        assert found(client, name, "通知") == ["通知書.pdf"]
        archive = dataclasses.replace(doc, children=("member-a",))
        assert sink.write([archive])[0].replaced_children == ()
        assert sink.write([doc])[0].replaced_children == ("member-a",)  # read before writing
        sink.delete(doc.source)
        sink.delete(doc.source)  # already gone: still fine
        refresh(client, name)
        assert count(client, name) == 0
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)


def test_a_write_names_the_children_its_stored_version_had_until_they_are_removed(
        sink: OpenSearchSink) -> None:
    """What lets an overwrite remove gone members without reading the stored document:
    the write's answer names them, again on a replay, until `children_removed`."""
    v1 = dataclasses.replace(make_document("z/見積.zip", ["a", "b"], sequencer=OLDER),
                             children=("member-a", "member-b"))
    v2 = dataclasses.replace(v1, source=dataclasses.replace(v1.source, sequencer=NEWER),
                             children=("member-a",))
    plain = dataclasses.replace(v2, children=())  # the same key, now no archive
    assert sink.write([v1])[0].replaced_children == ()  # nothing was stored before
    assert sink.write([v2])[0].replaced_children == ("member-b",)
    assert sink.write([v2])[0].replaced_children == ("member-b",)  # a replay after a crash
    assert sink.write([v1])[0] == WriteResult(v1.id, stale=True)  # an older event: no-op
    sink.children_removed(v2.id, ["member-b"])
    assert sink.write([v2])[0].replaced_children == ()
    assert "children_replaced" not in stored(sink, v2.id)
    assert sink.write([plain])[0].replaced_children == ("member-a",)
    sink.delete(dataclasses.replace(plain.source, sequencer="0055AED6DCD90281E6"))
    assert stored(sink, v2.id)["deleted"] is True  # a tombstone drops the note
    assert "children_replaced" not in stored(sink, v2.id)
    sink.children_removed("never-written", ["x"])  # nothing to forget: nothing created
    assert not sink.client.exists(index=sink.index, id="never-written")
