"""The stacks deployed into moto's CloudFormation over HTTP, and the resources it made read
back through the services' own APIs (moto in server mode, tests/fixtures/moto.py).

moto models most of the main stack but skips some resource types without an error; the
exact set it skipped is pinned below (and written to build/moto-report.json), and those
types are checked on the JSON by the other template tests.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from templates.images import WORKER_CONTAINER
from tests.fixtures.moto import AwsEnv
from tests.templates.moto_compat import REWRITES, conditions, for_moto

pytestmark = pytest.mark.integration

REPORT = Path(__file__).resolve().parents[2] / "build" / "moto-report.json"
MAIN_PARAMETERS = {"AlertEmail": "ops@example.com", "SearchEndpoint": "https://search.example.com",
                   "ImageTag": "0123456789ab",
                   "Environment": "prod"}
# Types moto's CloudFormation skips silently; where each is checked instead.
MOTO_SKIPS = {
    "AWS::SNS::Subscription": "test_monitoring.py",
    "AWS::ApplicationAutoScaling::ScalableTarget": "test_monitoring.py",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "test_monitoring.py",
    "AWS::CloudWatch::Alarm": "test_monitoring.py",
    "AWS::ECS::CapacityProvider": "test_instances_and_tasks.py",
    "AWS::ECS::ClusterCapacityProviderAssociations": "test_instances_and_tasks.py",
    "AWS::SQS::QueuePolicy": "test_data_path.py",
    "AWS::S3::BucketPolicy": "test_data_path.py",
    "AWS::Budgets::Budget": "this file (JSON)",
    "AWS::CodeBuild::Project": "test_buildspec.py",
    "AWS::ECR::PullThroughCacheRule": "this file (JSON)",
    "AWS::EC2::SecurityGroupEgress": "test_lockdown.py",
    "AWS::Logs::QueryDefinition": "test_lockdown.py",
}

PIPELINE_ONLY = {"AWS::CodeBuild::Project", "AWS::ECR::PullThroughCacheRule"}


def _deploy(aws: AwsEnv, name: str, template: dict[str, Any],
            parameters: dict[str, str]) -> dict[str, Any]:
    zones = [z["ZoneName"] for z in aws.client("ec2").describe_availability_zones()
             ["AvailabilityZones"]]
    body = json.dumps(for_moto(template, zones, parameters))
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName=name, TemplateBody=body, Capabilities=["CAPABILITY_IAM"],
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()])
    for _ in range(600):  # moto creates synchronously; this only guards against a hang
        stack: dict[str, Any] = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            break
        time.sleep(0.1)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
    return stack


def _outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _record(aws: AwsEnv, name: str, template: dict[str, Any],
            parameters: dict[str, str]) -> dict[str, list[str]]:
    """Which of the template's resources (those these parameters create) moto created, and
    which it skipped."""
    summaries = aws.client("cloudformation").list_stack_resources(StackName=name)
    # moto also lists entries with a blank logical id: left out
    created = {r["LogicalResourceId"] for r in summaries["StackResourceSummaries"]} - {""}
    truth = conditions(template, parameters)
    wanted = {k: v["Type"] for k, v in template["Resources"].items()
              if truth.get(v.get("Condition", ""), True)}
    assert created <= set(wanted), created - set(wanted)  # nothing the conditions exclude
    report = {"created": sorted(f"{wanted[k]} {k}" for k in created & set(wanted)),
              "skipped": sorted(f"{wanted[k]} {k}" for k in set(wanted) - created),
              "rewrites": sorted(REWRITES)}
    old = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps({**old, name: report}, indent=1) + "\n", encoding="utf-8")
    return report


def _skipped_types(report: dict[str, list[str]]) -> set[str]:
    return {line.split()[0] for line in report["skipped"]}


def test_main_stack_deploys_and_its_resources_are_real(aws: AwsEnv,
                                                       main_template: dict[str, Any]) -> None:
    stack = _deploy(aws, "cis-prod", main_template, MAIN_PARAMETERS)
    outputs = _outputs(stack)
    report = _record(aws, "cis-prod", main_template, MAIN_PARAMETERS)
    assert _skipped_types(report) == set(MOTO_SKIPS) - PIPELINE_ONLY
    assert len(report["created"]) >= 40

    _check_queues(aws, outputs)
    _check_buckets(aws, outputs)
    _check_rule(aws, outputs)
    _check_task_definition(aws, outputs)
    _check_instances(aws, outputs)
    assert outputs["SearchEndpoint"] == MAIN_PARAMETERS["SearchEndpoint"]
    logs = aws.client("logs").describe_log_groups(logGroupNamePrefix=outputs["LogGroupName"])
    assert logs["logGroups"][0]["retentionInDays"] == 30


def _check_queues(aws: AwsEnv, outputs: dict[str, str]) -> None:
    sqs = aws.client("sqs")
    work = sqs.get_queue_attributes(QueueUrl=outputs["QueueUrl"], AttributeNames=["All"])
    dlq = sqs.get_queue_attributes(QueueUrl=outputs["DeadLetterQueueUrl"],
                                   AttributeNames=["All"])
    work, dlq = work["Attributes"], dlq["Attributes"]
    assert (work["VisibilityTimeout"], work["MessageRetentionPeriod"],
            work["ReceiveMessageWaitTimeSeconds"]) == ("300", "345600", "20")
    redrive = json.loads(work["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 3
    assert int(dlq["MessageRetentionPeriod"]) == 14 * 24 * 3600
    assert work["KmsMasterKeyId"] == outputs["DataKeyArn"]


def _check_buckets(aws: AwsEnv, outputs: dict[str, str]) -> None:
    """moto's bucket handler applies encryption and tags only (versioning, public access
    block, lifecycle, logging and notifications are checked on the JSON)."""
    s3 = aws.client("s3")
    for key in ("LandingBucketName", "ThumbnailBucketName", "LogBucketName"):
        bucket = outputs[key]
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        default = rule["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        assert default == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": outputs["DataKeyArn"]}
        tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
        assert tags["Environment"] == "prod" and tags["Project"] == "cis-worker"
        assert tags["Name"].startswith("cis-worker-prod-")


def _check_rule(aws: AwsEnv, outputs: dict[str, str]) -> None:
    events = aws.client("events")
    (rule,) = events.list_rules()["Rules"]
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["bucket"]["name"] == [outputs["LandingBucketName"]]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    queue_arn = aws.client("sqs").get_queue_attributes(
        QueueUrl=outputs["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert target["Arn"] == queue_arn


def _check_task_definition(aws: AwsEnv, outputs: dict[str, str]) -> None:
    """moto's task definition handler keeps the containers, volumes and memory (network
    mode, roles and cpu are checked on the JSON)."""
    ecs = aws.client("ecs")
    task = ecs.describe_task_definition(taskDefinition=outputs["TaskDefinitionArn"])
    definition = task["taskDefinition"]
    worker = next(c for c in definition["containerDefinitions"] if c["name"] == WORKER_CONTAINER)
    # moto leaves AWS::NoValue in lists as null where CloudFormation drops the item
    env = {e["name"]: e["value"] for e in worker["environment"] if e}
    assert env["SQS_QUEUE_URL"] == outputs["QueueUrl"]
    assert env["S3_LANDING_BUCKET"] == outputs["LandingBucketName"]
    assert env["ENVIRONMENT"] == "prod" and env["AWS_REGION"] == aws.region
    assert worker["readonlyRootFilesystem"] is True and worker["user"] == "10001:10001"
    (cluster,) = ecs.describe_clusters(clusters=[outputs["ClusterName"]])["clusters"]
    assert cluster["status"] == "ACTIVE"  # moto drops its settings (Container Insights)
    (service,) = ecs.describe_services(cluster=outputs["ClusterName"],
                                       services=[outputs["ServiceName"]])["services"]
    assert service["taskDefinition"] == outputs["TaskDefinitionArn"]
    operator = ecs.describe_task_definition(
        taskDefinition=outputs["OperatorTaskDefinitionArn"])["taskDefinition"]
    # moto keeps no taskRoleArn: the roles are checked as IAM roles of their own
    assert outputs["OperatorRoleArn"] != outputs["TaskRoleArn"]
    iam = aws.client("iam")
    for arn in (outputs["OperatorRoleArn"], outputs["TaskRoleArn"]):
        assert iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]["Arn"] == arn
    assert operator["containerDefinitions"][0]["command"] == ["index-setup"]


def _check_instances(aws: AwsEnv, outputs: dict[str, str]) -> None:
    (group,) = aws.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=[outputs["AutoScalingGroupName"]])["AutoScalingGroups"]
    # scaled to zero by default: the first message starts the first instance
    assert (group["MinSize"], group["MaxSize"], group["DesiredCapacity"]) == (0, 10, 0)
    assert len(group["VPCZoneIdentifier"].split(",")) == 3
    template = group["MixedInstancesPolicy"]["LaunchTemplate"]["LaunchTemplateSpecification"]
    ec2 = aws.client("ec2")
    (version,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=template["LaunchTemplateId"])["LaunchTemplateVersions"]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    user_data = base64.b64decode(data["UserData"]).decode()
    assert f"ECS_CLUSTER={outputs['ClusterName']}\n" in user_data
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [outputs["VpcId"]]}])
    assert len({s["AvailabilityZone"] for s in subnets["Subnets"]}) == 3


def test_pipeline_stack_deploys_its_repository(aws: AwsEnv,
                                               pipeline_template: dict[str, Any]) -> None:
    parameters = {"SourceLocation": "https://example.com/cis-worker.git"}
    stack = _deploy(aws, "cis-pipeline", pipeline_template, parameters)
    outputs = _outputs(stack)
    report = _record(aws, "cis-pipeline", pipeline_template, parameters)
    assert _skipped_types(report) == {*PIPELINE_ONLY, "AWS::S3::BucketPolicy"}
    ecr = aws.client("ecr")
    (repo,) = ecr.describe_repositories(repositoryNames=[outputs["RepositoryName"]])[
        "repositories"]
    declared = pipeline_template["Resources"]["Repository"]["Properties"]
    assert declared["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert declared["EncryptionConfiguration"]["EncryptionType"] == "KMS"
    assert repo["repositoryUri"] == outputs["RepositoryUri"]
    # moto ignores the lifecycle policy property; the JSON carries it
    lifecycle = json.loads(declared["LifecyclePolicy"]["LifecyclePolicyText"])
    assert [r["action"]["type"] for r in lifecycle["rules"]] == ["expire", "expire"]
    rule = pipeline_template["Resources"]["EcrPublicPullThrough"]["Properties"]
    assert rule == {"EcrRepositoryPrefix": "ecr-public", "UpstreamRegistryUrl": "public.ecr.aws"}


def test_budget_alerts_the_operators(main_template: dict[str, Any]) -> None:
    budget = main_template["Resources"]["MonthlyBudget"]["Properties"]
    assert budget["Budget"]["BudgetLimit"]["Amount"] == {"Ref": "MonthlyBudgetUsd"}
    kinds = {n["Notification"]["NotificationType"] for n in budget["NotificationsWithSubscribers"]}
    assert kinds == {"ACTUAL", "FORECASTED"}
    for notification in budget["NotificationsWithSubscribers"]:
        assert notification["Subscribers"] == [{"Address": {"Ref": "AlertEmail"},
                                                "SubscriptionType": "EMAIL"}]


def test_nat_variant_keeps_only_the_checklists_endpoints(aws: AwsEnv,
                                                         main_template: dict[str, Any]) -> None:
    parameters = {**MAIN_PARAMETERS, "InterfaceEndpoints": "minimal", "CreateNatGateway": "true"}
    outputs = _outputs(_deploy(aws, "cis-nat", main_template, parameters))
    ec2 = aws.client("ec2")
    vpc = [{"Name": "vpc-id", "Values": [outputs["VpcId"]]}]
    endpoints = ec2.describe_vpc_endpoints(Filters=vpc)["VpcEndpoints"]
    services = sorted(e["ServiceName"].rsplit(".", 1)[-1] for e in endpoints)
    assert services == ["s3", "sqs"]
    (nat,) = ec2.describe_nat_gateways(Filters=vpc)["NatGateways"]
    routes = ec2.describe_route_tables(Filters=vpc)["RouteTables"]
    default_routes = [r for table in routes for r in table["Routes"]
                      if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert {r.get("NatGatewayId") for r in default_routes} >= {nat["NatGatewayId"]}
