"""Alarms on the worker's own metrics and on the queue and ECS, sent to an e-mail topic.

The worker's metric names are imported from `worker.metric_names`, the module the worker
emits them with, so the two cannot drift apart. docs/runbook.md says what to do for each.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import Ref, Template, cloudwatch, sns

from templates.compute import Compute
from templates.encryption import DataKey
from templates.parameters import MainParameters
from templates.queues import Queues
from templates.scaling import CONTAINER_INSIGHTS
from templates.service import WorkerService
from worker import metric_names as m

ERROR_RATE_PERCENT = 5
MEMORY_PERCENT = 85
FIVE_MINUTES = 300
NO_TASK_MINUTES = 15  # a start from zero takes ~4.5-9.5 minutes (docs/cost.md)


@dataclass(frozen=True)
class Alerts:
    topic: sns.Topic


def _worker_metric(p: MainParameters, name: str, query_id: str) -> cloudwatch.MetricDataQuery:
    return cloudwatch.MetricDataQuery(Id=query_id, ReturnData=False, MetricStat=(
        cloudwatch.MetricStat(Stat="Sum", Period=FIVE_MINUTES, Metric=cloudwatch.Metric(
            Namespace=m.NAMESPACE, MetricName=name, Dimensions=[cloudwatch.MetricDimension(
                Name=m.DIMENSION_ENVIRONMENT, Value=Ref(p.environment))]))))


def _alarm(t: Template, title: str, topic: sns.Topic, description: str,
           **props: object) -> cloudwatch.Alarm:
    props.setdefault("EvaluationPeriods", 3)
    props.setdefault("TreatMissingData", "notBreaching")
    return t.add_resource(cloudwatch.Alarm(
        title, AlarmDescription=description, AlarmActions=[Ref(topic)], OKActions=[Ref(topic)],
        **props))


def _worker_alarms(t: Template, p: MainParameters, topic: sns.Topic) -> None:
    _alarm(t, "HighErrorRateAlarm", topic,
           f"More than {ERROR_RATE_PERCENT}% of files failed (runbook: high error rate).",
           ComparisonOperator="GreaterThanThreshold", Threshold=ERROR_RATE_PERCENT,
           Metrics=[_worker_metric(p, m.FILES_FAILED, "failed"),
                    _worker_metric(p, m.FILES_PROCESSED, "processed"),
                    cloudwatch.MetricDataQuery(
                        Id="rate", Label="Failed files (%)", ReturnData=True,
                        Expression="IF(processed + failed > 0, "
                                   "100 * failed / (processed + failed), 0)")])
    _alarm(t, "SlowProcessingAlarm", topic,
           "p90 processing time per file above SlowFileMilliseconds (runbook: slow processing).",
           Namespace=m.NAMESPACE, MetricName=m.PROCESSING_TIME, ExtendedStatistic="p90",
           Dimensions=[cloudwatch.MetricDimension(Name=m.DIMENSION_ENVIRONMENT,
                                                  Value=Ref(p.environment))],
           Period=FIVE_MINUTES, ComparisonOperator="GreaterThanThreshold",
           Threshold=Ref(p.slow_file_ms))


def _queue_alarms(t: Template, p: MainParameters, topic: sns.Topic, queues: Queues) -> None:
    _alarm(t, "QueueBacklogAlarm", topic,
           "Oldest message older than AcceptableLatencySeconds (runbook: queue backlog).",
           Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage",
           Dimensions=[cloudwatch.MetricDimension(Name="QueueName", Value=queues.work.name)],
           Statistic="Maximum", Period=FIVE_MINUTES,
           ComparisonOperator="GreaterThanThreshold", Threshold=Ref(p.acceptable_latency))
    _alarm(t, "DeadLettersAlarm", topic,
           "Messages in the dead-letter queue (runbook: DLQ not empty).",
           Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
           Dimensions=[cloudwatch.MetricDimension(Name="QueueName",
                                                  Value=queues.dead_letters.name)],
           Statistic="Maximum", Period=FIVE_MINUTES, EvaluationPeriods=1,
           ComparisonOperator="GreaterThanThreshold", Threshold=0)


def _stuck_metrics(queues: Queues, dims: list[cloudwatch.MetricDimension]
                   ) -> list[cloudwatch.MetricDataQuery]:
    """1 when messages wait and no task runs (a service scaled to zero is not stuck)."""
    def stat(query_id: str, namespace: str, name: str,
             dimensions: list[cloudwatch.MetricDimension]) -> cloudwatch.MetricDataQuery:
        return cloudwatch.MetricDataQuery(Id=query_id, ReturnData=False, MetricStat=(
            cloudwatch.MetricStat(Stat="Maximum", Period=60, Metric=cloudwatch.Metric(
                Namespace=namespace, MetricName=name, Dimensions=dimensions))))
    return [
        stat("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
             [cloudwatch.MetricDimension(Name="QueueName", Value=queues.work.name)]),
        stat("running", CONTAINER_INSIGHTS, "RunningTaskCount", dims),
        cloudwatch.MetricDataQuery(Id="stuck", ReturnData=True,
                                   Label="Messages waiting, no running task",
                                   Expression="IF(visible > 0 AND FILL(running, 0) < 1, 1, 0)"),
    ]


def _service_alarms(t: Template, topic: sns.Topic, queues: Queues, compute: Compute,
                    service: WorkerService) -> None:
    dims = [cloudwatch.MetricDimension(Name="ClusterName", Value=compute.cluster_name),
            cloudwatch.MetricDimension(Name="ServiceName", Value=service.name)]
    _alarm(t, "NoRunningTasksAlarm", topic,
           f"Messages waited {NO_TASK_MINUTES} minutes and no task ran: the start from zero "
           "failed (runbook: no running tasks).",
           Metrics=_stuck_metrics(queues, dims), EvaluationPeriods=NO_TASK_MINUTES,
           ComparisonOperator="GreaterThanOrEqualToThreshold", Threshold=1)
    _alarm(t, "HighMemoryAlarm", topic,
           f"Task memory above {MEMORY_PERCENT}% (runbook: high memory).",
           Namespace="AWS/ECS", MetricName="MemoryUtilization", Dimensions=dims,
           Statistic="Maximum", Period=FIVE_MINUTES,
           ComparisonOperator="GreaterThanThreshold", Threshold=MEMORY_PERCENT)


def add_alarms(t: Template, p: MainParameters, key: DataKey, queues: Queues,
               compute: Compute, service: WorkerService) -> Alerts:
    topic = t.add_resource(sns.Topic("AlertTopic", KmsMasterKeyId=key.arn,
                                     DisplayName="cis-worker alerts"))
    t.add_resource(sns.SubscriptionResource("AlertEmailSubscription", TopicArn=Ref(topic),
                                            Protocol="email", Endpoint=Ref(p.alert_email)))
    _worker_alarms(t, p, topic)
    _queue_alarms(t, p, topic, queues)
    _service_alarms(t, topic, queues, compute, service)
    return Alerts(topic=topic)



