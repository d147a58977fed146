"""The composition root: builds each stack from the modules, in dependency order.

This is the one place that knows which module needs which; the modules only see the typed
hand-offs they are given. Outputs and tags are added last, over everything.
"""

from __future__ import annotations

from collections.abc import Callable

from troposphere import GetAtt, Join, Output, Ref, Sub, Template

from templates.alarms import add_alarms
from templates.audit import add_data_events
from templates.budget import add_budget
from templates.compute import add_compute
from templates.dashboard import add_dashboard
from templates.encryption import MAIN_DELIVERIES, add_key
from templates.endpoint_policies import Reachable
from templates.endpoints import add_endpoints
from templates.events import add_landing_events
from templates.identities import TaskIdentities, add_task_identities
from templates.images import PULL_THROUGH_PREFIX, XRAY_REPOSITORY
from templates.network import add_network
from templates.parameters import MainParameters, add_main_parameters
from templates.pipeline import build_pipeline
from templates.policies import arn
from templates.queries import add_queries
from templates.queues import Queues, add_queues
from templates.scaling import add_scaling
from templates.search import add_search
from templates.service import add_service
from templates.storage import Storage, add_storage
from templates.tags import Naming, apply_tags

DESCRIPTION = ("cis-worker: landing bucket -> EventBridge -> SQS -> ECS service on spot EC2 "
               "(text, OCR, thumbnails, embeddings) -> OpenSearch")


def reachable(p: MainParameters, queues: Queues, storage: Storage,
              ids: TaskIdentities) -> Reachable:
    """This stack's resources the endpoint policies let through."""
    return Reachable(
        queue_arns=[queues.work.arn, queues.dead_letters.arn],
        bucket_arns=[storage.landing.arn, storage.thumbnails.arn],
        log_group_arn=arn("logs", "log-group:${Name}", Name=Ref(ids.log_group)),
        repository_arns=[arn("ecr", "repository/${Name}", Name=Ref(p.image_repository)),
                         arn("ecr", "repository/${Name}",
                             Name=f"{PULL_THROUGH_PREFIX}/{XRAY_REPOSITORY}")],
        model_arn=Sub("arn:${AWS::Partition}:bedrock:${Region}::foundation-model/${Model}",
                      Region=Ref(p.bedrock_region), Model=Ref(p.bedrock_model)),
        secret_arn=Ref(p.search_secret))


def build_main() -> Template:
    t = Template(Description=DESCRIPTION)
    p = add_main_parameters(t)
    naming = Naming(p.project, p.environment, p.cost_center)
    key = add_key(t, naming, title="DataKey", deliveries=MAIN_DELIVERIES,
                  purpose="data at rest: buckets, queues, logs, alerts")
    storage = add_storage(t, key, noncurrent_days=Ref(p.landing_noncurrent_days),
                          log_retention_days=Ref(p.log_retention_days))
    queues = add_queues(t, key)
    add_landing_events(t, storage.landing, queues)
    network = add_network(t, Ref(p.vpc_cidr), storage.logs, Ref(p.s3_prefix_list))
    compute = add_compute(t, p, network, naming)
    ids = add_task_identities(t, p, key, queues, storage, compute)
    add_endpoints(t, network, reachable(p, queues, storage, ids))
    search = add_search(t, p, key, network, ids, storage.logs)
    service = add_service(t, p, queues_=queues, storage=storage, network=network,
                          compute=compute, ids=ids, search=search)
    add_scaling(t, p, compute, service, queues)
    add_queries(t, ids.log_group)
    add_data_events(t, storage)
    alerts = add_alarms(t, p, key, queues, compute, service)
    add_budget(t, p, naming)
    dashboard = add_dashboard(t, p, queues, compute, service)
    outputs = {
        "QueueUrl": queues.work.url,
        "DeadLetterQueueUrl": queues.dead_letters.url,
        "LandingBucketName": storage.landing.name,
        "ThumbnailBucketName": storage.thumbnails.name,
        "LogBucketName": storage.logs.name,
        "ClusterName": compute.cluster_name,
        "ServiceName": service.name,
        "TaskDefinitionArn": Ref(service.task_definition),
        "OperatorTaskDefinitionArn": Ref(service.operator_task_definition),
        "TaskRoleArn": ids.task_role_arn,
        "OperatorRoleArn": ids.operator_role_arn,
        "LogGroupName": Ref(ids.log_group),
        "AlertTopicArn": Ref(alerts.topic),
        "DashboardName": Ref(dashboard),
        "DataKeyArn": key.arn,
        "VpcId": Ref(network.vpc),
        "SearchEndpoint": search.endpoint,
        "AutoScalingGroupName": Ref(compute.group),
        "TaskSecurityGroupId": GetAtt(network.task_sg, "GroupId"),
        "PrivateSubnetIds": Join(",", network.subnet_ids),
        "CapacityProviderName": Ref(compute.capacity_provider),
    }
    for title, value in outputs.items():
        t.add_output(Output(title, Value=value))
    apply_tags(t, naming)
    return t


# File name -> what builds it: the files `python -m templates` writes.
STACKS: dict[str, Callable[[], Template]] = {"main.json": build_main,
                                             "pipeline.json": build_pipeline}


def build_all() -> dict[str, Template]:
    """File name -> template, as `python -m templates` writes them."""
    return {name: build() for name, build in STACKS.items()}
