"""Least privilege, checked on the generated JSON: the task and execution roles differ, name
their resources, and use `*` only for actions AWS cannot scope."""

from __future__ import annotations

import json
from typing import Any

import pytest

from templates.policies import UNSCOPABLE_ACTIONS
from tests.templates.cfn import as_list, resources, statements_of_role, task_definition

ROLES = ("TaskRole", "OperatorRole", "ExecutionRole", "SnapshotRole")


def _task_roles(main: dict[str, Any]) -> dict[str, Any]:
    task = task_definition(main)["Properties"]
    return {"task": task["TaskRoleArn"], "execution": task["ExecutionRoleArn"]}


def test_task_and_execution_roles_are_different_roles(main_template: dict[str, Any]) -> None:
    roles = _task_roles(main_template)
    assert roles == {"task": {"Fn::GetAtt": ["TaskRole", "Arn"]},
                     "execution": {"Fn::GetAtt": ["ExecutionRole", "Arn"]}}


@pytest.mark.parametrize("role", ROLES)
def test_no_wildcard_resources_where_a_resource_can_be_named(
        main_template: dict[str, Any], role: str) -> None:
    statements = list(statements_of_role(main_template, role))
    assert statements
    for statement in statements:
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        assert not any(action.endswith("*") for action in actions), statement
        if "*" in as_list(statement["Resource"]):
            assert as_list(statement["Resource"]) == ["*"]
            assert actions <= UNSCOPABLE_ACTIONS, actions - UNSCOPABLE_ACTIONS


def test_unscopable_actions_are_only_registry_login_and_traces() -> None:
    assert {action.split(":")[0] for action in UNSCOPABLE_ACTIONS} == {"ecr", "xray"}
    assert "ecr:GetAuthorizationToken" in UNSCOPABLE_ACTIONS


# Everything `cis-worker run` calls, and nothing else.
WORKER_ACTIONS = {
    "Queue": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"},
    "Read": {"s3:GetObject"},
    "Thumbs": {"s3:PutObject", "s3:DeleteObject"},
    "DataKey": {"kms:Decrypt", "kms:GenerateDataKey"},
    "Embeddings": {"bedrock:InvokeModel"},
    "TaskProtection": {"ecs:UpdateTaskProtection", "ecs:GetTaskProtection"},
    "Traces": {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
               "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"},
    "SearchDomain": {"es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"},
}


def test_task_role_has_only_what_run_uses(main_template: dict[str, Any]) -> None:
    statements = list(statements_of_role(main_template, "TaskRole"))
    granted: dict[str, set[str]] = {}
    for statement in statements:
        granted.setdefault(statement["Sid"], set()).update(as_list(statement["Action"]))
    assert granted == WORKER_ACTIONS
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["Queue"]["Resource"] == [{"Fn::GetAtt": ["WorkQueue", "Arn"]}]
    read = by_sid["Read"]["Resource"][0]["Fn::Sub"]
    assert read[1] == {"Arn": {"Fn::GetAtt": ["LandingBucket", "Arn"]}}
    thumbs = by_sid["Thumbs"]["Resource"][0]["Fn::Sub"][1]
    assert thumbs == {"Arn": {"Fn::GetAtt": ["ThumbnailBucket", "Arn"]}}
    model = by_sid["Embeddings"]["Resource"][0]["Fn::Sub"][0]
    assert model.endswith("::foundation-model/${Model}")
    # what the issue named: no send to any queue, no DLQ, no listing, no index admin
    every = set().union(*granted.values())
    for forbidden in ("sqs:SendMessage", "sqs:StartMessageMoveTask", "s3:ListBucket",
                      "s3:ListBucketVersions", "es:ESHttpPut", "es:ESHttpDelete",
                      "iam:PassRole"):
        assert forbidden not in every
    assert "DeadLetterQueue" not in json.dumps(statements)


