"""Service auto scaling: target tracking on the estimated queue wait, nothing else.

The tracked metric is metric math over the queue and the service: visible messages per
running task (the backlog per task) times the measured seconds per file, divided by the files
a task works on at once. That is the seconds a new file would wait, so the target is simply
the AcceptableLatencySeconds parameter. No CPU policy: OCR keeps the CPUs busy whatever the
backlog, and a second policy would fight this one. An idle queue scales in to MinTasks.
"""

from __future__ import annotations

from troposphere import Join, Ref, Sub, Template
from troposphere import applicationautoscaling as aas

from templates.compute import Compute
from templates.parameters import MainParameters
from templates.queues import Queues
from templates.service import WorkerService

CONTAINER_INSIGHTS = "ECS/ContainerInsights"
SCALE_OUT_COOLDOWN = 60
SCALE_IN_COOLDOWN = 300


def _stat(query_id: str, namespace: str, name: str,
          dimensions: dict[str, object]) -> aas.TargetTrackingMetricDataQuery:
    return aas.TargetTrackingMetricDataQuery(
        Id=query_id, ReturnData=False,
        MetricStat=aas.TargetTrackingMetricStat(
            Stat="Average",
            Metric=aas.TargetTrackingMetric(
                Namespace=namespace, MetricName=name,
                Dimensions=[aas.TargetTrackingMetricDimension(Name=k, Value=v)
                            for k, v in dimensions.items()])))


def wait_expression(p: MainParameters) -> Sub:
    """Estimated seconds a new file waits: backlog per task x seconds per file / concurrency."""
    return Sub("IF(tasks > 0, visible / tasks, visible) * ${SecondsPerFile} / ${Concurrency}",
               SecondsPerFile=Ref(p.seconds_per_file), Concurrency=Ref(p.worker_concurrency))


def add_scaling(t: Template, p: MainParameters, compute: Compute, service: WorkerService,
                queues: Queues) -> aas.ScalingPolicy:
    target = t.add_resource(aas.ScalableTarget(
        "ServiceScalableTarget", ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Join("/", ["service", compute.cluster_name, service.name]),
        MinCapacity=Ref(p.min_tasks), MaxCapacity=Ref(p.max_tasks)))
    metrics = [
        _stat("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
              {"QueueName": queues.work.name}),
        _stat("tasks", CONTAINER_INSIGHTS, "RunningTaskCount",
              {"ClusterName": compute.cluster_name, "ServiceName": service.name}),
        aas.TargetTrackingMetricDataQuery(Id="wait", Expression=wait_expression(p),
                                          Label="Estimated queue wait (s)", ReturnData=True),
    ]
    return t.add_resource(aas.ScalingPolicy(
        "BacklogScalingPolicy", PolicyName="queue-wait-target",
        PolicyType="TargetTrackingScaling", ScalingTargetId=Ref(target),
        TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
            TargetValue=Ref(p.acceptable_latency),
            ScaleOutCooldown=SCALE_OUT_COOLDOWN, ScaleInCooldown=SCALE_IN_COOLDOWN,
            CustomizedMetricSpecification=aas.CustomizedMetricSpecification(Metrics=metrics))))
