"""What a reviewer signs off: endpoint policies on every endpoint that takes one, HTTPS egress
to named destinations, immutable image tags deployed by commit, the saved Logs Insights
queries and the audit options — checked on the generated JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from templates.endpoints import INTERFACE_ENDPOINTS, NO_ENDPOINT_POLICY
from templates.queries import QUERIES
from tests.templates.cfn import as_list, one, resources

ACCOUNT = {"StringEquals": {"aws:PrincipalAccount": {"Ref": "AWS::AccountId"}}}


def _endpoints(main: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """service suffix (sqs, ecr.api, s3...) -> endpoint properties"""
    found = {}
    for resource in resources(main, "AWS::EC2::VPCEndpoint").values():
        name = resource["Properties"]["ServiceName"]["Fn::Sub"]
        found[name.removeprefix("com.amazonaws.${AWS::Region}.")] = resource
    return found


def _subs(value: Any) -> str:
    return json.dumps(value)


def test_the_s3_gateway_reaches_only_named_buckets(main_template: dict[str, Any]) -> None:
    policy = _endpoints(main_template)["s3"]["Properties"]["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"StackBuckets", "ListStackBuckets", "EcrImageLayers",
                           "PackageRepositories"}
    ours = _subs(by_sid["StackBuckets"]["Resource"])
    assert "LandingBucket" in ours and "ThumbnailBucket" in ours
    assert by_sid["StackBuckets"]["Condition"] == ACCOUNT
    assert by_sid["EcrImageLayers"]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::prod-${AWS::Region}-starport-layer-bucket/*"}]
    assert by_sid["PackageRepositories"]["Resource"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:s3:::al2023-repos-${AWS::Region}-de612dc2/*"}]
    for sid in ("EcrImageLayers", "PackageRepositories"):
        assert by_sid[sid]["Action"] == ["s3:GetObject"]  # AWS-owned buckets: read only
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "*" not in as_list(statement["Resource"])
        assert not any(a.endswith("*") for a in as_list(statement["Action"]))


def test_every_interface_endpoint_that_can_has_a_policy(main_template: dict[str, Any]) -> None:
    endpoints = _endpoints(main_template)
    assert set(endpoints) == {"s3", *INTERFACE_ENDPOINTS}
    assert {"ecs", "ecs-agent", "ecs-telemetry"} == NO_ENDPOINT_POLICY  # AWS: not supported
    for service, endpoint in endpoints.items():
        policy = endpoint["Properties"].get("PolicyDocument")
        if service in NO_ENDPOINT_POLICY:
            assert policy is None, service
            continue
        assert policy, f"{service} has no endpoint policy"
        for statement in policy["Statement"]:
            if service != "s3":
                assert statement["Condition"] == ACCOUNT, service  # this account only
            if as_list(statement["Resource"]) == ["*"]:  # only APIs without resources
                assert set(as_list(statement["Action"])) <= {
                    "ecr:GetAuthorizationToken", "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                    "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"}, service


@pytest.mark.parametrize(("service", "named"), [
    ("sqs", ["WorkQueue", "DeadLetterQueue"]),
    ("logs", ["WorkerLogGroup"]),
    ("ecr.dkr", ["ImageRepositoryName", "ecr-public/xray/aws-xray-daemon"]),
    ("bedrock-runtime", ["BedrockModelId"]),
    ("secretsmanager", ["SearchSecretArn"]),
])
def test_endpoint_policies_name_this_stacks_resources(
        main_template: dict[str, Any], service: str, named: list[str]) -> None:
    text = _subs(_endpoints(main_template)[service]["Properties"]["PolicyDocument"])
    for name in named:
        assert name in text, (service, name)


def test_sqs_endpoint_is_kept_in_one_zone_in_the_default_layout(
        main_template: dict[str, Any]) -> None:
    sqs = _endpoints(main_template)["sqs"]
    assert "Condition" not in sqs
    subnets = sqs["Properties"]["SubnetIds"]["Fn::If"]
    assert subnets[0] == "AllInterfaceEndpoints"
    assert len(subnets[1]) == 2 and subnets[2] == [{"Ref": "PrivateSubnet1"}]  # NAT's zone
    public = main_template["Resources"]["PublicSubnet"]["Properties"]["AvailabilityZone"]
    private = main_template["Resources"]["PrivateSubnet1"]["Properties"]["AvailabilityZone"]
    assert public == private


def _egress(main: dict[str, Any], group: str) -> list[dict[str, Any]]:
    rules = list(main["Resources"][group]["Properties"]["SecurityGroupEgress"])
    for resource in resources(main, "AWS::EC2::SecurityGroupEgress").values():
        if resource["Properties"]["GroupId"] == {"Fn::GetAtt": [group, "GroupId"]}:
            rules.append({**resource["Properties"], "Condition": resource.get("Condition")})
    return rules


@pytest.mark.parametrize("group", ["TaskSecurityGroup", "InstanceSecurityGroup"])
def test_egress_is_https_to_named_destinations(main_template: dict[str, Any],
                                               group: str) -> None:
    rules = _egress(main_template, group)
    for rule in rules:
        assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 443, 443)
    anywhere = [r for r in rules if r.get("CidrIp") == "0.0.0.0/0"]
    assert len(anywhere) == 1 and anywhere[0]["Condition"] == "HasNatGateway"
    named = [r for r in rules if r.get("CidrIp") is None]
    assert {"Fn::GetAtt": ["EndpointSecurityGroup", "GroupId"]} in [
        r.get("DestinationSecurityGroupId") for r in named]
    assert {"Ref": "S3PrefixListId"} in [r.get("DestinationPrefixListId") for r in named]
    assert main_template["Parameters"]["S3PrefixListId"]["Default"] == "pl-61a54008"  # Tokyo


def test_tasks_reach_the_search_domain_by_its_group(main_template: dict[str, Any]) -> None:
    rule = main_template["Resources"]["TaskEgressToSearch"]
    assert rule["Condition"] == "CreateSearchDomain"
    assert rule["Properties"]["DestinationSecurityGroupId"] == {
        "Fn::GetAtt": ["SearchSecurityGroup", "GroupId"]}


def test_default_network_is_the_design_checklist(main_template: dict[str, Any]) -> None:
    parameters = main_template["Parameters"]
    assert parameters["CreateNatGateway"]["Default"] == "true"
    assert parameters["InterfaceEndpoints"]["Default"] == "minimal"


def test_image_tags_are_immutable_and_deployed_by_commit(
        main_template: dict[str, Any], pipeline_template: dict[str, Any]) -> None:
    repo = one(pipeline_template, "AWS::ECR::Repository")
    assert repo["Properties"]["ImageTagMutability"] == "IMMUTABLE"
    assert repo["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert "Metadata" not in repo  # no checkov skip for mutable tags any more
    tag = main_template["Parameters"]["ImageTag"]
    assert "Default" not in tag  # the operator names the commit; nothing falls back to latest
    assert re.fullmatch(tag["AllowedPattern"], "0123456789ab")
    assert not re.fullmatch(tag["AllowedPattern"], "latest")


def test_the_runbook_queries_are_saved_in_the_stack(main_template: dict[str, Any]) -> None:
    saved = resources(main_template, "AWS::Logs::QueryDefinition")
    assert set(saved) == set(QUERIES)
    for definition in saved.values():
        p = definition["Properties"]
        assert p["LogGroupNames"] == [{"Ref": "WorkerLogGroup"}]
        assert p["Name"]["Fn::Sub"].startswith("${AWS::StackName}/")
        assert "fields" in p["QueryString"]


def test_audit_logs(main_template: dict[str, Any]) -> None:
    domain = one(main_template, "AWS::OpenSearchService::Domain")["Properties"]
    assert domain["LogPublishingOptions"]["AUDIT_LOGS"]["Enabled"] is True
    trail = main_template["Resources"]["LandingDataEventsTrail"]
    assert trail["Condition"] == "LandingDataEvents"
    assert main_template["Parameters"]["LandingDataEvents"]["Default"] == "false"
    (selector,) = trail["Properties"]["EventSelectors"]
    (data,) = selector["DataResources"]
    assert data["Type"] == "AWS::S3::Object"
    assert "LandingBucket" in _subs(data["Values"])
    assert trail["Properties"]["EnableLogFileValidation"] is True
    assert trail["Properties"]["KMSKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_snapshots_have_a_bucket_and_a_role_only_with_a_domain(
        main_template: dict[str, Any]) -> None:
    for logical_id in ("SnapshotBucket", "SnapshotBucketPolicy", "SnapshotRole"):
        assert main_template["Resources"][logical_id]["Condition"] == "CreateSearchDomain"
