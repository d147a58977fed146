"""Service auto scaling: from zero on the first message, then on the estimated queue wait.

Target tracking: the tracked metric is metric math over the queue and the service: visible
messages per running task (the backlog per task) times the measured seconds per file,
divided by the files a task works on at once. That is the seconds a new file would wait, so
the target is simply the AcceptableLatencySeconds parameter. An idle queue scales in to
MinTasks — zero by default.

Target tracking cannot start the first task (it multiplies the current count), so a step
policy does: its alarm fires when messages are visible while the service wants no task at
all (Container Insights' DesiredTaskCount, missing when there is none), and it adds one task.
Once a task is wanted the alarm clears and target tracking takes over; the capacity provider
(compute.py) starts an instance for the task and takes the instances back to zero when no
task runs. No CPU policy: OCR keeps the CPUs busy whatever the backlog.
"""

from __future__ import annotations

from troposphere import Join, Ref, Sub, Template, cloudwatch
from troposphere import applicationautoscaling as aas

from templates.compute import Compute
from templates.parameters import MainParameters
from templates.queues import Queues
from templates.service import WorkerService

CONTAINER_INSIGHTS = "ECS/ContainerInsights"
SCALE_OUT_COOLDOWN = 60
SCALE_IN_COOLDOWN = 300
WAKE_PERIOD_SECONDS = 60  # SQS publishes its queue metrics once a minute


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


def wake_metrics(queue_name: object, compute: Compute,
                 service: WorkerService) -> list[cloudwatch.MetricDataQuery]:
    """1 when messages wait and the service wants no task, else 0."""
    def stat(query_id: str, namespace: str, name: str,
             dimensions: dict[str, object]) -> cloudwatch.MetricDataQuery:
        return cloudwatch.MetricDataQuery(Id=query_id, ReturnData=False, MetricStat=(
            cloudwatch.MetricStat(Stat="Maximum", Period=WAKE_PERIOD_SECONDS,
                                  Metric=cloudwatch.Metric(
                                      Namespace=namespace, MetricName=name, Dimensions=[
                                          cloudwatch.MetricDimension(Name=k, Value=v)
                                          for k, v in dimensions.items()]))))
    return [
        stat("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
             {"QueueName": queue_name}),
        stat("desired", CONTAINER_INSIGHTS, "DesiredTaskCount",
             {"ClusterName": compute.cluster_name, "ServiceName": service.name}),
        cloudwatch.MetricDataQuery(Id="wake", ReturnData=True,
                                   Label="Messages waiting, no task wanted",
                                   Expression="IF(visible > 0 AND FILL(desired, 0) < 1, 1, 0)"),
    ]


def _scale_from_zero(t: Template, target: aas.ScalableTarget, queues: Queues,
                     compute: Compute, service: WorkerService) -> None:
    policy = t.add_resource(aas.ScalingPolicy(
        "ScaleFromZeroPolicy", PolicyName="first-task-on-visible-messages",
        PolicyType="StepScaling", ScalingTargetId=Ref(target),
        StepScalingPolicyConfiguration=aas.StepScalingPolicyConfiguration(
            AdjustmentType="ChangeInCapacity", Cooldown=SCALE_OUT_COOLDOWN,
            MetricAggregationType="Maximum",
            StepAdjustments=[aas.StepAdjustment(MetricIntervalLowerBound=0,
                                                ScalingAdjustment=1)])))
    t.add_resource(cloudwatch.Alarm(
        "ScaleFromZeroAlarm",
        AlarmDescription="Messages are visible and the service wants no task: start one "
                         "(scaling from zero; not an alert).",
        Metrics=wake_metrics(queues.work.name, compute, service),
        ComparisonOperator="GreaterThanOrEqualToThreshold", Threshold=1,
        EvaluationPeriods=1, DatapointsToAlarm=1, TreatMissingData="notBreaching",
        AlarmActions=[Ref(policy)]))


def add_scaling(t: Template, p: MainParameters, compute: Compute, service: WorkerService,
                queues: Queues) -> aas.ScalingPolicy:
    target = t.add_resource(aas.ScalableTarget(
        "ServiceScalableTarget", ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Join("/", ["service", compute.cluster_name, service.name]),
        MinCapacity=Ref(p.min_tasks), MaxCapacity=Ref(p.max_tasks)))
    _scale_from_zero(t, target, queues, compute, service)
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
