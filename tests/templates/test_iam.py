"""Least privilege, checked on the generated JSON: the task and execution roles differ, name
their resources, and use `*` only for actions AWS cannot scope."""

from __future__ import annotations

from typing import Any

import pytest

from templates.policies import UNSCOPABLE_ACTIONS
from tests.templates.cfn import as_list, one, resources, statements_of_role

ROLES = ("TaskRole", "ExecutionRole")


def _task_roles(main: dict[str, Any]) -> dict[str, Any]:
    task = one(main, "AWS::ECS::TaskDefinition")["Properties"]
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


def test_task_role_reaches_only_this_stacks_queue_buckets_and_model(
        main_template: dict[str, Any]) -> None:
    by_sid = {s.get("Sid"): s for s in statements_of_role(main_template, "TaskRole")}
    assert by_sid["Queue"]["Resource"] == [{"Fn::GetAtt": ["WorkQueue", "Arn"]}]
    assert by_sid["DeadLetters"]["Resource"] == [{"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}]
    assert "sqs:StartMessageMoveTask" in by_sid["DeadLetters"]["Action"]
    read = by_sid["Read"]["Resource"][0]["Fn::Sub"]
    assert read[1] == {"Arn": {"Fn::GetAtt": ["LandingBucket", "Arn"]}}
    assert by_sid["Read"]["Action"] == ["s3:GetObject"]
    thumbs = by_sid["Thumbs"]["Resource"][0]["Fn::Sub"][1]
    assert thumbs == {"Arn": {"Fn::GetAtt": ["ThumbnailBucket", "Arn"]}}
    model = by_sid["Embeddings"]["Resource"][0]["Fn::Sub"][0]
    assert model.endswith("::foundation-model/${Model}")
    # the worker only reads the landing bucket: no write there
    for statement in by_sid.values():
        if "LandingBucket" in str(statement["Resource"]):
            assert not [a for a in statement["Action"] if a.startswith("s3:Put")], statement


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
    assert set(roles) == {"TaskRole", "ExecutionRole", "InstanceRole"}
    for logical_id in ("TaskRole", "ExecutionRole"):
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
