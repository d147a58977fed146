"""Service auto scaling: from zero on the first message, on the estimated queue wait while
files come, and back to zero only after a real idle spell.

Target tracking: the tracked metric is metric math over the queue and the service: visible
messages per running task (the backlog per task) times the measured seconds per file,
divided by the files a task works on at once. That is the seconds a new file would wait, so
the target is simply the AcceptableLatencySeconds parameter. While a task runs the metric
never drops below ONE_TASK_FLOOR_SECONDS, so target tracking scales a burst back in to one
task but never takes the last one away: a long-polling worker takes each message within a
second, so under a steady trickle the visible count is zero nearly every minute, and a
metric of zero would stop the service and start it again (~7 minutes cold) all day long.

The last task goes (to MinTasks, zero by default) only when the queue has been idle for
IDLE_MINUTES: nothing sent, nothing visible and nothing in flight (ScaleToZeroAlarm, a step
policy to the exact capacity 0, which the scalable target raises to MinTasks). It and the
wake alarm below cannot both breach on the same minute: a visible message is activity.
Not verifiable here (no AWS): that Application Auto Scaling lets the step policy stop the
last task while target tracking computes one task (its own calculation then changes
nothing); tests/templates/test_scaling.py models both.

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
IDLE_MINUTES = 15  # the queue idle this long: the last task stops (then the instance, ~15 min)
ONE_TASK_FLOOR_SECONDS = 1  # << any AcceptableLatencySeconds (>= 60): one task stays wanted


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
    """Estimated seconds a new file waits: backlog per task x seconds per file / concurrency,
    at least ONE_TASK_FLOOR_SECONDS while a task runs (target tracking keeps that task)."""
    return Sub("IF(tasks > 0, visible / tasks, visible) * ${SecondsPerFile} / ${Concurrency}"
               f" + IF(tasks > 0, {ONE_TASK_FLOOR_SECONDS}, 0)",
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


def idle_metrics(queue_name: object) -> list[cloudwatch.MetricDataQuery]:
    """The queue's activity in a minute: messages sent, visible and in flight (0: idle)."""
    def stat(query_id: str, name: str, statistic: str) -> cloudwatch.MetricDataQuery:
        return cloudwatch.MetricDataQuery(Id=query_id, ReturnData=False, MetricStat=(
            cloudwatch.MetricStat(Stat=statistic, Period=WAKE_PERIOD_SECONDS,
                                  Metric=cloudwatch.Metric(
                                      Namespace="AWS/SQS", MetricName=name, Dimensions=[
                                          cloudwatch.MetricDimension(Name="QueueName",
                                                                     Value=queue_name)]))))
    return [
        stat("sent", "NumberOfMessagesSent", "Sum"),
        stat("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
        stat("inflight", "ApproximateNumberOfMessagesNotVisible", "Maximum"),
        cloudwatch.MetricDataQuery(Id="activity", ReturnData=True,
                                   Label="Messages sent, visible or in flight",
                                   Expression="FILL(sent, 0) + FILL(visible, 0) "
                                              "+ FILL(inflight, 0)"),
    ]


def _step_policy(t: Template, target: aas.ScalableTarget, title: str, name: str,
                 adjustment_type: str, cooldown: int,
                 step: aas.StepAdjustment) -> aas.ScalingPolicy:
    """A one-step policy on the service's task count, driven by an alarm (Maximum)."""
    return t.add_resource(aas.ScalingPolicy(
        title, PolicyName=name, PolicyType="StepScaling", ScalingTargetId=Ref(target),
        StepScalingPolicyConfiguration=aas.StepScalingPolicyConfiguration(
            AdjustmentType=adjustment_type, Cooldown=cooldown,
            MetricAggregationType="Maximum", StepAdjustments=[step])))


def _scale_to_zero(t: Template, target: aas.ScalableTarget, queues: Queues) -> None:
    policy = _step_policy(t, target, "ScaleToZeroPolicy", "no-task-when-the-queue-is-idle",
                          "ExactCapacity", SCALE_IN_COOLDOWN,
                          aas.StepAdjustment(MetricIntervalUpperBound=0, ScalingAdjustment=0))
    t.add_resource(cloudwatch.Alarm(
        "ScaleToZeroAlarm",
        AlarmDescription=f"Nothing sent, visible or in flight for {IDLE_MINUTES} minutes: stop "
                         "the last task (down to MinTasks; not an alert).",
        Metrics=idle_metrics(queues.work.name),
        ComparisonOperator="LessThanOrEqualToThreshold", Threshold=0,
        EvaluationPeriods=IDLE_MINUTES, DatapointsToAlarm=IDLE_MINUTES,
        # no data is no evidence of idleness (a running worker's polls keep SQS publishing)
        TreatMissingData="missing",
        AlarmActions=[Ref(policy)]))


def _scale_from_zero(t: Template, target: aas.ScalableTarget, queues: Queues,
                     compute: Compute, service: WorkerService) -> None:
    policy = _step_policy(t, target, "ScaleFromZeroPolicy", "first-task-on-visible-messages",
                          "ChangeInCapacity", SCALE_OUT_COOLDOWN,
                          aas.StepAdjustment(MetricIntervalLowerBound=0, ScalingAdjustment=1))
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
    _scale_to_zero(t, target, queues)
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
