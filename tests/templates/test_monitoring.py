"""Scaling, alarms and the dashboard: the right metrics, and the worker's metric names taken
from `worker.metric_names`, never retyped."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from tests.templates.cfn import one, resources, walk
from worker import metric_names

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALARMS = {"HighErrorRateAlarm", "SlowProcessingAlarm", "QueueBacklogAlarm", "DeadLettersAlarm",
          "NoRunningTasksAlarm", "HighMemoryAlarm"}


def _evaluate(expression: str, **values: float) -> float:
    """CloudWatch metric math of the form used here (IF, + - * /), evaluated in Python."""
    python = re.sub(r"IF\(([^,]+),([^,]+),([^)]+)\)", r"((\2) if (\1) else (\3))", expression)
    result = eval(python, {"__builtins__": {}}, values)
    return float(result)


def test_one_target_tracking_policy_on_the_estimated_wait(main_template: dict[str, Any]) -> None:
    policy = one(main_template, "AWS::ApplicationAutoScaling::ScalingPolicy")["Properties"]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert "PredefinedMetricSpecification" not in config  # no CPU policy
    assert config["TargetValue"] == {"Ref": "AcceptableLatencySeconds"}
    queries = {q["Id"]: q for q in config["CustomizedMetricSpecification"]["Metrics"]}
    visible = queries["visible"]["MetricStat"]["Metric"]
    assert (visible["Namespace"], visible["MetricName"]) == (
        "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert visible["Dimensions"] == [{"Name": "QueueName",
                                      "Value": {"Fn::GetAtt": ["WorkQueue", "QueueName"]}}]
    assert queries["tasks"]["MetricStat"]["Metric"]["MetricName"] == "RunningTaskCount"
    returned = [q for q in queries.values() if q["ReturnData"]]
    assert [q["Id"] for q in returned] == ["wait"]
    expression, values = queries["wait"]["Expression"]["Fn::Sub"]
    assert values == {"SecondsPerFile": {"Ref": "SecondsPerFile"},
                      "Concurrency": {"Ref": "WorkerConcurrency"}}
    formula = expression.replace("${SecondsPerFile}", "20").replace("${Concurrency}", "4")
    # 120 messages over 2 tasks, 20 s a file, 4 files at once per task: 300 s to wait
    assert _evaluate(formula, visible=120, tasks=2) == 300
    assert _evaluate(formula, visible=120, tasks=0) == 600  # no division by zero
    assert _evaluate(formula, visible=0, tasks=3) == 0  # idle: scale in to the minimum
    target = one(main_template, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert target["MinCapacity"] == {"Ref": "MinTasks"}


def test_the_six_alarms_notify_the_topic(main_template: dict[str, Any]) -> None:
    alarms = resources(main_template, "AWS::CloudWatch::Alarm")
    assert set(alarms) == ALARMS
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertTopic"}]
    topic = one(main_template, "AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    subscription = one(main_template, "AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == {"Ref": "AlertEmail"}
    dlq = alarms["DeadLettersAlarm"]["Properties"]
    assert dlq["Threshold"] == 0 and dlq["ComparisonOperator"] == "GreaterThanThreshold"


def _worker_metric_names(template: dict[str, Any]) -> set[str]:
    names = set()
    for node in walk(template):
        if isinstance(node, dict) and node.get("Namespace") == metric_names.NAMESPACE:
            names.add(node["MetricName"])
    dashboard = one(template, "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"]
    for widget in json.loads(dashboard["Fn::Sub"][0])["widgets"]:
        for row in widget["properties"]["metrics"]:
            if row[0] == metric_names.NAMESPACE:
                names.add(row[1])
    return names


def test_alarms_and_dashboard_use_the_workers_metric_names(
        main_template: dict[str, Any]) -> None:
    used = _worker_metric_names(main_template)
    assert used <= set(metric_names.ALL)
    assert {metric_names.FILES_FAILED, metric_names.FILES_PROCESSED,
            metric_names.PROCESSING_TIME} <= used


def test_templates_never_retype_a_metric_name() -> None:
    """The names come in through `from worker import metric_names`: no module of
    templates/ spells one out as a string."""
    names = {*metric_names.ALL, metric_names.NAMESPACE}
    for path in TEMPLATES.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in names, f"{path.name}: {node.value!r}"
