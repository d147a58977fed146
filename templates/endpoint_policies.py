"""VPC endpoint policies: what may pass through each endpoint, as small pure functions.

An endpoint policy bounds every caller in the VPC, whatever its role says: a worker taken
over by a crafted file cannot use the S3 gateway to write to another bucket, or the SQS
endpoint to reach another queue. Each statement names this stack's resources and, for our
own resources, requires a principal of this account. The AWS-owned buckets the instances
need are named one by one:

- `prod-<region>-starport-layer-bucket`: where ECR serves image layers from (the ECR user
  guide's endpoint-policy example); the worker image and the X-Ray daemon both come from it.
- `al2023-repos-<region>-de612dc2`: the Amazon Linux 2023 package repositories of the ECS
  instances (dnf; the ECS agent's own updates come as packages from there too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from awacs import bedrock, ecr, logs, s3, secretsmanager, sqs
from awacs.aws import Action, Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AccountId, Sub

from templates import policies

ECR_LAYER_BUCKET = "prod-${AWS::Region}-starport-layer-bucket"
PACKAGE_BUCKETS = ("al2023-repos-${AWS::Region}-de612dc2",)


@dataclass(frozen=True)
class Reachable:
    """This stack's resources that something in the VPC calls through an endpoint."""

    queue_arns: Sequence[object]
    bucket_arns: Sequence[object]
    log_group_arn: object
    repository_arns: Sequence[object]
    model_arn: object
    secret_arn: object


def _ours(sid: str, actions: Sequence[Action], resources: Sequence[object]) -> Statement:
    """Anyone of this account may call `actions` on `resources` through the endpoint."""
    return Statement(Sid=sid, Effect=Allow, Principal=Principal("*"), Action=list(actions),
                     Resource=list(resources),
                     Condition=Condition(StringEquals("aws:PrincipalAccount", AccountId)))


def _aws_owned(sid: str, buckets: Sequence[str]) -> Statement:
    """Reads from AWS-owned buckets (pre-signed by their owner, so no account condition)."""
    return Statement(Sid=sid, Effect=Allow, Principal=Principal("*"), Action=[s3.GetObject],
                     Resource=[Sub(f"arn:${{AWS::Partition}}:s3:::{name}/*") for name in buckets])


def s3_gateway(r: Reachable) -> PolicyDocument:
    objects = [policies.under(arn) for arn in r.bucket_arns]
    return policies.document(
        _ours("StackBuckets", [s3.GetObject, s3.PutObject, s3.DeleteObject],
              objects),
        _ours("ListStackBuckets", [s3.ListBucket], list(r.bucket_arns)),
        _aws_owned("EcrImageLayers", [ECR_LAYER_BUCKET]),
        _aws_owned("PackageRepositories", PACKAGE_BUCKETS),
    )


def sqs_endpoint(r: Reachable) -> PolicyDocument:
    return policies.document(_ours("StackQueues", [
        sqs.ReceiveMessage, sqs.DeleteMessage, sqs.ChangeMessageVisibility, sqs.SendMessage,
        sqs.GetQueueAttributes, sqs.GetQueueUrl, sqs.StartMessageMoveTask,
        sqs.ListMessageMoveTasks, sqs.CancelMessageMoveTask], r.queue_arns))


def logs_endpoint(r: Reachable) -> PolicyDocument:
    return policies.document(_ours("StackLogGroup", [logs.CreateLogStream, logs.PutLogEvents],
                                   [r.log_group_arn, Sub("${Arn}:log-stream:*",
                                                         Arn=r.log_group_arn)]))


def ecr_endpoint(r: Reachable) -> PolicyDocument:
    """Both ECR endpoints: the login (no resource of its own) and pulls of our repositories
    (the pull-through cache creates and imports the X-Ray daemon's on first pull)."""
    return policies.document(
        _ours("RegistryLogin", [ecr.GetAuthorizationToken], ["*"]),
        _ours("PullStackImages", [ecr.BatchGetImage, ecr.GetDownloadUrlForLayer,
                                  ecr.BatchCheckLayerAvailability, ecr.CreateRepository,
                                  ecr.BatchImportUpstreamImage], r.repository_arns))


def bedrock_endpoint(r: Reachable) -> PolicyDocument:
    return policies.document(_ours("EmbeddingModel", [bedrock.InvokeModel], [r.model_arn]))


def xray_endpoint(_: Reachable) -> PolicyDocument:
    """X-Ray's write and sampling APIs have no resource-level permissions: account only."""
    return policies.document(_ours("Traces", list(policies.TRACE_ACTIONS), ["*"]))


def secrets_endpoint(r: Reachable) -> PolicyDocument:
    return policies.document(_ours("SearchSecret", [secretsmanager.GetSecretValue],
                                   [r.secret_arn]))


POLICIES: dict[str, Callable[[Reachable], PolicyDocument]] = {
    "sqs": sqs_endpoint,
    "logs": logs_endpoint,
    "ecr.api": ecr_endpoint,
    "ecr.dkr": ecr_endpoint,
    "bedrock-runtime": bedrock_endpoint,
    "xray": xray_endpoint,
    "secretsmanager": secrets_endpoint,
}


def for_service(service: str, r: Reachable) -> PolicyDocument:
    return POLICIES[service](r)
