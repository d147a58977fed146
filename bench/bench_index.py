"""Documents per second into the local OpenSearch node through the sink's bulk path
(ordered scripted upserts, every item checked), against opensearch-py's plain
`helpers.bulk` of the same bodies as the baseline — with and without 1024-dim vectors.

Part of `python -m bench` (or `python -m bench index`); starts the node with
scripts/opensearch.sh if none is running, and stops it again.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import random
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from opensearchpy import OpenSearch, helpers

from bench.table import Row
from worker.adapters.opensearch import OpenSearchSink, document_body
from worker.config import Settings
from worker.index_admin import setup_index
from worker.models import Document, Page, SourceRef

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "opensearch.sh"
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
    docs = []
    for n in range(count):
        source = SourceRef(bucket="bench", key=f"docs/{n:05d}.pdf", sequencer=f"{n + 1:018X}")
        pages = tuple(Page(p, _text(rng, 1500), "text-layer") for p in (1, 2, 3))
        docs.append(Document(
            id=source.document_id, source=source, file_name=source.file_name,
            mime_type="application/pdf", size_bytes=50_000, sha256="0" * 64,
            content="\n\n".join(page.text for page in pages), pages=pages,
            status="complete", processed_at="2026-01-05T09:00:00Z", processor_version="bench",
            embedding=_vector(rng) if vectors else None,
            embedding_model="amazon.titan-embed-text-v2:0" if vectors else None))
    return docs


def _fresh_alias(client: OpenSearch, url: str) -> str:
    alias = f"bench-{uuid.uuid4().hex[:8]}"
    settings = Settings.from_env({"OPENSEARCH_ENDPOINT": url, "OPENSEARCH_INDEX": alias,
                                  "OPENSEARCH_AUTH": "none",
                                  "EMBEDDING_DIMENSIONS": str(DIMENSIONS)})
    with contextlib.redirect_stdout(io.StringIO()):
        setup_index(settings, client=client)
    return alias


def _drop(client: OpenSearch, alias: str) -> None:
    client.indices.delete(index=f"{alias}-v*")
    client.indices.delete_index_template(name=f"{alias}-template")


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


def measure(client: OpenSearch, url: str, vectors: bool) -> list[Row]:
    docs = make_documents(DOCUMENTS, vectors)
    label = "with vectors" if vectors else "text only"
    seconds: dict[str, float] = {}
    writers = (("helpers.bulk", _baseline), ("sink", _sink))
    for _round in range(ROUNDS):  # alternate, keep each one's best: the JVM warms up as we go
        for name, writer in writers:
            alias = _fresh_alias(client, url)
            try:
                writer(client, alias, docs[:BATCH])  # warm up: connections, script compile
                took = _timed(lambda w=writer, a=alias: w(client, a, docs))  # type: ignore[misc]
                seconds[name] = min(took, seconds.get(name, took))
            finally:
                _drop(client, alias)
    base, ours = DOCUMENTS / seconds["helpers.bulk"], DOCUMENTS / seconds["sink"]
    return [Row(f"(e) index {DOCUMENTS} documents, {label}", f"{ours:.0f} docs/s",
                f"{base:.0f} docs/s helpers.bulk", ours / base,
                note=f"4.5k chars + 3 nested pages each, batches of {BATCH}, best of "
                     f"{ROUNDS}; sink = ordered scripted upserts, every item checked")]


def run() -> list[Row]:
    port = os.environ.get("OPENSEARCH_PORT", "9200")
    env = {**os.environ, "OPENSEARCH_PORT": port}
    running = subprocess.run(["bash", str(SCRIPT), "status"], env=env, capture_output=True,
                             check=False).returncode == 0
    if not running:
        subprocess.run(["bash", str(SCRIPT), "start"], env=env, check=True)
    url = f"http://127.0.0.1:{port}"
    try:
        client = OpenSearch(url, timeout=60)
        return measure(client, url, vectors=False) + measure(client, url, vectors=True)
    finally:
        if not running:
            subprocess.run(["bash", str(SCRIPT), "stop"], env=env, check=False)


if __name__ == "__main__":
    from bench.table import render

    print(render(run()))
