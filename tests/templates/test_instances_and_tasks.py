"""What the linters cannot see about the instances and the task: IMDS, spot draining, the
metadata block, non-root read-only containers, and the stop timeout against the drain budget."""

from __future__ import annotations

from typing import Any

from templates import limits
from templates.compute import USER_DATA
from templates.images import WORKER_CONTAINER, WORKER_USER, XRAY_CONTAINER
from tests.templates.cfn import one, props, task_definition
from worker.config import Settings


def _containers(main: dict[str, Any]) -> dict[str, dict[str, Any]]:
    task = task_definition(main)["Properties"]
    return {c["Name"]: c for c in task["ContainerDefinitions"]}


def _ecs_config(main: dict[str, Any]) -> dict[str, str]:
    data = one(main, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    script = data["UserData"]["Fn::Base64"]["Fn::Sub"][0]
    body = script.split("<<'CONFIG'\n", 1)[1].split("\nCONFIG\n", 1)[0]
    return dict(line.split("=", 1) for line in body.splitlines())


def test_instances_require_imdsv2_with_one_hop(main_template: dict[str, Any]) -> None:
    data = one(main_template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"] == {"HttpEndpoint": "enabled", "HttpTokens": "required",
                                       "HttpPutResponseHopLimit": 1}
    assert data["Monitoring"] == {"Enabled": True}
    (disk,) = data["BlockDeviceMappings"]
    assert disk["Ebs"]["Encrypted"] is True and disk["Ebs"]["VolumeType"] == "gp3"
    assert disk["Ebs"]["VolumeSize"] == 30
    assert "NetworkInterfaces" not in data  # so no public address either


def test_user_data_joins_the_cluster_drains_spot_and_blocks_metadata(
        main_template: dict[str, Any]) -> None:
    config = _ecs_config(main_template)
    assert config["ECS_CLUSTER"] == "${Cluster}"
    assert config["ECS_ENABLE_SPOT_INSTANCE_DRAINING"] == "true"
    assert config["ECS_AWSVPC_BLOCK_IMDS"] == "true"
    assert config["ECS_CONTAINER_STOP_TIMEOUT"] == f"{limits.STOP_TIMEOUT_SECONDS}s"
    data = one(main_template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    assert data["UserData"]["Fn::Base64"]["Fn::Sub"][1] == {"Cluster": {"Ref": "Cluster"}}
    # the block only works for awsvpc tasks, so the task must use awsvpc
    task = task_definition(main_template)["Properties"]
    assert task["NetworkMode"] == "awsvpc"
    assert "--destination 169.254.169.254/32 --jump DROP" in USER_DATA


def test_containers_run_non_root_on_read_only_roots(main_template: dict[str, Any]) -> None:
    containers = _containers(main_template)
    assert set(containers) == {WORKER_CONTAINER, XRAY_CONTAINER}
    for name, container in containers.items():
        uid = container["User"].split(":")[0]
        assert uid.isdigit() and int(uid) != 0, name
        assert container["ReadonlyRootFilesystem"] is True, name
        assert container["LinuxParameters"]["Capabilities"]["Drop"] == ["ALL"], name
        assert "no-new-privileges" in container["DockerSecurityOptions"], name
        assert not container.get("Privileged", False), name
    worker = containers[WORKER_CONTAINER]
    assert worker["User"] == WORKER_USER
    assert worker["LinuxParameters"]["InitProcessEnabled"] is True
    (mount,) = worker["MountPoints"]
    assert mount["ContainerPath"] == "/tmp" and mount["ReadOnly"] is False
    task = task_definition(main_template)["Properties"]
    (volume,) = task["Volumes"]
    assert volume["Name"] == mount["SourceVolume"]
    assert volume["DockerVolumeConfiguration"]["Scope"] == "task"


def test_stop_timeout_outlasts_the_drain_budget(main_template: dict[str, Any]) -> None:
    worker = _containers(main_template)[WORKER_CONTAINER]
    env = {e["Name"]: e["Value"] for e in worker["Environment"] if "Name" in e}
    budget = float(env["SHUTDOWN_BUDGET_SECONDS"])
    assert budget == Settings.from_env({}).shutdown_budget_s  # the worker's own default
    assert worker["StopTimeout"] > budget
    assert worker["StopTimeout"] <= limits.SPOT_NOTICE_SECONDS


def test_health_check_and_logs(main_template: dict[str, Any]) -> None:
    worker = _containers(main_template)[WORKER_CONTAINER]
    assert worker["HealthCheck"]["Command"] == ["CMD", "cis-worker", "health"]
    options = worker["LogConfiguration"]["Options"]
    assert worker["LogConfiguration"]["LogDriver"] == "awslogs"
    group = props(main_template, options["awslogs-group"]["Ref"])
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert "KmsKeyId" in group


def test_secrets_come_through_secrets_never_plain_environment(
        main_template: dict[str, Any]) -> None:
    worker = _containers(main_template)[WORKER_CONTAINER]
    names = {e["Name"] for e in worker["Environment"] if "Name" in e}
    assert not {n for n in names if "PASSWORD" in n or "USERNAME" in n or "TOKEN" in n}
    secret_names = {s["Name"] for s in worker["Secrets"]["Fn::If"][1]}
    assert secret_names == {"OPENSEARCH_USERNAME", "OPENSEARCH_PASSWORD"}
    for secret in worker["Secrets"]["Fn::If"][1]:
        assert secret["ValueFrom"]["Fn::Sub"][1] == {"Arn": {"Ref": "SearchSecretArn"}}


def test_autoscaling_group_is_spot_over_several_types_and_zones(
        main_template: dict[str, Any]) -> None:
    group = one(main_template, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    assert len(group["VPCZoneIdentifier"]) >= 3
    assert group["HealthCheckGracePeriod"] == 300 and group["CapacityRebalance"] is True
    assert group["NewInstancesProtectedFromScaleIn"] is True  # managed termination protection
    policy = group["MixedInstancesPolicy"]
    # the cheapest of the pools least likely to be interrupted (AWS's recommended strategy)
    assert policy["InstancesDistribution"]["SpotAllocationStrategy"] == "price-capacity-optimized"
    assert policy["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"] == 0
    assert len(policy["LaunchTemplate"]["Overrides"]) == 4
    provider = one(main_template, "AWS::ECS::CapacityProvider")["Properties"]
    asg_provider = provider["AutoScalingGroupProvider"]
    assert asg_provider["ManagedScaling"]["Status"] == "ENABLED"
    assert asg_provider["ManagedTerminationProtection"] == "ENABLED"
    assert asg_provider["ManagedDraining"] == "ENABLED"
    sizes = {k: group[k]["Ref"] for k in ("MinSize", "MaxSize", "DesiredCapacity")}
    defaults = {k: main_template["Parameters"][v]["Default"] for k, v in sizes.items()}
    # scaled to zero by default: no instance until the first message (test_monitoring.py)
    assert defaults == {"MinSize": 0, "MaxSize": 10, "DesiredCapacity": 0}
    assert sizes["MinSize"] == "MinTasks"
    assert group["MetricsCollection"] == [{"Granularity": "1Minute"}]
    cluster = one(main_template, "AWS::ECS::Cluster")["Properties"]
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["ClusterSettings"]
