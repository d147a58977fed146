"""The search index as a DocumentSink: bulk writes whose every item is checked.

One bulk request per batch of documents, `_id` = Document.id, no refresh. Each item's result
decides its fate:
- written (or a no-op because the index holds a newer event: `stale`),
- rejected by the index (mapping or document error, HTTP 400 & co): DocumentRejectedError,
  permanent — recorded, never retried blindly,
- 429 / 5xx / version conflict / connection failure: retried with exponential backoff and
  jitter; what is still failing after the last attempt is reported as transient, so
  nothing is ever reported written that the index did not acknowledge.

Ordering: S3 sequencers are hex strings that can exceed 63 bits, so OpenSearch's external
versions (a signed long) cannot carry them. Instead every write is a scripted upsert that
compares the stored `event_order` (`worker.models.sequencer_order`: the sequencer
left-padded to a fixed width, compared as a string) with the incoming one and turns an
older event into a no-op. The same script notes the `children` the stored version listed
and the new one does not (`children_replaced`, returned in the bulk answer and kept until
`children_removed`), so an overwrite learns which members to remove without reading the
stored document first, and a replay after a crash still finds them. A delete writes a
tombstone through the same script (the alias
filters tombstones out of every search), so a late older create cannot resurrect a deleted
file. Events without a sequencer (backfill, local files) always write and keep the stored
order. OpenSearch Serverless has no scripted updates: there the sink writes plain
index/delete actions, without ordering.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base, wait_exponential_jitter

from worker.config import Settings
from worker.errors import (
    DocumentRejectedError,
    ServiceUnavailableError,
    ThrottledError,
    TimeoutExceededError,
    TransientError,
    WorkerError,
)
from worker.models import Document, SourceRef, sequencer_order, utc_timestamp
from worker.ports import WriteResult, replaced_children
from worker.search.painless import FORGET_REPLACED, ORDERED_WRITE

Action = tuple[dict[str, Any], dict[str, Any] | None]  # bulk header line, optional body line
Outcome = tuple[WorkerError | None, bool, tuple[str, ...]]  # error, stale, replaced children


def _now() -> str:
    return utc_timestamp(timespec="milliseconds")  # catch_up selects by indexed_at in ms


def _ordered(body: dict[str, Any], source: SourceRef, indexed_at: str) -> dict[str, Any]:
    """`body` with its indexing time and, for an event with a sequencer, its event_order."""
    body["indexed_at"] = indexed_at
    order = sequencer_order(source.sequencer)
    if order:
        body["event_order"] = order
    return body


def document_body(document: Document) -> dict[str, Any]:
    return _ordered(document.to_dict(), document.source, _now())


def tombstone_body(source: SourceRef, document_id: str | None = None) -> dict[str, Any]:
    """A delete of `source`'s document (or of `document_id`, one of its children)."""
    now = _now()
    return _ordered({"id": document_id or source.document_id, "source": source.to_dict(),
                     "deleted": True, "deleted_at": now}, source, now)


def item_error(status: int, error: Any) -> WorkerError | None:
    """The classified error of one bulk item, None when it succeeded."""
    if status < 300:
        return None
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        caused = error.get("caused_by")
        if isinstance(caused, dict):
            reason += f" ({caused.get('type')}: {caused.get('reason')})"
    else:
        reason = str(error)
    if status == 429:
        return ThrottledError(f"index throttled: {reason}")
    if status >= 500:
        return ServiceUnavailableError(f"index error {status}: {reason}")
    if status in (404, 409):  # alias missing (index-setup not run) / concurrent update
        return TransientError(f"index error {status}: {reason}")
    return DocumentRejectedError(f"index rejected the document ({status}): {reason}")


