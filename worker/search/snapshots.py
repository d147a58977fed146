"""Manual snapshots of the index: the repository, a snapshot, and a restore behind the alias.

The index is derived data (the landing bucket keeps every file), but rebuilding 100,000
files costs hours of OCR; a snapshot restores in minutes (docs/runbook.md, disaster
recovery). `index-setup` registers the repository when it knows where snapshots go:

- SNAPSHOT_BUCKET + SNAPSHOT_ROLE_ARN (the stack's domain, templates/search.py): an `s3`
  repository that OpenSearch Service writes with that role, encrypted server side;
- SNAPSHOT_PATH: an `fs` repository in that folder (the node's `path.repo` must hold it;
  scripts/opensearch.sh sets one for the local node).

`restore` brings the snapshot's versioned indices back under new names (`restored-...`)
and moves the alias to them in one `_aliases` call, so the worker keeps writing to the alias
throughout; the indices it pointed at before stay for the operator to delete.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from opensearchpy import OpenSearch

from worker.config import Settings
from worker.search.mapping import IndexDesign, alias_body

REPOSITORY = "cis-worker-snapshots"
RESTORED_PREFIX = "restored-"


def repository_body(settings: Settings) -> dict[str, Any] | None:
    """The repository's definition from the settings, or None when none is configured."""
    if settings.snapshot_bucket and settings.snapshot_role_arn:
        return {"type": "s3", "settings": {
            "bucket": settings.snapshot_bucket, "base_path": settings.opensearch_index,
            "region": settings.aws_region or "", "role_arn": settings.snapshot_role_arn,
            "server_side_encryption": True}}
    if settings.snapshot_path:
        return {"type": "fs", "settings": {"location": settings.snapshot_path,
                                           "compress": True}}
    return None


def register_repository(client: OpenSearch, settings: Settings,
                        name: str = REPOSITORY) -> bool:
    """Register (or update) the repository; False when no destination is configured."""
    body = repository_body(settings)
    if body is None:
        return False
    client.snapshot.create_repository(repository=name, body=body)
    print(f"snapshot repository {name}: {body['type']}")
    return True


def snapshot_name(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("snapshot-%Y%m%dt%H%M%Sz")


def take_snapshot(client: OpenSearch, design: IndexDesign, name: str | None = None,
                  repository: str = REPOSITORY) -> str:
    """Snapshot the indices behind the alias (and the alias itself); waits until done."""
    name = name or snapshot_name()
    answer = client.snapshot.create(
        repository=repository, snapshot=name, wait_for_completion=True,
        body={"indices": f"{design.alias}-v*", "include_global_state": False})
    state = answer.get("snapshot", {}).get("state")
    if state != "SUCCESS":
        raise RuntimeError(f"snapshot {name} ended {state}: {answer}")
    return name


def restore_behind_alias(client: OpenSearch, design: IndexDesign, name: str,
                         repository: str = REPOSITORY) -> list[str]:
    """Restore snapshot `name` as `restored-<index>` and point the alias at it; returns the
    restored index names."""
    client.snapshot.restore(
        repository=repository, snapshot=name, wait_for_completion=True,
        body={"indices": f"{design.alias}-v*", "include_aliases": False,
              "include_global_state": False, "rename_pattern": "(.+)",
              "rename_replacement": f"{RESTORED_PREFIX}$1"})
    restored = sorted(client.indices.get(index=f"{RESTORED_PREFIX}{design.alias}-v*"))
    current = _targets(client, design.alias)
    actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": design.alias}}
                                     for index in current if index not in restored]
    actions += [{"add": {"index": index, "alias": design.alias, **alias_body()}}
                for index in restored[-1:]]
    client.indices.update_aliases(body={"actions": actions})
    print(f"alias {design.alias} -> {restored[-1]} (restored from {name}; "
          f"{', '.join(current) or 'nothing'} kept)")
    return restored


def _targets(client: OpenSearch, alias: str) -> list[str]:
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias))
