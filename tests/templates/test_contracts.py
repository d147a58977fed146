"""The templates and the worker agree: every variable the task sets is one the worker reads
(worker/config.py), the task runs the Dockerfile's user, the stack's search settings hang
together."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from templates.images import WORKER_CONTAINER, WORKER_USER
from tests.templates.cfn import one, resources, task_definition
from worker.config import Settings
from worker.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
# a value each variable accepts and that differs from its default
PROBE = {"OPENSEARCH_AUTH": "basic", "AWS_XRAY_DAEMON_ADDRESS": "10.0.0.1:2000"}


def _task_variables(main: dict[str, Any]) -> set[str]:
    task = task_definition(main)["Properties"]
    worker = next(c for c in task["ContainerDefinitions"] if c["Name"] == WORKER_CONTAINER)
    names = {e["Name"] for e in worker["Environment"] if "Name" in e}
    names |= {e["Fn::If"][1]["Name"] for e in worker["Environment"] if "Fn::If" in e}
    names |= {s["Name"] for s in worker["Secrets"]["Fn::If"][1]}
    return names


def _reads(name: str) -> bool:
    """Does Settings.from_env react to `name`?"""
    try:
        changed = Settings.from_env({name: PROBE.get(name, "77")})
    except ConfigurationError:
        return True
    return changed != Settings.from_env({})


def test_every_task_variable_is_read_by_the_worker(main_template: dict[str, Any]) -> None:
    names = _task_variables(main_template)
    assert {"SQS_QUEUE_URL", "S3_LANDING_BUCKET", "S3_THUMBNAIL_BUCKET", "OPENSEARCH_ENDPOINT",
            "BEDROCK_MODEL_ID", "ENVIRONMENT"} <= names
    unread = sorted(name for name in names if not _reads(name))
    assert unread == []


def test_the_probe_detects_an_unknown_variable() -> None:
    assert not _reads("NOT_A_CIS_WORKER_SETTING")


def test_task_runs_the_dockerfiles_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert users[-1] == WORKER_USER


def test_image_base_default_is_pullable_by_codebuild() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (base,) = re.findall(r"^ARG BASE_IMAGE=(\S+)", dockerfile, flags=re.M)
    assert base == "public.ecr.aws/docker/library/debian:bookworm-slim"


@pytest.mark.parametrize("name", ["QueueUrl", "DeadLetterQueueUrl", "LandingBucketName",
                                  "ThumbnailBucketName", "ClusterName", "ServiceName"])
def test_outputs_operators_need(main_template: dict[str, Any], name: str) -> None:
    assert name in main_template["Outputs"]


def test_a_stack_without_any_search_target_is_refused(main_template: dict[str, Any]) -> None:
    (assertion,) = main_template["Rules"]["SearchIsConfigured"]["Assertions"]
    checks = assertion["Assert"]["Fn::Or"]
    assert {"Fn::Equals": [{"Ref": "CreateSearchDomain"}, "true"]} in checks
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "SearchEndpoint"}, ""]}]} in checks


def test_search_domain_is_encrypted_https_only_with_fine_grained_access(
        main_template: dict[str, Any]) -> None:
    domain = one(main_template, "AWS::OpenSearchService::Domain")
    assert domain["Condition"] == "CreateSearchDomain"
    p = domain["Properties"]
    assert p["EncryptionAtRestOptions"]["Enabled"] is True
    assert p["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert p["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert p["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith("Policy-Min-TLS-1-2")
    security = p["AdvancedSecurityOptions"]
    assert security["Enabled"] is True and security["InternalUserDatabaseEnabled"] is False
    master = security["MasterUserOptions"]["MasterUserARN"]["Fn::If"]
    # the admin role given, else the operator's role: never the worker's
    assert master == ["HasSearchAdminRole", {"Ref": "SearchAdminRoleArn"},
                      {"Fn::GetAtt": ["OperatorRole", "Arn"]}]
    assert "TaskRole" not in json.dumps(security)
    assert "VPCOptions" in p


def test_minimal_endpoints_need_the_nat_gateway(main_template: dict[str, Any]) -> None:
    (assertion,) = main_template["Rules"]["EgressIsPossible"]["Assertions"]
    assert assertion["Assert"]["Fn::Or"] == [
        {"Fn::Equals": [{"Ref": "InterfaceEndpoints"}, "all"]},
        {"Fn::Equals": [{"Ref": "CreateNatGateway"}, "true"]}]
    endpoints = resources(main_template, "AWS::EC2::VPCEndpoint")
    unconditional = sorted(k for k, v in endpoints.items() if "Condition" not in v)
    assert unconditional == ["S3GatewayEndpoint", "SqsEndpoint"]
