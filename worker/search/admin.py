"""`cis-worker index-setup` and `cis-worker search`: the operator's side of the index.

`setup_index` is idempotent and safe at every deployment: it (re)writes the index template,
creates `<alias>-v<N>` when missing and points the alias at it. When the alias still points
at an older version, the documents are copied into the new index (opensearch-py's
`helpers.reindex`: scroll + bulk, which needs no reindex module and works on every
domain) and the alias is swapped in one atomic `_aliases` call. Documents written to the
old index during the copy are carried over afterwards through the sink's ordering rule, so
a newer event that reached the new index first is kept. The old index is kept for the
operator to delete once satisfied.

Run as the operator (templates/service.py), it also maps the worker's role to the index
write role (worker/search/security.py) and registers the snapshot repository
(worker/search/snapshots.py) when the operator task's settings name them.

`search_index` prints the top hits with highlighted snippets and page numbers: the quickest
way to see that documents are findable.
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

from worker.config import Settings
from worker.errors import ConfigurationError, ServiceUnavailableError
from worker.ports import Embedder
from worker.search.mapping import (
    MAPPING_VERSION,
    IndexDesign,
    alias_body,
    index_settings,
    index_template,
    knn_query,
    mappings,
    text_query,
)
from worker.search.sink import OpenSearchSink, request_error


def setup_index(settings: Settings, version: int = MAPPING_VERSION,
                client: OpenSearch | None = None) -> int:
    from worker.search.client import connect, is_serverless

    design = IndexDesign.from_settings(settings, version)
    client = client or connect(settings)
    try:
        if is_serverless(settings):
            _setup_serverless(client, design)
        else:
            _setup_domain(client, design)
            _operator_steps(client, settings, design)
    except OpenSearchConnectionError as exc:
        raise request_error(exc) from None
    except TransportError as exc:
        if isinstance(exc.status_code, int) and 400 <= exc.status_code < 500:
            raise ConfigurationError(f"the index refused the setup: {exc.error} "
                                     f"{_reason(exc)}") from None
        raise ServiceUnavailableError(f"index setup failed: {exc}") from None
    return 0


def _operator_steps(client: OpenSearch, settings: Settings, design: IndexDesign) -> None:
    from worker.search.security import grant_worker
    from worker.search.snapshots import register_repository

    if settings.search_worker_role_arn:
        grant_worker(client, design.alias, settings.search_worker_role_arn)
    register_repository(client, settings)


def _reason(exc: TransportError) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    error = info.get("error", {})
    return str(error.get("reason", "")) if isinstance(error, dict) else str(error)


def _setup_domain(client: OpenSearch, design: IndexDesign) -> None:
    client.indices.put_index_template(name=design.template_name, body=index_template(design))
    if client.indices.exists(index=design.alias) and not client.indices.exists_alias(
            name=design.alias):
        raise ConfigurationError(f"{design.alias} is an index, not an alias: reindex it into "
                                 f"{design.index_name} and delete it first")
    if not client.indices.exists(index=design.index_name):
        client.indices.create(index=design.index_name)  # settings and mapping: the template
        print(f"created index {design.index_name}")
    current = _alias_targets(client, design.alias)
    if current in ([], [design.index_name]):
        client.indices.put_alias(index=design.index_name, name=design.alias,
                                 body=alias_body())
        print(f"alias {design.alias} -> {design.index_name}")
        return
    _migrate(client, design, current)


def _alias_targets(client: OpenSearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias))
    except NotFoundError:
        return []


def _migrate(client: OpenSearch, design: IndexDesign, old: list[str]) -> None:
    """Copy every document into the new version, swap the alias atomically, catch up."""
    started = client.search(index=design.alias, body={"size": 0, "aggs": {
        "latest": {"max": {"field": "indexed_at"}}}})["aggregations"]["latest"]["value"]
    for index in old:
        helpers.reindex(client, index, design.index_name, chunk_size=200)
    actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": design.alias}}
                                     for index in old]
    actions.append({"add": {"index": design.index_name, "alias": design.alias,
                            **alias_body()}})
    client.indices.update_aliases(body={"actions": actions})
    if started is not None:
        catch_up(client, design.alias, old, since_ms=int(started))
    print(f"alias {design.alias} moved from {', '.join(old)} to {design.index_name} "
          f"(old index kept; delete it when satisfied)")


def catch_up(client: OpenSearch, alias: str, old: list[str], since_ms: int) -> int:
    """Carry documents written to the old indices after `since_ms` over to where the alias
    now points, through the sink's ordering rule (a newer event already there wins)."""
    sink = OpenSearchSink(client, alias)
    query = {"query": {"range": {"indexed_at": {"gt": since_ms}}}}
    carried = 0
    batch: list[tuple[str, dict[str, Any]]] = []
    for index in old:
        for hit in helpers.scan(client, index=index, query=query):
            batch.append((hit["_id"], hit["_source"]))
            if len(batch) == 200:
                carried += _carry(sink, batch)
    return carried + _carry(sink, batch)


