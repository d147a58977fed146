"""Documents per second into the local OpenSearch node through the sink's bulk path
(ordered scripted upserts, every item checked), against opensearch-py's plain
`helpers.bulk` of the same bodies as the baseline — with and without 1024-dim vectors.

Part of `python -m bench` (or `python -m bench index`); starts the node as the tests do
(tests/fixtures/opensearch.py) if none is running, and stops it again.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import random
import time
import uuid
from collections.abc import Callable

from opensearchpy import OpenSearch, helpers

from bench.table import Row
from tests.fixtures.opensearch import OpenSearchNode, start_node
from tests.integration.index_helpers import make_document
from worker.models import Document
from worker.search.admin import setup_index
from worker.search.mapping import IndexDesign
from worker.search.sink import OpenSearchSink, document_body

DOCUMENTS = 400
ROUNDS = 3
BATCH = 10  # an SQS receive holds at most 10 messages
DIMENSIONS = 1024
WORDS = ("請求書", "見積書", "契約", "納品", "株式会社", "営業部", "会議", "議事録", "予算",
         "システム", "保守", "データベース", "移行", "日程", "確認", "お願い", "いたします",
         "令和六年", "四月", "金額", "合計", "税込", "担当者", "報告", "品質", "改善")


def _text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    while sum(map(len, out)) < chars:
        out.append(rng.choice(WORDS) + ("。" if rng.random() < 0.15 else "の"))
    return "".join(out)


def _vector(rng: random.Random) -> tuple[float, ...]:
    raw = [rng.gauss(0, 1) for _ in range(DIMENSIONS)]
    norm = math.sqrt(sum(v * v for v in raw))
    return tuple(v / norm for v in raw)


def make_documents(count: int, vectors: bool, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    return [make_document(f"docs/{n:05d}.pdf", [_text(rng, 1500) for _page in range(3)],
                          sequencer=f"{n + 1:018X}", bucket="bench",
                          embedding=_vector(rng) if vectors else None)
            for n in range(count)]


def _fresh_index(node: OpenSearchNode, client: OpenSearch) -> IndexDesign:
    settings = node.settings(f"bench-{uuid.uuid4().hex[:8]}",
                             EMBEDDING_DIMENSIONS=str(DIMENSIONS))
    with contextlib.redirect_stdout(io.StringIO()):
        setup_index(settings, client=client)
    return IndexDesign.from_settings(settings)


def _drop(client: OpenSearch, design: IndexDesign) -> None:
    client.indices.delete(index=design.index_pattern)
    client.indices.delete_index_template(name=design.template_name)


def _timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _baseline(client: OpenSearch, alias: str, docs: list[Document]) -> None:
    actions = ({"_index": alias, "_id": doc.id, "_source": document_body(doc)} for doc in docs)
    ok, errors = helpers.bulk(client, actions, chunk_size=BATCH, raise_on_error=False)
    assert ok == len(docs) and not errors, errors


def _sink(client: OpenSearch, alias: str, docs: list[Document]) -> None:
    sink = OpenSearchSink(client, alias)
    for start in range(0, len(docs), BATCH):
        results = sink.write(docs[start:start + BATCH])
        assert all(r.error is None for r in results), results


def measure(node: OpenSearchNode, client: OpenSearch, vectors: bool) -> list[Row]:
    docs = make_documents(DOCUMENTS, vectors)
    label = "with vectors" if vectors else "text only"
    seconds: dict[str, float] = {}
    writers = (("helpers.bulk", _baseline), ("sink", _sink))
    for _round in range(ROUNDS):  # alternate, keep each one's best: the JVM warms up as we go
        for name, writer in writers:
            design = _fresh_index(node, client)
            try:
                writer(client, design.alias, docs[:BATCH])  # warm up: connections, compile
                took = _timed(functools.partial(writer, client, design.alias, docs))
                seconds[name] = min(took, seconds.get(name, took))
            finally:
                _drop(client, design)
    base, ours = DOCUMENTS / seconds["helpers.bulk"], DOCUMENTS / seconds["sink"]
    return [Row(f"(e) index {DOCUMENTS} documents, {label}", f"{ours:.0f} docs/s",
                f"{base:.0f} docs/s helpers.bulk", ours / base,
                note=f"4.5k chars + 3 nested pages each, batches of {BATCH}, best of "
                     f"{ROUNDS}; sink = ordered scripted upserts, every item checked")]


def run() -> list[Row]:
    node, started_here = start_node(int(os.environ.get("OPENSEARCH_PORT", "9200")))
    try:
        client = node.client()
        return measure(node, client, vectors=False) + measure(node, client, vectors=True)
    finally:
        if started_here:
            node.script("stop")


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
