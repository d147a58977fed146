"""One CloudWatch dashboard per environment: the worker's metrics beside the queue and ECS.

Widgets are plain dictionaries serialised to the dashboard body; stack values (queue names,
cluster, service, environment) enter through Fn::Sub variables, the worker's metric names
through `worker.metric_names`.
"""

from __future__ import annotations

import json

from troposphere import Ref, Sub, Template, cloudwatch

from templates.compute import Compute
from templates.parameters import MainParameters
from templates.queues import Queues
from templates.scaling import CONTAINER_INSIGHTS
from templates.service import WorkerService
from worker import metric_names as m

WIDTH = 12
HEIGHT = 6


def _widget(title: str, metrics: list[list[object]], stat: str = "Sum") -> dict[str, object]:
    return {"type": "metric", "width": WIDTH, "height": HEIGHT, "properties": {
        "title": title, "region": "${AWS::Region}", "stat": stat, "period": 300,
        "view": "timeSeries", "metrics": metrics}}


def _worker(name: str, **options: object) -> list[object]:
    row: list[object] = [m.NAMESPACE, name, m.DIMENSION_ENVIRONMENT, "${Environment}"]
    return [*row, options] if options else row


def _body() -> dict[str, object]:
    service = ["ClusterName", "${Cluster}", "ServiceName", "${Service}"]
    return {"widgets": [
        _widget("Files", [_worker(m.FILES_PROCESSED), _worker(m.FILES_FAILED)]),
        _widget("Pages", [_worker(m.PAGES_PROCESSED), _worker(m.PAGES_OCRED)]),
        _widget("Processing time per file (ms)", [
            _worker(m.PROCESSING_TIME, stat="p50"), _worker(m.PROCESSING_TIME, stat="p90"),
            _worker(m.OCR_TIME, stat="p90")], stat="p90"),
        _widget("Event age: upload to indexed (ms)", [
            _worker(m.EVENT_AGE, stat="p50"), _worker(m.EVENT_AGE, stat="p90")], stat="p90"),
        _widget("Queue", [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue}"],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", "${Queue}"],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${DeadLetters}",
             {"label": "DLQ"}]], stat="Maximum"),
        _widget("Oldest message (s)", [
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${Queue}"]],
            stat="Maximum"),
        _widget("Tasks", [[CONTAINER_INSIGHTS, "RunningTaskCount", *service],
                          [CONTAINER_INSIGHTS, "DesiredTaskCount", *service]], stat="Average"),
        _widget("Task CPU and memory (%)", [["AWS/ECS", "CPUUtilization", *service],
                                            ["AWS/ECS", "MemoryUtilization", *service]],
                stat="Average"),
        _widget("Downloaded (bytes)", [_worker(m.BYTES_DOWNLOADED)]),
    ]}


def add_dashboard(t: Template, p: MainParameters, queues: Queues, compute: Compute,
                  service: WorkerService) -> cloudwatch.Dashboard:
    body = Sub(json.dumps(_body()), Environment=Ref(p.environment), Queue=queues.work.name,
               DeadLetters=queues.dead_letters.name, Cluster=compute.cluster_name,
               Service=service.name)
    return t.add_resource(cloudwatch.Dashboard("Dashboard", DashboardBody=body))
