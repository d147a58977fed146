"""IAM and resource policies as small pure functions of the resources they name.

Every statement names its resources (ARNs from the stack); the only `Resource: "*"` allowed is
for actions that have no resource-level permissions at all, listed in UNSCOPABLE_ACTIONS, and
the tests hold the roles to that. Actions are awacs objects, never strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from awacs import (
    bedrock,
    ecr,
    ecs,
    es,
    kms,
    logs,
    s3,
    secretsmanager,
    sqs,
    sts,
    xray,
)
from awacs import (
    iam as iam_actions,
)
from awacs.aws import (
    Action,
    Allow,
    ArnEquals,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AccountId, Ref, Sub, encode_to_dict, iam

VERSION = "2012-10-17"

# Actions AWS does not scope to resources: they can only be granted on "*".
UNSCOPABLE_ACTIONS = frozenset({
    "ecr:GetAuthorizationToken",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
})

Resources = Sequence[object]


def arn(service: str, resource: str, **variables: object) -> Sub:
    """An ARN in the stack's partition, region and account, e.g.
    `arn("ecr", "repository/${Name}", Name=...)`."""
    return Sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}",
               **variables)


def under(parent_arn: object, path: str = "*") -> Sub:
    """What lies under an ARN: a bucket's objects, a prefix of them, a domain's API paths."""
    return Sub(f"${{Arn}}/{path}", Arn=parent_arn)


def from_this_account() -> Condition:
    """Only when a service acts for this account (the confused-deputy guard)."""
    return Condition(StringEquals("aws:SourceAccount", AccountId))


def document(*statements: Statement) -> PolicyDocument:
    return PolicyDocument(Version=VERSION, Statement=list(statements))


def allow(actions: Sequence[Action], resources: Resources, sid: str | None = None) -> Statement:
    extra = {"Sid": sid} if sid else {}
    return Statement(Effect=Allow, Action=list(actions), Resource=list(resources), **extra)


def assume_role(service: str, *, same_account: bool = True) -> PolicyDocument:
    """Trust policy: `service` (e.g. ecs-tasks.amazonaws.com) may assume the role; with
    `same_account`, only on behalf of this account (services that pass aws:SourceAccount)."""
    extra = {"Condition": from_this_account()}
    return document(Statement(
        Effect=Allow,
        Principal=Principal("Service", [service]),
        Action=[sts.AssumeRole],
        **(extra if same_account else {}),
    ))


def deny_insecure_transport(resources: Resources, service_action: str) -> Statement:
    """Refuse every request that does not come over TLS."""
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[Action(service_action, "*")],
        Resource=list(resources),
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def bucket_policy(bucket_arn: object, *extra: Statement) -> PolicyDocument:
    return document(deny_insecure_transport([bucket_arn, under(bucket_arn)], "s3"), *extra)


def service_may_write_logs(service: str, bucket_arn: object, prefix: str) -> Statement:
    """A log delivery service (S3 server access logs, VPC flow logs) may put objects under
    `prefix`, for this account's sources only."""
    return Statement(
        Sid=f"LogDelivery{prefix.strip('/').title().replace('-', '')}",
        Effect=Allow,
        Principal=Principal("Service", [service]),
        Action=[s3.PutObject],
        Resource=[under(bucket_arn, f"{prefix}*")],
        Condition=from_this_account(),
    )


def service_may_check_bucket(service: str, bucket_arn: object) -> Statement:
    """VPC flow log delivery checks the bucket's ACL before writing."""
    return Statement(
        Sid="LogDeliveryAclCheck",
        Effect=Allow,
        Principal=Principal("Service", [service]),
        Action=[s3.GetBucketAcl, s3.ListBucket],
        Resource=[bucket_arn],
        Condition=from_this_account(),
    )


def trail_may_write(bucket_arn: object, prefix: str) -> list[Statement]:
    """CloudTrail checks the bucket's ACL, then writes this account's log files under
    `prefix` (the only writer the bucket's owner-enforced ownership needs no ACL for)."""
    service = Principal("Service", ["cloudtrail.amazonaws.com"])
    return [
        Statement(Sid="TrailAclCheck", Effect=Allow, Principal=service,
                  Action=[s3.GetBucketAcl], Resource=[bucket_arn], Condition=from_this_account()),
        Statement(Sid="TrailWrite", Effect=Allow, Principal=service, Action=[s3.PutObject],
                  Resource=[under(bucket_arn, f"{prefix}AWSLogs/${{AWS::AccountId}}/*")],
                  Condition=from_this_account()),
    ]


def queue_policy(queue_arn: object, rule_arn: object) -> PolicyDocument:
    """The EventBridge rule (and only that rule) may send to the queue; TLS only."""
    return document(
        deny_insecure_transport([queue_arn], "sqs"),
        Statement(
            Sid="AllowLandingEventsRule",
            Effect=Allow,
            Principal=Principal("Service", ["events.amazonaws.com"]),
            Action=[sqs.SendMessage],
            Resource=[queue_arn],
            Condition=Condition(ArnEquals("aws:SourceArn", rule_arn)),
        ),
    )


# What `cis-worker run` does with its queue: nothing else (no send: a worker cannot put a
# message on its own queue).
WORKER_QUEUE_ACTIONS = (sqs.ReceiveMessage, sqs.DeleteMessage, sqs.ChangeMessageVisibility)
TRACE_ACTIONS = (xray.PutTraceSegments, xray.PutTelemetryRecords, xray.GetSamplingRules,
                 xray.GetSamplingTargets, xray.GetSamplingStatisticSummaries)


