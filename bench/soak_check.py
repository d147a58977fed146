"""The soak's verdict, from the final state alone: S3's versions, the index, the queues.

For every key of the landing bucket, its current version (S3's answer at the end, not what
the producer remembers) must be exactly one document in the index — `complete`, `partial` or
`failed` — carrying that version id and the sha256 of that version's bytes; a key whose
current version is a delete marker must have no searchable document. The work queue must be
empty and the DLQ must hold exactly the poison bodies.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from opensearchpy import OpenSearch, helpers


@dataclass
class Verdict:
    expected: int = 0  # keys whose current version is an object
    deleted: int = 0  # keys whose current version is a delete marker
    versions: int = 0  # object versions uploaded in all
    statuses: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)  # no document for a current object
    duplicated: list[str] = field(default_factory=list)  # more than one document per key
    wrong_version: list[str] = field(default_factory=list)  # not the current version / bytes
    resurrected: list[str] = field(default_factory=list)  # a document for a deleted key
    unknown: list[str] = field(default_factory=list)  # a document for no key at all
    queue_left: int = 0
    dlq_expected: int = 0
    dlq_unexpected: list[str] = field(default_factory=list)
    dlq_missing: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.wrong_version or self.resurrected
                    or self.unknown or self.queue_left or self.dlq_unexpected
                    or self.dlq_missing)


def current_objects(s3: Any, bucket: str) -> tuple[dict[str, tuple[str, str]], set[str], int]:
    """(key → (version id, sha256) of the current version, deleted keys, versions)."""
    current: dict[str, tuple[str, str]] = {}
    deleted: set[str] = set()
    versions = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for marker in page.get("DeleteMarkers", []):
            if marker["IsLatest"]:
                deleted.add(marker["Key"])
        for version in page.get("Versions", []):
            versions += 1
            if version["IsLatest"]:
                body = s3.get_object(Bucket=bucket, Key=version["Key"],
                                     VersionId=version["VersionId"])["Body"].read()
                current[version["Key"]] = (version["VersionId"],
                                           hashlib.sha256(body).hexdigest())
    return current, deleted, versions


def indexed(client: OpenSearch, alias: str) -> list[dict[str, Any]]:
    """Every searchable document (the alias filters tombstones out)."""
    client.indices.refresh(index=alias)
    return [hit["_source"] for hit in helpers.scan(
        client, index=alias, query={"query": {"match_all": {}}},
        _source_includes=["source", "status", "sha256", "error_code"])]


def check_index(verdict: Verdict, current: dict[str, tuple[str, str]], deleted: set[str],
                documents: list[dict[str, Any]]) -> None:
    by_key: dict[str, list[dict[str, Any]]] = {}
    for document in documents:
        by_key.setdefault(document["source"]["key"], []).append(document)
    for key, found in by_key.items():
        if len(found) > 1:
            verdict.duplicated.append(key)
        if key in deleted:
            verdict.resurrected.append(key)
        elif key not in current:
            verdict.unknown.append(key)
    for key, (version_id, sha256) in current.items():
        found = by_key.get(key, [])
        if not found:
            verdict.lost.append(key)
            continue
        document = found[0]
        verdict.statuses[document["status"]] += 1
        same_bytes = document.get("sha256") == sha256 or (
            document["status"] == "failed" and document.get("sha256") is None)
        if document["source"].get("version_id") != version_id or not same_bytes:
            verdict.wrong_version.append(key)


def check_dlq(verdict: Verdict, bodies: list[str], poison: list[str]) -> None:
    expected = Counter(poison)
    found = Counter(bodies)
    verdict.dlq_expected = sum((found & expected).values())
    verdict.dlq_missing = sum((expected - found).values())
    verdict.dlq_unexpected = [_described(body) for body in (found - expected).elements()]


def _described(body: str) -> str:
    """An S3 event by its kind and key; anything else by its first characters."""
    try:
        data = json.loads(body)
        return f"{data['detail-type']} {data['detail']['object']['key']}"
    except (ValueError, KeyError, TypeError):
        return body[:120]


def drain(sqs: Any, url: str) -> list[str]:
    """Every body in a queue (received and deleted)."""
    bodies: list[str] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    VisibilityTimeout=60).get("Messages", [])
        if not batch:
            return bodies
        bodies += [message["Body"] for message in batch]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)])


def queue_depth(sqs: Any, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)
