"""`cis-worker redrive`: move the DLQ's messages back to the work queue.

Uses SQS's own StartMessageMoveTask (the DLQ is SQS_DLQ_URL, or the target of the queue's
redrive policy) and reports progress from ListMessageMoveTasks until the task ends.

Local emulators may not implement the move-task API (moto 5.2 answers HTTP 500
"start_message_move_task has not been implemented"). Only when AWS_ENDPOINT_URL points at
such an emulator, or the service says the action is unsupported, the messages are moved by
hand instead: receive from the DLQ, send to the queue, then delete from the DLQ — a message
is deleted only after its copy was sent, so a crash can duplicate but never lose one.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from worker.adapters import aws
from worker.adapters.sqs import SqsQueue
from worker.config import Settings
from worker.errors import ConfigurationError, TransientError

UNSUPPORTED = frozenset({"InvalidAction", "UnsupportedOperation",
                         "AWS.SimpleQueueService.UnsupportedOperation"})
TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


def _attributes(sqs: Any, url: str, *names: str) -> dict[str, str]:
    try:
        answer = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names))
    except (ClientError, BotoCoreError) as exc:
        raise aws.translate(exc, f"GetQueueAttributes {url}") from exc
    attributes: dict[str, str] = answer.get("Attributes", {})
    return attributes


def _dlq(sqs: Any, settings: Settings, queue_attrs: dict[str, str]) -> tuple[str, str]:
    """(url, arn) of the dead-letter queue."""
    if settings.sqs_dlq_url:
        return settings.sqs_dlq_url, _attributes(sqs, settings.sqs_dlq_url, "QueueArn")["QueueArn"]
    policy = queue_attrs.get("RedrivePolicy")
    if not policy:
        raise ConfigurationError("no SQS_DLQ_URL and the queue has no redrive policy")
    arn = json.loads(policy)["deadLetterTargetArn"]
    account, name = arn.split(":")[4], arn.split(":")[5]
    try:
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    except (ClientError, BotoCoreError) as exc:
        raise aws.translate(exc, f"GetQueueUrl {name}") from exc
    return str(url), arn


def _unsupported(exc: ClientError, settings: Settings) -> bool:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return aws.error_code(exc) in UNSUPPORTED or (
        bool(settings.aws_endpoint_url) and status in (500, 501))


def redrive_dlq(settings: Settings, poll_s: float = 5.0,
                report: Callable[[str], None] | None = None) -> int:
    say = report or (lambda line: print(line, file=sys.stderr))
    settings.require("SQS_QUEUE_URL")
    assert settings.sqs_queue_url is not None
    sqs = aws.client("sqs", settings)
    attrs = _attributes(sqs, settings.sqs_queue_url, "QueueArn", "RedrivePolicy")
    dlq_url, dlq_arn = _dlq(sqs, settings, attrs)
    try:
        task = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=attrs["QueueArn"])
    except ClientError as exc:
        if not _unsupported(exc, settings):
            raise aws.translate(exc, "StartMessageMoveTask") from exc
        say("redrive: StartMessageMoveTask is not available here; moving messages by hand")
        moved = move_by_hand(SqsQueue(sqs, dlq_url), SqsQueue(sqs, settings.sqs_queue_url))
        print(json.dumps({"status": "COMPLETED", "moved": moved, "method": "receive-send"}))
        return 0
    except BotoCoreError as exc:
        raise aws.translate(exc, "StartMessageMoveTask") from exc
    say(f"redrive: task {task.get('TaskHandle', '')[:16]}… started from {dlq_arn}")
    return _follow(sqs, dlq_arn, poll_s, say)


def _follow(sqs: Any, dlq_arn: str, poll_s: float, say: Callable[[str], None]) -> int:
    while True:
        try:
            tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"]
        except (ClientError, BotoCoreError) as exc:
            raise aws.translate(exc, "ListMessageMoveTasks") from exc
        latest = tasks[0] if tasks else {"Status": "COMPLETED"}
        status = latest.get("Status", "UNKNOWN")
        moved = latest.get("ApproximateNumberOfMessagesMoved", 0)
        total = latest.get("ApproximateNumberOfMessagesToMove", "?")
        say(f"redrive: {status} {moved}/{total} moved")
        if status in TERMINAL:
            print(json.dumps({"status": status, "moved": moved, "method": "move-task",
                              "failure": latest.get("FailureReason")}))
            return 0 if status == "COMPLETED" else 1
        time.sleep(poll_s)


def move_by_hand(dlq: SqsQueue, target: SqsQueue, max_rounds: int = 10_000) -> int:
    """Receive from the DLQ, send to the target, delete from the DLQ; until it is empty."""
    moved = 0
    for _ in range(max_rounds):
        messages = dlq.receive(10, wait_s=1, visibility_s=60)
        if not messages:
            return moved
        if target.send([m.body for m in messages]):
            raise TransientError("the queue refused some redriven messages; run redrive again")
        failures = dlq.delete(messages)
        if failures:
            raise TransientError(f"{len(failures)} messages were copied but not removed from "
                                 "the DLQ; they will be redriven twice (harmless: idempotent)")
        moved += len(messages)
    return moved
