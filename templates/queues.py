"""The work queue and its dead-letter queue.

The numbers are the deployment checklist's, and the worker is configured from the same
constants (`service.py` passes them on as environment variables): a message is hidden for
300 s while a worker holds it (the worker's heartbeat extends that for long files), kept 4
days, received with 20 s long polls, and moved to the DLQ after 3 receives; the DLQ keeps
messages 14 days, longer than the queue, so nothing expires before someone looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Template, sqs

from templates.encryption import DataKey

DAY = 24 * 60 * 60
VISIBILITY_TIMEOUT_SECONDS = 300
RETENTION_SECONDS = 4 * DAY
DLQ_RETENTION_SECONDS = 14 * DAY
LONG_POLL_SECONDS = 20
MAX_RECEIVES = 3


@dataclass(frozen=True)
class Queue:
    queue: sqs.Queue

    @property
    def url(self) -> Ref:
        return Ref(self.queue)

    @property
    def arn(self) -> GetAtt:
        return GetAtt(self.queue, "Arn")

    @property
    def name(self) -> GetAtt:
        return GetAtt(self.queue, "QueueName")


@dataclass(frozen=True)
class Queues:
    work: Queue
    dead_letters: Queue


def add_queues(t: Template, key: DataKey) -> Queues:
    encryption = {"KmsMasterKeyId": key.arn, "KmsDataKeyReusePeriodSeconds": 3600}
    dlq = Queue(t.add_resource(sqs.Queue(
        "DeadLetterQueue",
        MessageRetentionPeriod=DLQ_RETENTION_SECONDS,
        ReceiveMessageWaitTimeSeconds=LONG_POLL_SECONDS,
        **encryption,
    )))
    work = Queue(t.add_resource(sqs.Queue(
        "WorkQueue",
        VisibilityTimeout=VISIBILITY_TIMEOUT_SECONDS,
        MessageRetentionPeriod=RETENTION_SECONDS,
        ReceiveMessageWaitTimeSeconds=LONG_POLL_SECONDS,
        RedrivePolicy=sqs.RedrivePolicy(deadLetterTargetArn=dlq.arn, maxReceiveCount=MAX_RECEIVES),
        **encryption,
    )))
    return Queues(work=work, dead_letters=dlq)
