"""S3 events of the landing bucket, through EventBridge, into the work queue.

EventBridge (not S3 event notifications) because it delivers both `Object Created` and
`Object Deleted` with the object's version and sequencer, retries for a day, and sends what it
could not deliver to the DLQ, from where `cis-worker redrive` brings it back like any failed
file. The queue policies let exactly this rule send, and only over TLS.
"""

from __future__ import annotations

from troposphere import GetAtt, Template, events, sqs

from templates import policies
from templates.queues import Queue, Queues
from templates.storage import Bucket

DETAIL_TYPES = ("Object Created", "Object Deleted")


def _allow_rule(t: Template, title: str, queue: Queue, rule: events.Rule) -> None:
    t.add_resource(sqs.QueuePolicy(
        title, Queues=[queue.url],
        PolicyDocument=policies.queue_policy(queue.arn, GetAtt(rule, "Arn"))))


def add_landing_events(t: Template, landing: Bucket, queues: Queues) -> events.Rule:
    rule = t.add_resource(events.Rule(
        "LandingEventsRule",
        Description="Landing bucket object created/deleted -> work queue",
        State="ENABLED",
        EventPattern={
            "source": ["aws.s3"],
            "detail-type": list(DETAIL_TYPES),
            "detail": {"bucket": {"name": [landing.name]}},
        },
        Targets=[events.Target(
            Id="WorkQueue",
            Arn=queues.work.arn,
            RetryPolicy=events.RetryPolicy(MaximumEventAgeInSeconds=24 * 60 * 60,
                                           MaximumRetryAttempts=185),
            DeadLetterConfig=events.DeadLetterConfig(Arn=queues.dead_letters.arn),
        )],
    ))
    _allow_rule(t, "WorkQueuePolicy", queues.work, rule)
    _allow_rule(t, "DeadLetterQueuePolicy", queues.dead_letters, rule)
    return rule
