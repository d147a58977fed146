"""Small builders shared by the index tests: documents as the pipeline makes them, and
searches run with the product's own query."""

from __future__ import annotations

from opensearchpy import OpenSearch

from worker.models import Document, Page, PageMethod, SourceRef
from worker.search.mapping import text_query


def make_document(key: str, pages: list[str], *, method: PageMethod = "text-layer",
                  sequencer: str | None = None, title: str | None = None,
                  embedding: tuple[float, ...] | None = None,
                  processed_at: str = "2026-01-05T09:00:00Z",
                  bucket: str = "landing") -> Document:
    source = SourceRef(bucket=bucket, key=key, sequencer=sequencer)
    return Document(
        id=source.document_id, source=source, file_name=source.file_name,
        mime_type="application/pdf", size_bytes=1234, sha256="0" * 64,
        content="\n\n".join(pages),
        pages=tuple(Page(n, text, method, 88.0 if method == "ocr" else None)
                    for n, text in enumerate(pages, 1)),
        status="complete", processed_at=processed_at, processor_version="test",
        title=title, embedding=embedding,
        embedding_model="amazon.titan-embed-text-v2:0" if embedding else None,
    )


def refresh(client: OpenSearch, alias: str) -> None:
    client.indices.refresh(index=alias)


def found(client: OpenSearch, alias: str, query: str) -> list[str]:
    """File names of the documents the product's search returns, best first."""
    response = client.search(index=alias, body=text_query(query, size=20))
    return [hit["_source"]["file_name"] for hit in response["hits"]["hits"]]


def count(client: OpenSearch, alias: str) -> int:
    return int(client.count(index=alias)["count"])
