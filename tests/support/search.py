"""Scratch names on the shared OpenSearch test node: a unique alias per test, and everything
made under it (its versioned indices, its template, more index patterns a test names)
deleted afterwards, so tests sharing one node never see each other's indices."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.fixtures.opensearch import OpenSearchNode


@contextmanager
def scratch_alias(node: OpenSearchNode, prefix: str, *more_indices: str) -> Iterator[str]:
    """A fresh alias name `<prefix>-<hex>`; afterwards `<name>*`, each of `more_indices`
    (with `{name}` filled in) and the alias's index template are deleted."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    yield name
    client = node.client()
    patterns = [f"{name}*", *(pattern.format(name=name) for pattern in more_indices)]
    client.indices.delete(index=",".join(patterns), ignore_unavailable=True)
    client.indices.delete_index_template(name=f"{name}-template", ignore=[404])
