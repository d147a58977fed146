"""The SQS queue the worker consumes: receive, delete, change visibility, send, in batches.

Batch calls answer per entry: `Failed` entries are returned to the caller (never ignored),
so the runtime can log a delete that did not happen (the message will come back and be
processed again, idempotently) or retry a visibility change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worker.adapters.aws import error_code, translate
from worker.errors import ConfigurationError
from worker.ports import BatchFailure, ReceivedMessage

__all__ = ["BatchFailure", "ReceivedMessage", "SqsQueue"]

BATCH = 10  # SQS batch and receive limit
# a queue that does not exist or may not be read is a configuration error (exit 2), not a
# transient one to retry forever
MISCONFIGURED = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
                           "AccessDenied", "AccessDeniedException"})


def _message(raw: dict[str, Any]) -> ReceivedMessage:
    attributes = raw.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    return ReceivedMessage(
        message_id=raw["MessageId"], receipt_handle=raw["ReceiptHandle"], body=raw["Body"],
        receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None)


class SqsQueue:
    """The MessageQueue port (worker/ports.py) on SQS."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs = sqs
        self.url = queue_url

    def receive(self, max_messages: int, wait_s: int, visibility_s: int) -> list[ReceivedMessage]:
        try:
            response = self._sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=max(1, min(BATCH, max_messages)),
                WaitTimeSeconds=wait_s, VisibilityTimeout=visibility_s,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"])
        except ClientError as exc:
            if error_code(exc) in MISCONFIGURED:
                raise ConfigurationError(f"cannot receive from {self.url}: "
                                         f"{error_code(exc)}") from exc
            raise translate(exc, "ReceiveMessage") from exc
        except BotoCoreError as exc:
            raise translate(exc, "ReceiveMessage") from exc
        return [_message(raw) for raw in response.get("Messages", [])]

    def delete(self, messages: Sequence[ReceivedMessage]) -> list[BatchFailure]:
        entries = [{"ReceiptHandle": m.receipt_handle} for m in messages]
        return self._batch("delete_message_batch", entries, [m.message_id for m in messages])

    def change_visibility(self, messages: Sequence[ReceivedMessage],
                          timeout_s: int) -> list[BatchFailure]:
        entries = [{"ReceiptHandle": m.receipt_handle, "VisibilityTimeout": timeout_s}
                   for m in messages]
        return self._batch("change_message_visibility_batch", entries,
                           [m.message_id for m in messages])

    def max_receives(self) -> int | None:
        try:
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=self.url, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
            policy = json.loads(attributes.get("RedrivePolicy") or "{}")
            return int(policy["maxReceiveCount"]) if "maxReceiveCount" in policy else None
        except (ClientError, BotoCoreError, ValueError, TypeError):
            return None  # only the last receive's failed document depends on it

    def send(self, bodies: Sequence[str]) -> list[BatchFailure]:
        """Send bodies in batches; failures name the index of the body (as message_id)."""
        return self._batch("send_message_batch", [{"MessageBody": body} for body in bodies],
                           [str(i) for i in range(len(bodies))])

    def _batch(self, operation: str, entries: list[dict[str, Any]],
               names: list[str]) -> list[BatchFailure]:
        """Call `operation` ten entries at a time; a failed entry is named by `names`."""
        failures: list[BatchFailure] = []
        for offset in range(0, len(entries), BATCH):
            chunk = [{"Id": str(i), **entry}
                     for i, entry in enumerate(entries[offset:offset + BATCH], offset)]
            try:
                response = getattr(self._sqs, operation)(QueueUrl=self.url, Entries=chunk)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, operation) from exc
            failures += [BatchFailure(names[int(f["Id"])], f.get("Code", ""))
                         for f in response.get("Failed", [])]
        return failures
