"""The SQS queue the worker consumes: receive, delete, change visibility, send, in batches.

Batch calls answer per entry: `Failed` entries are returned to the caller (never ignored),
so the runtime can log a delete that did not happen (the message will come back and be
processed again, idempotently) or retry a visibility change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worker.adapters.aws import error_code, translate
from worker.errors import ConfigurationError

BATCH = 10  # SQS batch and receive limit
# a queue that does not exist or may not be read is a configuration error (exit 2), not a
# transient one to retry forever
MISCONFIGURED = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
                           "AccessDenied", "AccessDeniedException"})


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    sent_at: datetime | None


@dataclass(frozen=True)
class BatchFailure:
    message_id: str
    code: str
    sender_fault: bool


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _message(raw: dict[str, Any]) -> ReceivedMessage:
    attributes = raw.get("Attributes", {})
    sent = attributes.get("SentTimestamp")
    return ReceivedMessage(
        message_id=raw["MessageId"], receipt_handle=raw["ReceiptHandle"], body=raw["Body"],
        receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None)


class SqsQueue:
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
        entries = [{"Id": str(i), "ReceiptHandle": m.receipt_handle}
                   for i, m in enumerate(messages)]
        return self._batch("delete_message_batch", entries, messages)

    def change_visibility(self, messages: Sequence[ReceivedMessage],
                          timeout_s: int | Sequence[int]) -> list[BatchFailure]:
        timeouts = [timeout_s] * len(messages) if isinstance(timeout_s, int) else timeout_s
        entries = [{"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": t}
                   for i, (m, t) in enumerate(zip(messages, timeouts, strict=True))]
        return self._batch("change_message_visibility_batch", entries, messages)

    def send(self, bodies: Sequence[str]) -> list[BatchFailure]:
        """Send bodies in batches; failures name the index of the body (as message_id)."""
        failures: list[BatchFailure] = []
        for offset, chunk in enumerate(_chunks(bodies)):
            entries = [{"Id": str(offset * BATCH + i), "MessageBody": body}
                       for i, body in enumerate(chunk)]
            try:
                response = self._sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, "SendMessageBatch") from exc
            failures += [BatchFailure(f["Id"], f.get("Code", ""), bool(f.get("SenderFault")))
                         for f in response.get("Failed", [])]
        return failures

    def _batch(self, operation: str, entries: list[dict[str, Any]],
               messages: Sequence[ReceivedMessage]) -> list[BatchFailure]:
        failures: list[BatchFailure] = []
        for offset in range(0, len(entries), BATCH):
            chunk = entries[offset:offset + BATCH]
            try:
                response = getattr(self._sqs, operation)(QueueUrl=self.url, Entries=chunk)
            except (ClientError, BotoCoreError) as exc:
                raise translate(exc, operation) from exc
            failures += [BatchFailure(messages[int(f["Id"])].message_id, f.get("Code", ""),
                                      bool(f.get("SenderFault")))
                         for f in response.get("Failed", [])]
        return failures
