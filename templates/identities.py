"""The tasks' roles: what the worker may do, what the operator's commands may do, and what
ECS may do to start either.

The worker's task role carries only what `cis-worker run` uses on this stack's named
resources (policies.py): it cannot send to its own queue, list the landing bucket or
administer the search domain. `backfill`, `redrive` and `index-setup` run as the operator
task (service.py) under the operator role, which may enqueue, move the DLQ back and — as the
search domain's master user when no SearchAdminRoleArn is given — set the index up and map
the worker's role to an index-level write role there. The execution role, a third role, only
pulls the two images, writes the log streams and reads the one search secret when there is
one. The tasks' log group lives here too, since the execution role is scoped to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from awacs.aws import Statement
from troposphere import GetAtt, Join, Ref, Sub, Template, iam, logs

from templates import policies
from templates.compute import Compute
from templates.encryption import DataKey
from templates.images import PULL_THROUGH_PREFIX, XRAY_REPOSITORY
from templates.parameters import HAS_SEARCH_DOMAIN_ARN, HAS_SEARCH_SECRET, MainParameters
from templates.queues import Queues
from templates.storage import Storage

ECS_TASKS = "ecs-tasks.amazonaws.com"


@dataclass(frozen=True)
class TaskIdentities:
    task_role: iam.Role
    operator_role: iam.Role
    execution_role: iam.Role
    log_group: logs.LogGroup

    @property
    def task_role_arn(self) -> GetAtt:
        return GetAtt(self.task_role, "Arn")

    @property
    def operator_role_arn(self) -> GetAtt:
        return GetAtt(self.operator_role, "Arn")


@dataclass(frozen=True)
class _RoleSpec:
    """One role the tasks use: its inline policy, and a policy attached only when a template
    condition holds (a search domain or secret named by parameter)."""

    title: str
    description: str
    policy: str
    statements: list[Statement]
    conditional_title: str
    condition: str
    conditional_statements: list[Statement]


def _role(t: Template, spec: _RoleSpec) -> iam.Role:
    role = t.add_resource(iam.Role(
        spec.title, AssumeRolePolicyDocument=policies.assume_role(ECS_TASKS),
        Description=spec.description,
        Policies=[policies.inline(spec.policy, *spec.statements)]))
    t.add_resource(policies.conditional_policy(
        spec.conditional_title, role, spec.condition, spec.conditional_statements))
    return role


def _task_role(t: Template, p: MainParameters, key: DataKey, queues: Queues,
               storage: Storage, compute: Compute) -> iam.Role:
    statements = policies.worker_statements(
        queue_arn=queues.work.arn,
        landing_arn=storage.landing.arn, thumbnail_arn=storage.thumbnails.arn,
        key_arn=key.arn,
        model_arn=Sub("arn:${AWS::Partition}:bedrock:${Region}::foundation-model/${Model}",
                      Region=Ref(p.bedrock_region), Model=Ref(p.bedrock_model)),
        task_arns=policies.arn("ecs", "task/${Cluster}/*", Cluster=compute.cluster_name),
    )
    return _role(t, _RoleSpec(
        "TaskRole", "cis-worker task (run): its queue, buckets, key, Bedrock model, traces",
        "worker", statements, "TaskExternalSearchAccess", HAS_SEARCH_DOMAIN_ARN,
        policies.search_write_statements(Ref(p.search_domain_arn))))


def _operator_role(t: Template, p: MainParameters, key: DataKey, queues: Queues,
                   storage: Storage) -> iam.Role:
    statements = policies.operator_statements(
        queue_arn=queues.work.arn, dlq_arn=queues.dead_letters.arn,
        landing_arn=storage.landing.arn, key_arn=key.arn)
    return _role(t, _RoleSpec(
        "OperatorRole", "cis-worker operator task: backfill, redrive, index-setup",
        "operator", statements, "OperatorExternalSearchAccess", HAS_SEARCH_DOMAIN_ARN,
        policies.search_statements(Ref(p.search_domain_arn))))


def _log_group(t: Template, p: MainParameters, key: DataKey) -> logs.LogGroup:
    return t.add_resource(logs.LogGroup(
        "WorkerLogGroup",
        LogGroupName=Join("", ["/", Ref(p.project), "/", Ref(p.environment), "/worker"]),
        RetentionInDays=Ref(p.log_retention_days), KmsKeyId=key.arn))


def _execution_role(t: Template, p: MainParameters, log_group: logs.LogGroup) -> iam.Role:
    worker = policies.arn("ecr", "repository/${Name}", Name=Ref(p.image_repository))
    pulled = policies.arn("ecr", "repository/${Name}",
                          Name=f"{PULL_THROUGH_PREFIX}/{XRAY_REPOSITORY}")
    statements = policies.execution_statements(
        repository_arns=[worker, pulled], pull_through_arn=pulled,
        log_group_arn=policies.arn("logs", "log-group:${Name}", Name=Ref(log_group)),
    )
    return _role(t, _RoleSpec(
        "ExecutionRole", "ECS agent for cis-worker tasks: image pulls, log streams, secret",
        "start-task", statements, "ExecutionSecretAccess", HAS_SEARCH_SECRET,
        policies.secret_statements(Ref(p.search_secret))))


def add_task_identities(t: Template, p: MainParameters, key: DataKey, queues: Queues,
                        storage: Storage, compute: Compute) -> TaskIdentities:
    log_group = _log_group(t, p, key)
    return TaskIdentities(
        task_role=_task_role(t, p, key, queues, storage, compute),
        operator_role=_operator_role(t, p, key, queues, storage),
        execution_role=_execution_role(t, p, log_group),
        log_group=log_group,
    )

