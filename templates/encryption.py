"""The stack's customer managed KMS key: data at rest in buckets, queues, logs and topics.

One key per environment (rotated yearly) rather than AWS-managed keys, because the services
that deliver into this stack's resources (EventBridge into the queue, CloudWatch alarms into
the topic, CloudWatch Logs) can only use a key whose policy lets them, and because access to
the data then follows one key policy that operators can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from awacs import kms as kms_actions
from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    Condition,
    Principal,
    Statement,
)
from troposphere import GetAtt, Join, Ref, Sub, Template, kms

from templates.policies import arn, document, from_this_account
from templates.tags import Naming

ACCOUNT_ROOT = Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
_USE = [kms_actions.Decrypt, kms_actions.GenerateDataKey, Action("kms", "GenerateDataKey*")]


@dataclass(frozen=True)
class DataKey:
    key: kms.Key

    @property
    def arn(self) -> GetAtt:
        return GetAtt(self.key, "Arn")

    @property
    def id(self) -> Ref:
        return Ref(self.key)


def _service_may_use(sid: str, service: object, extra: Condition | None = None) -> Statement:
    condition = extra or from_this_account()
    return Statement(Sid=sid, Effect=Allow, Principal=Principal("Service", [service]),
                     Action=_USE, Resource=["*"], Condition=condition)


def _key_policy(deliveries: Sequence[tuple[str, object]]) -> object:
    logs_context = Condition(ArnLike(
        "kms:EncryptionContext:aws:logs:arn",
        arn("logs", "log-group:*"),
    ))
    return document(
        Statement(Sid="AccountAdministersThroughIam", Effect=Allow,
                  Principal=Principal("AWS", [ACCOUNT_ROOT]),
                  Action=[Action("kms", "*")], Resource=["*"]),
        _service_may_use("LogGroups", Sub("logs.${AWS::Region}.amazonaws.com"), logs_context),
        *(_service_may_use(sid, service) for sid, service in deliveries),
    )


# Services that deliver into the main stack's encrypted resources on their own behalf.
MAIN_DELIVERIES = (
    ("EventBridgeIntoQueue", "events.amazonaws.com"),
    ("AlarmsIntoTopic", "cloudwatch.amazonaws.com"),
    ("AccessLogsIntoBucket", "logging.s3.amazonaws.com"),
    ("FlowLogsIntoBucket", "delivery.logs.amazonaws.com"),
    ("TrailIntoBucket", "cloudtrail.amazonaws.com"),  # LandingDataEvents=true (audit.py)
)


def add_key(t: Template, naming: Naming, *, title: str, purpose: str,
            deliveries: Sequence[tuple[str, object]] = ()) -> DataKey:
    """A rotated customer managed key and its alias `alias/<project>-<env>-<title lower>`."""
    key = t.add_resource(kms.Key(
        title, DeletionPolicy="Retain", UpdateReplacePolicy="Retain",  # it decrypts kept data
        Description=Join(" ", [naming.name(title.lower()), "-", purpose]),
        EnableKeyRotation=True,
        KeyPolicy=_key_policy(deliveries),
        PendingWindowInDays=30,
    ))
    t.add_resource(kms.Alias(f"{title}Alias", TargetKeyId=Ref(key),
                             AliasName=Join("", ["alias/", naming.name(title.lower())])))
    return DataKey(key)