def test_operator_role_runs_backfill_redrive_and_index_setup(
        main_template: dict[str, Any]) -> None:
    by_sid = {s["Sid"]: s for s in statements_of_role(main_template, "OperatorRole")}
    assert set(by_sid) == {"Enqueue", "Redrive", "ListLanding", "DataKey", "SearchDomain",
                           "PassSnapshotRole"}
    assert "sqs:SendMessage" in by_sid["Enqueue"]["Action"]
    assert by_sid["Enqueue"]["Resource"] == [{"Fn::GetAtt": ["WorkQueue", "Arn"]}]
    assert "sqs:StartMessageMoveTask" in by_sid["Redrive"]["Action"]
    assert by_sid["Redrive"]["Resource"] == [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}]
    assert by_sid["ListLanding"]["Action"] == ["s3:ListBucket"]
    assert by_sid["PassSnapshotRole"]["Resource"] == [{"Fn::GetAtt": ["SnapshotRole", "Arn"]}]
    assert by_sid["PassSnapshotRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "es.amazonaws.com"}}


def test_the_operator_commands_run_as_their_own_task_definition(
        main_template: dict[str, Any]) -> None:
    worker = task_definition(main_template)["Properties"]
    operator = task_definition(main_template, "OperatorTaskDefinition")["Properties"]
    assert worker["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}
    assert operator["TaskRoleArn"] == {"Fn::GetAtt": ["OperatorRole", "Arn"]}
    (container,) = operator["ContainerDefinitions"]
    assert container["Command"] == ["index-setup"]
    assert container["Image"] == worker["ContainerDefinitions"][0]["Image"]
    env = {e["Name"]: e["Value"] for e in container["Environment"] if "Name" in e}
    assert env["SEARCH_WORKER_ROLE_ARN"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}
    assert {"SNAPSHOT_BUCKET", "SNAPSHOT_ROLE_ARN"} <= set(env)
    outputs = main_template["Outputs"]
    assert outputs["OperatorTaskDefinitionArn"]["Value"] == {"Ref": "OperatorTaskDefinition"}


def test_search_domain_access_differs_by_role(main_template: dict[str, Any]) -> None:
    policies = resources(main_template, "AWS::IAM::RolePolicy")
    task = policies["TaskSearchDomainAccess"]["Properties"]["PolicyDocument"]["Statement"]
    operator = policies["OperatorSearchDomainAccess"]["Properties"]["PolicyDocument"]
    assert {a for s in task for a in s["Action"]} == {"es:ESHttpGet", "es:ESHttpHead",
                                                      "es:ESHttpPost"}
    assert "es:ESHttpPut" in operator["Statement"][0]["Action"]
    external = policies["TaskExternalSearchAccess"]["Properties"]["PolicyDocument"]
    assert "es:ESHttpDelete" not in json.dumps(external)


def test_execution_role_pulls_two_repositories_and_reads_one_secret(
        main_template: dict[str, Any]) -> None:
    by_sid = {s.get("Sid"): s for s in statements_of_role(main_template, "ExecutionRole")}
    assert set(by_sid) == {"RegistryLogin", "PullImages", "PullThroughCache", "Logs",
                           "SearchSecret"}
    assert len(by_sid["PullImages"]["Resource"]) == 2
    assert by_sid["SearchSecret"]["Resource"] == [{"Ref": "SearchSecretArn"}]
    secret_policy = resources(main_template, "AWS::IAM::RolePolicy")["ExecutionSecretAccess"]
    assert secret_policy["Condition"] == "HasSearchSecret"


def test_trust_policies_are_scoped_to_this_account(main_template: dict[str, Any]) -> None:
    roles = resources(main_template, "AWS::IAM::Role")
    assert set(roles) == {"TaskRole", "OperatorRole", "ExecutionRole", "InstanceRole",
                          "SnapshotRole"}
    snapshot = roles["SnapshotRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert snapshot[0]["Principal"] == {"Service": ["es.amazonaws.com"]}
    for logical_id in ("TaskRole", "OperatorRole", "ExecutionRole"):
        (statement,) = roles[logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": ["ecs-tasks.amazonaws.com"]}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}, logical_id


def test_pipeline_role_pushes_to_its_repository_only(pipeline_template: dict[str, Any]) -> None:
    by_sid = {s.get("Sid"): s for s in statements_of_role(pipeline_template, "BuildRole")}
    assert by_sid["Push"]["Resource"] == [{"Fn::GetAtt": ["Repository", "Arn"]}]
    for statement in by_sid.values():
        if "*" in as_list(statement["Resource"]):
            assert set(statement["Action"]) <= UNSCOPABLE_ACTIONS