def request_error(exc: Exception) -> WorkerError:
    """The classified error of a whole bulk request that got no per-item answer."""
    if isinstance(exc, ConnectionTimeout):
        return TimeoutExceededError(f"index timed out: {exc}")
    if isinstance(exc, OpenSearchConnectionError):
        return ServiceUnavailableError(f"index unreachable: {type(exc).__name__}")
    status = exc.status_code if isinstance(exc, TransportError) else None
    if status == 429:
        return ThrottledError("index throttled the bulk request")
    if status == 413:
        return DocumentRejectedError("document larger than the index accepts (HTTP 413)")
    return ServiceUnavailableError(f"index request failed ({status}): {exc}")


class _RetryLater(Exception):
    """Some items are still waiting for a transient failure to pass."""


class OpenSearchSink:
    """DocumentSink writing to the alias `index` of an OpenSearch domain."""

    def __init__(self, client: OpenSearch, index: str, *, ordered: bool = True,
                 attempts: int = 5, wait: wait_base | None = None) -> None:
        self.client = client
        self.index = index
        self.ordered = ordered
        self.attempts = attempts
        self.wait = wait if wait is not None else wait_exponential_jitter(multiplier=0.5, max=20)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenSearchSink:
        from worker.search.client import connect, is_serverless

        return cls(connect(settings), settings.opensearch_index,
                   ordered=not is_serverless(settings))

    # --- the port -------------------------------------------------------------------------

    def write(self, documents: Sequence[Document]) -> list[WriteResult]:
        before = {} if self.ordered else self._stored_children_lists([d.id for d in documents])
        actions = [self._write_action(doc.id, document_body(doc)) for doc in documents]
        outcomes = self._apply(actions)
        return [WriteResult(doc.id, error=error, stale=stale, replaced_children=(
                    replaced_children(before[doc.id], doc) if doc.id in before else replaced))
                for doc, (error, stale, replaced) in zip(documents, outcomes, strict=True)]

    def children_removed(self, document_id: str, removed: Sequence[str]) -> None:
        if not self.ordered or not removed:
            return
        header = {"update": {"_index": self.index, "_id": document_id, "retry_on_conflict": 3}}
        script = {"lang": "painless", "source": FORGET_REPLACED,
                  "params": {"removed": list(removed)}}
        # a scripted upsert: a document deleted meanwhile stays absent (the script is a no-op)
        body = {"scripted_upsert": True, "upsert": {}, "script": script}
        error, _, _ = self._apply([(header, body)])[0]
        if error is not None:
            raise error

    def delete(self, source: SourceRef) -> None:
        if self.ordered:
            action = self._write_action(source.document_id, tombstone_body(source))
        else:
            action = ({"delete": {"_index": self.index, "_id": source.document_id}}, None)
        error, _, _ = self._apply([action])[0]
        if error is not None:
            raise error

    def stored_children(self, document_id: str) -> list[str]:
        """Every stored descendant, breadth first, by real-time multi-gets of `children`."""
        found: list[str] = []
        wanted = [document_id]
        while wanted:
            lists = self._stored_children_lists(wanted)
            wanted = list(dict.fromkeys(child for doc_id in wanted
                                        for child in lists.get(doc_id, ()) if child not in found))
            found.extend(wanted)
        return found

    def _stored_children_lists(self, document_ids: Sequence[str]) -> dict[str, list[str]]:
        """The stored `children` of each of these documents (absent, deleted: none), by one
        real-time multi-get."""
        if not document_ids:
            return {}
        try:
            answer = self.client.mget(index=self.index, body={"ids": list(document_ids)},
                                      params={"_source_includes": "children,deleted"})
        except (TransportError, OpenSearchConnectionError) as exc:
            raise request_error(exc) from exc
        lists: dict[str, list[str]] = {}
        for doc in answer.get("docs", []):
            body = doc.get("_source") or {}
            if doc.get("found") and not body.get("deleted"):
                lists[doc["_id"]] = list(body.get("children") or ())
        return lists

    def delete_documents(self, source: SourceRef, document_ids: Sequence[str]) -> list[str]:
        if self.ordered:
            actions = [self._write_action(doc_id, tombstone_body(source, doc_id))
                       for doc_id in document_ids]
        else:
            actions = [({"delete": {"_index": self.index, "_id": doc_id}}, None)
                       for doc_id in document_ids]
        removed = []
        for doc_id, (error, stale, _) in zip(document_ids, self._apply(actions), strict=True):
            if error is not None:
                raise error
            if not stale:
                removed.append(doc_id)
        return removed

    def write_sources(self, sources: Sequence[tuple[str, dict[str, Any]]]
                      ) -> list[WorkerError | None]:
        """Write stored bodies (id, _source) as they are, under the same ordering rule —
        for copying between index versions."""
        actions = [self._write_action(doc_id, body) for doc_id, body in sources]
        return [error for error, _, _ in self._apply(actions)]

    # --- bulk with per-item retries --------------------------------------------------------

    def _write_action(self, doc_id: str, body: dict[str, Any]) -> Action:
        if not self.ordered:
            return {"index": {"_index": self.index, "_id": doc_id}}, body
        header = {"update": {"_index": self.index, "_id": doc_id, "retry_on_conflict": 3}}
        script = {"lang": "painless", "source": ORDERED_WRITE,
                  "params": {"doc": body, "order": body.get("event_order")}}
        return header, {"scripted_upsert": True, "upsert": {}, "script": script,
                        "_source": ["children_replaced"]}

    def _apply(self, actions: list[Action]) -> list[Outcome]:
        """(error, stale) per action, retrying transient failures with backoff."""
        if not actions:
            return []
        outcome: dict[int, Outcome] = {}
        pending = dict(enumerate(actions))
        last: dict[int, WorkerError] = {}
        retrying = Retrying(stop=stop_after_attempt(self.attempts), wait=self.wait,
                            retry=retry_if_exception_type(_RetryLater))
        try:
            for attempt in retrying:
                with attempt:
                    self._send(pending, outcome, last)
                    if pending:
                        raise _RetryLater()
        except RetryError:
            pass
        for i in pending:
            outcome[i] = (last.get(i) or TransientError("index write not acknowledged"), False, ())
        return [outcome[i] for i in range(len(actions))]

    def _send(self, pending: dict[int, Action], outcome: dict[int, Outcome],
              last: dict[int, WorkerError]) -> None:
        order = list(pending)
        lines: list[dict[str, Any]] = []
        for i in order:
            header, body = pending[i]
            lines.append(header)
            if body is not None:
                lines.append(body)
        params = {"require_alias": "true"} if self.ordered else {}
        try:
            response = self.client.bulk(body=lines, params=params)
        except (TransportError, OpenSearchConnectionError) as exc:
            failure = request_error(exc)
            if failure.retryable:
                last.update(dict.fromkeys(order, failure))
            elif len(order) > 1:
                self._send_one_by_one(pending, outcome, last)
            else:
                outcome[order[0]] = (failure, False, ())
                del pending[order[0]]
            return
        for i, item in zip(order, response["items"], strict=True):
            result = next(iter(item.values()))
            status = int(result.get("status", 500))
            gone = "delete" in item and status == 404  # already deleted: done
            error = None if gone else item_error(status, result.get("error"))
            if error is None or not error.retryable:
                stale = result.get("result") == "noop"  # then the note is the newer event's
                replaced = (result.get("get") or {}).get("_source", {}).get("children_replaced")
                outcome[i] = (error, stale, () if stale else tuple(replaced or ()))
                del pending[i]
            else:
                last[i] = error

    def _send_one_by_one(self, pending: dict[int, Action], outcome: dict[int, Outcome],
                         last: dict[int, WorkerError]) -> None:
        """A batch too large for the domain: send each document in its own request."""
        for i in list(pending):
            single = {i: pending[i]}
            self._send(single, outcome, last)
            if i not in single:
                del pending[i]