def _carry(sink: OpenSearchSink, batch: list[tuple[str, dict[str, Any]]]) -> int:
    errors = [error for error in sink.write_sources(batch) if error is not None]
    if errors:
        raise errors[0]
    count = len(batch)
    batch.clear()
    return count


def _setup_serverless(client: OpenSearch, design: IndexDesign) -> None:
    """Serverless collections have no templates or aliases: one index named like the alias."""
    if client.indices.exists(index=design.alias):
        print(f"index {design.alias} exists")
        return
    client.indices.create(index=design.alias, body={
        "settings": index_settings(design), "mappings": mappings(design)})
    print(f"created index {design.alias}")


def search_index(settings: Settings, query: str, semantic: bool = False, size: int = 10,
                 client: OpenSearch | None = None, embedder: Embedder | None = None) -> int:
    from worker.search.client import connect

    client = client or connect(settings)
    if semantic:
        if embedder is None:
            from worker.adapters.bedrock import BedrockEmbedder

            embedder = BedrockEmbedder.from_settings(settings)
        if embedder is None:
            raise ConfigurationError("missing required settings: BEDROCK_REGION (--semantic)")
        body = knn_query(list(embedder.embed(query)), size)
    else:
        body = text_query(query, size)
    try:
        response = client.search(index=settings.opensearch_index, body=body)
    except OpenSearchConnectionError as exc:
        raise request_error(exc) from None
    except NotFoundError:
        raise ConfigurationError(f"no index {settings.opensearch_index}: run "
                                 "cis-worker index-setup") from None
    except TransportError as exc:
        raise ServiceUnavailableError(f"search failed: {exc.error} {_reason(exc)}") from None
    hits = response["hits"]["hits"]
    print(f"{response['hits']['total']['value']} documents match {query!r}")
    for rank, hit in enumerate(hits, 1):
        print(format_hit(rank, hit))
    return 0


def format_hit(rank: int, hit: dict[str, Any]) -> str:
    source = hit.get("_source", {})
    origin = source.get("source", {})
    where = (f"s3://{origin['bucket']}/{origin.get('key', '')}" if origin.get("bucket")
             else origin.get("path", ""))
    name = source.get("container_path") or source.get("file_name", hit["_id"])  # a member
    lines = [f"{rank:>2}. {name}  score {hit['_score']:.2f}  {where}"]
    for fragment in hit.get("highlight", {}).get("content", []):
        lines.append(f"      {_flat(fragment)}")
    pages = hit.get("inner_hits", {}).get("pages", {}).get("hits", {}).get("hits", [])
    for page in pages:
        number = page.get("_source", {}).get("number", "?")
        for fragment in page.get("highlight", {}).get("pages.text", [])[:1]:
            lines.append(f"      p.{number}: {_flat(fragment)}")
    return "\n".join(lines)


def _flat(fragment: str) -> str:
    """One [mark] per matched run: a Japanese phrase matches character by character, so the
    highlighter marks each character (<em>売</em><em>上</em>)."""
    joined = fragment.replace("</em><em>", "")
    return " ".join(joined.replace("<em>", "[").replace("</em>", "]").split())
