"""Scaling, alarms and the dashboard: the right metrics, and the worker's metric names taken
from `worker.metric_names`, never retyped."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from tests.templates.cfn import evaluate, one, resources, walk
from worker import metric_names

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALARMS = {"HighErrorRateAlarm", "SlowProcessingAlarm", "QueueBacklogAlarm", "DeadLettersAlarm",
          "NoRunningTasksAlarm", "HighMemoryAlarm"}
SCALING_ALARMS = {"ScaleFromZeroAlarm", "ScaleToZeroAlarm"}  # act on policies, alert nobody


def _queries(metrics: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {q["Id"]: q for q in metrics}


def test_one_target_tracking_policy_on_the_estimated_wait(main_template: dict[str, Any]) -> None:
    policy = main_template["Resources"]["BacklogScalingPolicy"]["Properties"]
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
    # (+ the one-second floor that keeps a running task wanted, test_scaling.py)
    assert evaluate(formula, visible=120, tasks=2) == 301
    assert evaluate(formula, visible=120, tasks=0) == 600  # no division by zero
    assert evaluate(formula, visible=0, tasks=0) == 0
    target = one(main_template, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert target["MinCapacity"] == {"Ref": "MinTasks"}


def test_the_first_message_starts_the_first_task(main_template: dict[str, Any]) -> None:
    """Scaling from zero: an alarm on visible messages while no task is wanted, a step
    policy that adds one task, and a capacity provider that follows the tasks to zero."""
    assert main_template["Parameters"]["MinTasks"]["Default"] == 0
    assert main_template["Parameters"]["MinTasks"]["MinValue"] == 0
    target = one(main_template, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert target["MinCapacity"] == {"Ref": "MinTasks"}
    step = main_template["Resources"]["ScaleFromZeroPolicy"]["Properties"]
    assert step["PolicyType"] == "StepScaling"
    assert step["ScalingTargetId"] == {"Ref": "ServiceScalableTarget"}
    config = step["StepScalingPolicyConfiguration"]
    assert config["AdjustmentType"] == "ChangeInCapacity"
    assert config["StepAdjustments"] == [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]
    alarm = main_template["Resources"]["ScaleFromZeroAlarm"]["Properties"]
    assert alarm["AlarmActions"] == [{"Ref": "ScaleFromZeroPolicy"}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "GreaterThanOrEqualToThreshold", 1)
    assert alarm["EvaluationPeriods"] == 1
    queries = _queries(alarm["Metrics"])
    visible = queries["visible"]["MetricStat"]
    assert visible["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert visible["Period"] == 60
    assert queries["desired"]["MetricStat"]["Metric"]["MetricName"] == "DesiredTaskCount"
    wake = queries["wake"]["Expression"]
    assert "FILL(desired, 0)" in wake  # no metric at all while the service is at zero
    assert evaluate(wake, visible=3, desired=0) == 1
    assert evaluate(wake, visible=3, desired=1) == 0  # target tracking has it from here
    assert evaluate(wake, visible=0, desired=0) == 0
    provider = one(main_template, "AWS::ECS::CapacityProvider")["Properties"]
    asg = provider["AutoScalingGroupProvider"]
    assert asg["ManagedScaling"]["TargetCapacity"] == 100  # no task, no instance
    assert asg["ManagedTerminationProtection"] == "ENABLED"
    group = one(main_template, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    assert group["MinSize"] == {"Ref": "MinTasks"}
    assert main_template["Parameters"]["InitialInstances"]["Default"] == 0


def test_no_running_task_alerts_only_when_messages_wait(main_template: dict[str, Any]) -> None:
    alarm = main_template["Resources"]["NoRunningTasksAlarm"]["Properties"]
    queries = _queries(alarm["Metrics"])
    stuck = queries["stuck"]["Expression"]
    assert evaluate(stuck, visible=0, running=0) == 0  # scaled to zero: fine
    assert evaluate(stuck, visible=5, running=0) == 1
    assert evaluate(stuck, visible=5, running=2) == 0
    assert alarm["EvaluationPeriods"] >= 10  # longer than a start from zero takes


def test_the_alarms_notify_the_topic(main_template: dict[str, Any]) -> None:
    alarms = resources(main_template, "AWS::CloudWatch::Alarm")
    assert set(alarms) == ALARMS | SCALING_ALARMS
    for name, alarm in alarms.items():
        if name in ALARMS:
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
