"""Buckets, queues and the event rule between them, checked against the deployment
checklist: encrypted, versioned, private, TLS only; 300 s / 4 days / 20 s / redrive 3; the
DLQ outlives the queue; only the rule may send into the queue."""

from __future__ import annotations

from typing import Any

import pytest

from templates import queues
from tests.templates.cfn import one, props, resources
from worker.config import Settings

BUCKETS = ("LandingBucket", "ThumbnailBucket", "LogBucket")


@pytest.mark.parametrize("bucket", BUCKETS)
def test_buckets_are_private_versioned_encrypted(main_template: dict[str, Any],
                                                 bucket: str) -> None:
    p = props(main_template, bucket)
    assert p["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True}
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": ["DataKey", "Arn"]}
    assert {r["Id"] for r in p["LifecycleConfiguration"]["Rules"]} >= {"AbortIncompleteUploads"}
    resource = main_template["Resources"][bucket]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def test_the_key_that_decrypts_kept_files_is_kept_too(main_template: dict[str, Any]) -> None:
    key = one(main_template, "AWS::KMS::Key")
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True


@pytest.mark.parametrize("bucket", BUCKETS)
def test_bucket_policies_refuse_plain_http(main_template: dict[str, Any], bucket: str) -> None:
    (policy,) = [r["Properties"] for r in resources(main_template, "AWS::S3::BucketPolicy")
                 .values() if r["Properties"]["Bucket"] == {"Ref": bucket}]
    deny = policy["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == ["s3:*"] and len(deny["Resource"]) == 2  # bucket and objects
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    for statement in allows:  # only log delivery services, for this account
        assert set(statement["Principal"]["Service"]) <= {
            "logging.s3.amazonaws.com", "delivery.logs.amazonaws.com",
            "cloudtrail.amazonaws.com"}
        assert "aws:SourceAccount" in statement["Condition"]["StringEquals"]


def test_landing_bucket_sends_events_to_eventbridge(main_template: dict[str, Any]) -> None:
    config = props(main_template, "LandingBucket")["NotificationConfiguration"]
    assert config == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}


def test_queue_numbers(main_template: dict[str, Any]) -> None:
    work, dlq = props(main_template, "WorkQueue"), props(main_template, "DeadLetterQueue")
    assert work["VisibilityTimeout"] == 300 == Settings.from_env({}).visibility_timeout_s
    assert work["MessageRetentionPeriod"] == 4 * 24 * 3600
    assert work["ReceiveMessageWaitTimeSeconds"] == 20 == Settings.from_env({}).wait_time_s
    assert work["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue",
                                                                            "Arn"]},
                                     "maxReceiveCount": 3}
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["MessageRetentionPeriod"] > work["MessageRetentionPeriod"]
    for queue in (work, dlq):
        assert queue["KmsMasterKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert queues.MAX_RECEIVES == 3


def test_rule_routes_created_and_deleted_objects_of_the_landing_bucket(
        main_template: dict[str, Any]) -> None:
    rule = one(main_template, "AWS::Events::Rule")["Properties"]
    assert rule["EventPattern"] == {
        "source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"],
        "detail": {"bucket": {"name": [{"Ref": "LandingBucket"}]}}}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["WorkQueue", "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}


@pytest.mark.parametrize("queue", ["WorkQueue", "DeadLetterQueue"])
def test_queue_policy_lets_only_the_rule_send(main_template: dict[str, Any],
                                              queue: str) -> None:
    (policy,) = [r["Properties"] for r in resources(main_template, "AWS::SQS::QueuePolicy")
                 .values() if r["Properties"]["Queues"] == [{"Ref": queue}]]
    deny, allow = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    assert allow["Principal"] == {"Service": ["events.amazonaws.com"]}
    assert allow["Action"] == ["sqs:SendMessage"]
    assert allow["Resource"] == [{"Fn::GetAtt": [queue, "Arn"]}]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {
        "Fn::GetAtt": ["LandingEventsRule", "Arn"]}}}


def test_private_subnets_only_and_flow_logs(main_template: dict[str, Any]) -> None:
    subnets = resources(main_template, "AWS::EC2::Subnet")
    private = {k: v for k, v in subnets.items() if k.startswith("PrivateSubnet")}
    assert len(private) == 3
    zones = {str(v["Properties"]["AvailabilityZone"]) for v in private.values()}
    assert len(zones) == 3
    assert all(v["Properties"]["MapPublicIpOnLaunch"] is False for v in subnets.values())
    assert subnets["PublicSubnet"]["Condition"] == "HasNatGateway"
    flow = one(main_template, "AWS::EC2::FlowLog")["Properties"]
    assert flow["ResourceId"] == {"Ref": "Vpc"} and flow["TrafficType"] == "ALL"


def test_endpoints_cover_what_the_private_subnets_call(main_template: dict[str, Any]) -> None:
    endpoints = resources(main_template, "AWS::EC2::VPCEndpoint")
    services = {e["Properties"]["ServiceName"]["Fn::Sub"].split("${AWS::Region}.")[1]
                for e in endpoints.values()}
    assert services == {"s3", "sqs", "ecr.api", "ecr.dkr", "logs", "ecs", "ecs-agent",
                        "ecs-telemetry", "bedrock-runtime", "xray", "secretsmanager"}
    gateway = endpoints["S3GatewayEndpoint"]["Properties"]
    assert gateway["VpcEndpointType"] == "Gateway"
    for logical_id, endpoint in endpoints.items():
        if endpoint["Properties"]["VpcEndpointType"] == "Interface":
            assert endpoint["Properties"]["PrivateDnsEnabled"] is True, logical_id


def test_security_groups_admit_nothing_from_outside(main_template: dict[str, Any]) -> None:
    for logical_id, group in resources(main_template, "AWS::EC2::SecurityGroup").items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert "CidrIp" not in rule, logical_id  # only other security groups
            assert (rule["FromPort"], rule["ToPort"]) == (443, 443), logical_id
        for rule in group["Properties"]["SecurityGroupEgress"]:
            assert rule["IpProtocol"] != "-1" or rule["CidrIp"] == "127.0.0.1/32", logical_id