def worker_statements(*, queue_arn: object, landing_arn: object, thumbnail_arn: object,
                      key_arn: object, model_arn: object, task_arns: object) -> list[Statement]:
    """What `cis-worker run` needs, and nothing more: backfill, redrive and index-setup run
    as the operator task (operator_statements)."""
    return [
        allow(list(WORKER_QUEUE_ACTIONS), [queue_arn], "Queue"),
        # the current version only; a delete marker still answers 404 without s3:ListBucket
        allow([s3.GetObject], [under(landing_arn)], "Read"),
        allow([s3.PutObject, s3.DeleteObject], [under(thumbnail_arn)], "Thumbs"),
        allow([kms.Decrypt, kms.GenerateDataKey], [key_arn], "DataKey"),
        allow([bedrock.InvokeModel], [model_arn], "Embeddings"),
        allow([ecs.UpdateTaskProtection, ecs.GetTaskProtection], [task_arns], "TaskProtection"),
        allow(list(TRACE_ACTIONS), ["*"], "Traces"),
    ]


def operator_statements(*, queue_arn: object, dlq_arn: object, landing_arn: object,
                        key_arn: object) -> list[Statement]:
    """`cis-worker backfill` (list the landing bucket, send events), `redrive` (move the DLQ
    back) and `index-setup` (the search grants are added beside, per layout)."""
    return [
        allow([sqs.SendMessage, sqs.GetQueueAttributes, sqs.GetQueueUrl], [queue_arn],
              "Enqueue"),
        allow([sqs.StartMessageMoveTask, sqs.ListMessageMoveTasks, sqs.CancelMessageMoveTask,
               sqs.ReceiveMessage, sqs.DeleteMessage, sqs.GetQueueAttributes],
              [dlq_arn], "Redrive"),
        allow([s3.ListBucket], [landing_arn], "ListLanding"),
        allow([kms.Decrypt, kms.GenerateDataKey], [key_arn], "DataKey"),
    ]


def pass_role_statements(role_arn: object, service: str) -> list[Statement]:
    """Hand one role to one service (OpenSearch takes the snapshot role when a repository
    is registered)."""
    return [Statement(Sid="PassSnapshotRole", Effect=Allow, Action=[iam_actions.PassRole],
                      Resource=[role_arn],
                      Condition=Condition(StringEquals("iam:PassedToService", service)))]


def bucket_access_statements(bucket_arn: object) -> list[Statement]:
    """Read, write and list one bucket (the snapshot repository's)."""
    return [allow([s3.ListBucket], [bucket_arn], "SnapshotBucket"),
            allow([s3.GetObject, s3.PutObject, s3.DeleteObject], [under(bucket_arn)],
                  "SnapshotObjects")]


def search_statements(domain_arn: object) -> list[Statement]:
    """HTTP access to one OpenSearch domain's API (SigV4). What a principal may do there is
    then decided by the domain's fine-grained access control (its role mapping)."""
    return [allow([es.ESHttpGet, es.ESHttpHead, es.ESHttpPost, es.ESHttpPut, es.ESHttpDelete],
                  [domain_arn, under(domain_arn)], "SearchDomain")]


def search_write_statements(domain_arn: object) -> list[Statement]:
    """The worker's HTTP access to the domain: read and write documents (bulk, search,
    update-by-query, delete); no PUT or DELETE of indices — and the domain's role mapping
    narrows it to the index pattern."""
    return [allow([es.ESHttpGet, es.ESHttpHead, es.ESHttpPost], [under(domain_arn)],
                  "SearchDomain")]


def execution_statements(*, repository_arns: Resources, pull_through_arn: object,
                         log_group_arn: object) -> list[Statement]:
    """What the ECS agent needs to start the task: pull the two images, write its logs."""
    return [
        allow([ecr.GetAuthorizationToken], ["*"], "RegistryLogin"),
        allow([ecr.BatchGetImage, ecr.GetDownloadUrlForLayer, ecr.BatchCheckLayerAvailability],
              repository_arns, "PullImages"),
        allow([ecr.CreateRepository, ecr.BatchImportUpstreamImage], [pull_through_arn],
              "PullThroughCache"),
        allow([logs.CreateLogStream, logs.PutLogEvents],
              [Sub("${Arn}:log-stream:*", Arn=log_group_arn)], "Logs"),
    ]


def secret_statements(secret_arn: object) -> list[Statement]:
    """Read the one basic-auth secret that the task's `secrets` inject."""
    return [allow([secretsmanager.GetSecretValue], [secret_arn], "SearchSecret")]


def inline(name: str, *statements: Statement) -> iam.Policy:
    """A role's inline policy."""
    return iam.Policy(PolicyName=name, PolicyDocument=document(*statements))


def as_dict(doc: PolicyDocument) -> dict[str, object]:
    """The document as plain JSON data, for properties that troposphere types as a dict."""
    data: dict[str, object] = encode_to_dict(doc)
    return data


def conditional_policy(title: str, role: iam.Role, condition: str,
                       statements: Sequence[Statement]) -> iam.RolePolicy:
    """An inline policy of `role` that exists only under `condition` (policy name: the
    title in kebab case)."""
    name = "".join(f"-{c.lower()}" if c.isupper() else c for c in title).lstrip("-")
    return iam.RolePolicy(title, Condition=condition, RoleName=Ref(role), PolicyName=name,
                          PolicyDocument=as_dict(document(*statements)))
