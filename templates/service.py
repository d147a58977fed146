"""The worker as an ECS service: task definition (worker + X-Ray daemon) and the service; and
the operator's task definition for the one-off commands.

The worker container runs as the image's non-root user on a read-only root file system, with
a task-scoped scratch volume on /tmp (TMPDIR), an init process that reaps Tesseract's children,
a stop timeout above the worker's drain budget, and `cis-worker health` as its health check.
Its environment uses the names `worker/config.py` reads; the basic-auth credentials, when
there are any, come from Secrets Manager through `secrets`, never as plain values.

`backfill`, `redrive` and `index-setup` run as `aws ecs run-task` of the operator task
definition: the same image and settings under the operator role (identities.py), plus what
index-setup needs to grant the worker's role its write role and register the snapshot
repository. The worker's own task definition cannot do any of that.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import AWSHelperFn, GetAtt, If, NoValue, Ref, Sub, Template, ecs

from templates import limits, queues
from templates.compute import Compute
from templates.identities import TaskIdentities
from templates.images import (
    PULL_THROUGH_PREFIX,
    WORKER_CONTAINER,
    WORKER_USER,
    XRAY_CONTAINER,
    XRAY_REPOSITORY,
    XRAY_USER,
)
from templates.network import Network
from templates.parameters import HAS_SEARCH_SECRET, MainParameters
from templates.queues import Queues
from templates.search import SearchTarget
from templates.storage import Storage

SCRATCH_VOLUME = "scratch"
SCRATCH_PATH = "/tmp"
XRAY_DAEMON_ADDRESS = "127.0.0.1:2000"  # awsvpc: the containers share one network namespace
REGISTRY = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}"


OPERATOR_CONTAINER = "operator"
OPERATOR_CPU = 512
OPERATOR_MEMORY = 1024


@dataclass(frozen=True)
class WorkerService:
    task_definition: ecs.TaskDefinition
    operator_task_definition: ecs.TaskDefinition
    service: ecs.Service

    @property
    def name(self) -> GetAtt:
        return GetAtt(self.service, "Name")


def _env(p: MainParameters, queues_: Queues, storage: Storage,
         search: SearchTarget) -> list[ecs.Environment]:
    values: dict[str, object] = {
        "SQS_QUEUE_URL": queues_.work.url,
        "SQS_DLQ_URL": queues_.dead_letters.url,
        "S3_LANDING_BUCKET": storage.landing.name,
        "S3_THUMBNAIL_BUCKET": storage.thumbnails.name,
        "S3_THUMBNAIL_KMS_KEY_ID": storage.key.arn,
        "OPENSEARCH_ENDPOINT": search.endpoint,
        "OPENSEARCH_INDEX": Ref(p.search_index),
        "BEDROCK_REGION": Ref(p.bedrock_region),
        "BEDROCK_MODEL_ID": Ref(p.bedrock_model),
        "EMBEDDING_DIMENSIONS": Ref(p.embedding_dimensions),
        "WORKER_CONCURRENCY": Ref(p.worker_concurrency),
        "VISIBILITY_TIMEOUT_SECONDS": str(queues.VISIBILITY_TIMEOUT_SECONDS),
        "SQS_WAIT_TIME_SECONDS": str(queues.LONG_POLL_SECONDS),
        "SHUTDOWN_BUDGET_SECONDS": str(limits.SHUTDOWN_BUDGET_SECONDS),
        "ENVIRONMENT": Ref(p.environment),
        "AWS_REGION": Ref("AWS::Region"),
        "AWS_XRAY_DAEMON_ADDRESS": XRAY_DAEMON_ADDRESS,
    }
    pairs: list[ecs.Environment] = [ecs.Environment(Name=k, Value=v) for k, v in values.items()]
    basic = ecs.Environment(Name="OPENSEARCH_AUTH", Value="basic")
    return [*pairs, If(HAS_SEARCH_SECRET, basic, NoValue)]


def _secrets(p: MainParameters) -> AWSHelperFn:
    """username/password keys of the JSON secret, injected at start by the ECS agent."""
    secret = [ecs.Secret(Name=f"OPENSEARCH_{key.upper()}",
                         ValueFrom=Sub(f"${{Arn}}:{key}::", Arn=Ref(p.search_secret)))
              for key in ("username", "password")]
    return If(HAS_SEARCH_SECRET, secret, NoValue)


def _logs(ids: TaskIdentities, prefix: str) -> ecs.LogConfiguration:
    return ecs.LogConfiguration(LogDriver="awslogs", Options={
        "awslogs-group": Ref(ids.log_group), "awslogs-region": Ref("AWS::Region"),
        "awslogs-stream-prefix": prefix})


def _image(p: MainParameters) -> Sub:
    return Sub(f"{REGISTRY}/${{Repo}}:${{Tag}}", Repo=Ref(p.image_repository),
               Tag=Ref(p.image_tag))


def _operator_env(ids: TaskIdentities, search: SearchTarget) -> list[ecs.Environment]:
    values: dict[str, object] = {
        "SEARCH_WORKER_ROLE_ARN": ids.task_role_arn,
        "SNAPSHOT_BUCKET": search.snapshot_bucket,
        "SNAPSHOT_ROLE_ARN": search.snapshot_role_arn,
    }
    return [ecs.Environment(Name=k, Value=v) for k, v in values.items()]


def _operator_task(t: Template, p: MainParameters, ids: TaskIdentities,
                   env: list[ecs.Environment]) -> ecs.TaskDefinition:
    container = ecs.ContainerDefinition(
        Name=OPERATOR_CONTAINER, Image=_image(p), Essential=True, Command=["index-setup"],
        User=WORKER_USER, ReadonlyRootFilesystem=True,
        MountPoints=[ecs.MountPoint(SourceVolume=SCRATCH_VOLUME, ContainerPath=SCRATCH_PATH,
                                    ReadOnly=False)],
        LinuxParameters=ecs.LinuxParameters(
            InitProcessEnabled=True, Capabilities=ecs.KernelCapabilities(Drop=["ALL"])),
        DockerSecurityOptions=["no-new-privileges"],
        Environment=env, Secrets=_secrets(p), LogConfiguration=_logs(ids, OPERATOR_CONTAINER))
    return t.add_resource(ecs.TaskDefinition(
        "OperatorTaskDefinition", RequiresCompatibilities=["EC2"], NetworkMode="awsvpc",
        Cpu=str(OPERATOR_CPU), Memory=str(OPERATOR_MEMORY),
        TaskRoleArn=ids.operator_role_arn, ExecutionRoleArn=GetAtt(ids.execution_role, "Arn"),
        Volumes=[ecs.Volume(Name=SCRATCH_VOLUME, DockerVolumeConfiguration=(
            ecs.DockerVolumeConfiguration(Scope="task", Driver="local")))],
        ContainerDefinitions=[container]))


def _worker(p: MainParameters, ids: TaskIdentities,
            env: list[ecs.Environment]) -> ecs.ContainerDefinition:
    return ecs.ContainerDefinition(
        Name=WORKER_CONTAINER,
        Image=_image(p),
        Essential=True, Command=["run"], User=WORKER_USER,
        ReadonlyRootFilesystem=True,
        MountPoints=[ecs.MountPoint(SourceVolume=SCRATCH_VOLUME, ContainerPath=SCRATCH_PATH,
                                    ReadOnly=False)],
        LinuxParameters=ecs.LinuxParameters(
            InitProcessEnabled=True, Capabilities=ecs.KernelCapabilities(Drop=["ALL"])),
        DockerSecurityOptions=["no-new-privileges"],
        StopTimeout=limits.STOP_TIMEOUT_SECONDS,
        HealthCheck=ecs.HealthCheck(Command=["CMD", "cis-worker", "health"], Interval=30,
                                    Timeout=10, Retries=3, StartPeriod=60),
        Environment=env, Secrets=_secrets(p),
        LogConfiguration=_logs(ids, WORKER_CONTAINER),
        DependsOn=[ecs.ContainerDependency(ContainerName=XRAY_CONTAINER, Condition="START")],
    )


def _xray(p: MainParameters, ids: TaskIdentities) -> ecs.ContainerDefinition:
    return ecs.ContainerDefinition(
        Name=XRAY_CONTAINER,
        Image=Sub(f"{REGISTRY}/{PULL_THROUGH_PREFIX}/{XRAY_REPOSITORY}:${{Version}}",
                  Version=Ref(p.xray_daemon_version)),
        # local mode: no instance metadata lookups (the tasks cannot reach it anyway)
        Command=["--local-mode", "--region", Ref("AWS::Region")],
        Essential=False, User=XRAY_USER, ReadonlyRootFilesystem=True,
        Cpu=32, MemoryReservation=64, Memory=256,
        LinuxParameters=ecs.LinuxParameters(Capabilities=ecs.KernelCapabilities(Drop=["ALL"])),
        DockerSecurityOptions=["no-new-privileges"],
        LogConfiguration=_logs(ids, XRAY_CONTAINER),
    )


def add_service(t: Template, p: MainParameters, *, queues_: Queues, storage: Storage,
                network: Network, compute: Compute, ids: TaskIdentities,
                search: SearchTarget) -> WorkerService:
    env = _env(p, queues_, storage, search)
    operator = _operator_task(t, p, ids, [*env, *_operator_env(ids, search)])
    task = t.add_resource(ecs.TaskDefinition(
        "TaskDefinition",
        RequiresCompatibilities=["EC2"], NetworkMode="awsvpc",
        Cpu=Ref(p.task_cpu), Memory=Ref(p.task_memory),
        TaskRoleArn=ids.task_role_arn, ExecutionRoleArn=GetAtt(ids.execution_role, "Arn"),
        Volumes=[ecs.Volume(Name=SCRATCH_VOLUME, DockerVolumeConfiguration=(
            ecs.DockerVolumeConfiguration(Scope="task", Driver="local")))],
        ContainerDefinitions=[_worker(p, ids, env), _xray(p, ids)],
    ))
    service = t.add_resource(ecs.Service(
        "Service",
        Cluster=compute.cluster_name, TaskDefinition=Ref(task),
        CapacityProviderStrategy=[ecs.CapacityProviderStrategyItem(
            CapacityProvider=Ref(compute.capacity_provider), Weight=1)],
        DeploymentConfiguration=ecs.DeploymentConfiguration(
            MaximumPercent=200, MinimumHealthyPercent=100,
            DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True)),
        NetworkConfiguration=ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
            # no AssignPublicIp: EC2 tasks never get a public address (it is a Fargate option)
            Subnets=network.subnet_ids, SecurityGroups=[Ref(network.task_sg)])),
        PlacementStrategies=[ecs.PlacementStrategy(Type="spread",
                                                   Field="attribute:ecs.availability-zone")],
        EnableECSManagedTags=True, PropagateTags="SERVICE",
        DependsOn=[compute.association],
    ))
    return WorkerService(task_definition=task, operator_task_definition=operator,
                         service=service)
