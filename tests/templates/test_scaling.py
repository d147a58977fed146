"""The default size of an instance and a task, and scaling under the arrival patterns of
docs/cost.md: a steady trickle keeps one task (no stop and cold start every quarter hour),
only a real idle spell stops the last one.

The trickle is simulated minute by minute from seeded Poisson arrivals and fed through the
template's own metric-math expressions; target tracking is modelled as AWS describes it
(capacity in proportion to metric / target, rounded up)."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from templates.scaling import IDLE_MINUTES
from tests.templates.cfn import evaluate, one
from worker.limits import MIB, PARENT_RESERVE_BYTES

# vCPUs and memory (MiB) of the types the default may name (EC2 instance type specs)
INSTANCE_SPECS = {
    "c5.large": (2, 4096), "c5a.large": (2, 4096), "c6i.large": (2, 4096),
    "c6a.large": (2, 4096), "m5.large": (2, 8192), "m6i.large": (2, 8192),
}
ECS_UNREGISTERED_MIB = 400  # what the OS and the agent keep of a 4 GiB instance (~3,700 left)
WORKING_MINUTES = 10 * 60
SECONDS_PER_FILE = 4.2  # docs/cost.md: measured work per file and process


def _default(template: dict[str, Any], name: str) -> Any:
    return template["Parameters"][name]["Default"]


def test_the_default_task_fills_one_two_vcpu_instance(main_template: dict[str, Any]) -> None:
    types = _default(main_template, "InstanceTypes").split(",")
    assert len(types) == 4 and len(set(types)) == 4  # four spot pools
    vcpus = {INSTANCE_SPECS[t][0] for t in types}
    assert vcpus == {2}
    smallest_mib = min(INSTANCE_SPECS[t][1] for t in types)
    cpu = int(_default(main_template, "TaskCpu"))
    memory = int(_default(main_template, "TaskMemory"))
    processes = int(_default(main_template, "WorkerConcurrency"))
    assert cpu == 2 * 1024 and processes == 2  # one process per vCPU
    assert memory <= smallest_mib - ECS_UNREGISTERED_MIB  # the task is placed on every type
    # each process keeps about what it had with four processes in 6,144 MiB
    assert (memory * MIB - PARENT_RESERVE_BYTES) / processes >= 1400 * MIB
    group = one(main_template, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    overrides = group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]
    assert [o["InstanceType"] for o in overrides] == [
        {"Fn::Select": [i, {"Ref": "InstanceTypes"}]} for i in range(4)]


def test_larger_instances_stay_the_operators_choice(main_template: dict[str, Any]) -> None:
    params = main_template["Parameters"]
    assert "AllowedValues" not in params["InstanceTypes"]
    for name in ("TaskCpu", "TaskMemory", "WorkerConcurrency"):
        assert "MaxValue" not in params[name] and "AllowedValues" not in params[name]
    assert "xlarge" in params["InstanceTypes"]["Description"]  # says how


def _tracked_wait(template: dict[str, Any]) -> str:
    config = template["Resources"]["BacklogScalingPolicy"]["Properties"][
        "TargetTrackingScalingPolicyConfiguration"]
    (wait,) = [q for q in config["CustomizedMetricSpecification"]["Metrics"] if q["ReturnData"]]
    expression: str = wait["Expression"]["Fn::Sub"][0]
    return expression.replace("${SecondsPerFile}", str(_default(template, "SecondsPerFile"))) \
                     .replace("${Concurrency}", str(_default(template, "WorkerConcurrency")))


def _idle_alarm(template: dict[str, Any]) -> tuple[dict[str, Any], str]:
    alarm = template["Resources"]["ScaleToZeroAlarm"]["Properties"]
    (activity,) = [q for q in alarm["Metrics"] if q["ReturnData"]]
    return alarm, activity["Expression"]


def _trickle(files_a_month: int, seed: int) -> list[dict[str, float]]:
    """Per minute of a working day: files sent, visible and in flight at the sample, as
    SQS reports them while one task long-polls (a message is taken within a second, so
    it is visible only in the minute's sample if it arrived in that second)."""
    rng = random.Random(seed)
    rate = files_a_month / 22 / WORKING_MINUTES / 60  # files a second
    arrivals: list[float] = []
    now = rng.expovariate(rate)
    while now < WORKING_MINUTES * 60:
        arrivals.append(now)
        now += rng.expovariate(rate)
    minutes = []
    for minute in range(WORKING_MINUTES):
        start, sample = minute * 60.0, minute * 60.0 + 59.0
        minutes.append({
            "sent": sum(start <= a < start + 60 for a in arrivals),
            "visible": sum(sample - 1 <= a <= sample for a in arrivals),
            "inflight": sum(a <= sample < a + SECONDS_PER_FILE for a in arrivals),
        })
    return minutes


def _longest_idle_run(minutes: list[dict[str, float]], activity: str) -> int:
    longest = run = 0
    for values in minutes:
        run = run + 1 if evaluate(activity, **values) <= 0 else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("files_a_month", [100_000, 10_000])
def test_a_trickle_keeps_one_task_all_day(main_template: dict[str, Any],
                                          files_a_month: int) -> None:
    minutes = _trickle(files_a_month, seed=files_a_month)
    assert sum(m["visible"] for m in minutes) < len(minutes) / 4  # visible is ~0 all day
    wait = _tracked_wait(main_template)
    target = float(_default(main_template, "AcceptableLatencySeconds"))
    for values in minutes:
        metric = evaluate(wait, visible=values["visible"], tasks=1)
        assert math.ceil(1 * metric / target) == 1  # target tracking keeps the one task
    alarm, activity = _idle_alarm(main_template)
    assert _longest_idle_run(minutes, activity) < alarm["EvaluationPeriods"]


def test_a_burst_scales_out_and_back_in_to_one(main_template: dict[str, Any]) -> None:
    wait = _tracked_wait(main_template)
    target = float(_default(main_template, "AcceptableLatencySeconds"))
    # 3,000 files uploaded at once, one task: 3,000 x 4 s / 2 processes = 6,000 s to wait
    assert math.ceil(1 * evaluate(wait, visible=3000, tasks=1) / target) == 11
    # the backlog gone, ten tasks scale back in to one, not to zero
    assert math.ceil(10 * evaluate(wait, visible=0, tasks=10) / target) == 1


def test_an_idle_queue_stops_the_last_task(main_template: dict[str, Any]) -> None:
    alarm, activity = _idle_alarm(main_template)
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == IDLE_MINUTES
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "LessThanOrEqualToThreshold", 0)
    assert alarm["TreatMissingData"] == "missing"  # no data is no evidence of idleness
    assert "OKActions" not in alarm  # not an alert
    queries = {q["Id"]: q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q}
    named = {k: (v["Metric"]["MetricName"], v["Stat"], v["Period"]) for k, v in queries.items()}
    assert named == {"sent": ("NumberOfMessagesSent", "Sum", 60),
                     "visible": ("ApproximateNumberOfMessagesVisible", "Maximum", 60),
                     "inflight": ("ApproximateNumberOfMessagesNotVisible", "Maximum", 60)}
    for stat in queries.values():
        assert stat["Metric"]["Dimensions"] == [
            {"Name": "QueueName", "Value": {"Fn::GetAtt": ["WorkQueue", "QueueName"]}}]
    assert evaluate(activity, sent=0, visible=0, inflight=0) == 0
    assert evaluate(activity, sent=0, visible=0, inflight=1) > 0  # a long file in progress
    assert evaluate(activity, sent=1, visible=0, inflight=0) > 0
    # the day's last file, then quiet: the alarm fires after IDLE_MINUTES, not before
    quiet = [{"sent": 0.0, "visible": 0.0, "inflight": 0.0}] * IDLE_MINUTES
    assert _longest_idle_run(quiet, activity) == alarm["EvaluationPeriods"]
    assert alarm["AlarmActions"] == [{"Ref": "ScaleToZeroPolicy"}]
    policy = main_template["Resources"]["ScaleToZeroPolicy"]["Properties"]
    assert policy["PolicyType"] == "StepScaling"
    assert policy["ScalingTargetId"] == {"Ref": "ServiceScalableTarget"}
    config = policy["StepScalingPolicyConfiguration"]
    assert config["AdjustmentType"] == "ExactCapacity"
    assert config["StepAdjustments"] == [{"MetricIntervalUpperBound": 0, "ScalingAdjustment": 0}]
    # exact capacity 0 is raised to MinTasks by the scalable target
    target = one(main_template, "AWS::ApplicationAutoScaling::ScalableTarget")["Properties"]
    assert target["MinCapacity"] == {"Ref": "MinTasks"}
