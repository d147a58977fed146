"""The composition root: builds each stack from the modules, in dependency order.

This is the one place that knows which module needs which; the modules only see the typed
hand-offs they are given. Outputs and tags are added last, over everything.
"""

from __future__ import annotations

from collections.abc import Callable

from troposphere import GetAtt, Join, Output, Ref, Template

from templates.alarms import add_alarms
from templates.budget import add_budget
from templates.compute import add_compute
from templates.dashboard import add_dashboard
from templates.encryption import MAIN_DELIVERIES, add_key
from templates.endpoints import add_endpoints
from templates.events import add_landing_events
from templates.identities import add_task_identities
from templates.network import add_network
from templates.parameters import add_main_parameters
from templates.pipeline import build_pipeline
from templates.queues import add_queues
from templates.scaling import add_scaling
from templates.search import add_search
from templates.service import add_service
from templates.storage import add_storage
from templates.tags import Naming, apply_tags

DESCRIPTION = ("cis-worker: landing bucket -> EventBridge -> SQS -> ECS service on spot EC2 "
               "(text, OCR, thumbnails, embeddings) -> OpenSearch")


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
    network = add_network(t, Ref(p.vpc_cidr), storage.logs)
    add_endpoints(t, network)
    compute = add_compute(t, p, network, naming)
    ids = add_task_identities(t, p, key, queues, storage, compute)
    search = add_search(t, p, key, network, ids)
    service = add_service(t, p, queues_=queues, storage=storage, network=network,
                          compute=compute, ids=ids, search=search)
    add_scaling(t, p, compute, service, queues)
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
        "TaskRoleArn": ids.task_role_arn,
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
