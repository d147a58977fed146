"""Name, Project, Environment, CostCenter and ManagedBy on every resource that takes tags.

Which resource types take tags, and under which property, comes from the CloudFormation
resource schemas that cfn-lint ships, not from a list kept here."""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from tests.templates.cfn import one

REQUIRED = {"Name", "Project", "Environment", "CostCenter", "ManagedBy"}


def _tag_property(kind: str) -> str | None:
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("ap-northeast-1", kind).schema
    tagging = schema.get("tagging", {})
    if tagging.get("taggable") and tagging.get("tagProperty"):
        return str(tagging["tagProperty"]).rsplit("/", 1)[-1]
    return "Tags" if "Tags" in schema.get("properties", {}) else None


def _keys(tags: Any) -> set[str]:
    if isinstance(tags, dict):
        return set(tags)
    return {tag["Key"] for tag in tags}


@pytest.mark.parametrize("which", ["main_template", "pipeline_template"])
def test_every_taggable_resource_has_the_five_tags(which: str,
                                                   request: pytest.FixtureRequest) -> None:
    template = request.getfixturevalue(which)
    tagged = 0
    for logical_id, resource in template["Resources"].items():
        prop = _tag_property(resource["Type"])
        if prop is None:
            continue
        tags = resource.get("Properties", {}).get(prop)
        assert tags is not None, f"{logical_id} ({resource['Type']}) has no {prop}"
        assert _keys(tags) >= REQUIRED, (logical_id, REQUIRED - _keys(tags))
        tagged += 1
    assert tagged >= 5


def test_instances_volumes_and_interfaces_are_tagged(main_template: dict[str, Any]) -> None:
    group = one(main_template, "AWS::AutoScaling::AutoScalingGroup")["Properties"]
    assert all(tag["PropagateAtLaunch"] is True for tag in group["Tags"])
    data = one(main_template, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"]
    kinds = {spec["ResourceType"]: _keys(spec["Tags"]) for spec in data["TagSpecifications"]}
    assert set(kinds) == {"volume", "network-interface"}
    assert all(keys >= REQUIRED for keys in kinds.values())


def test_name_tags_carry_project_and_environment(main_template: dict[str, Any]) -> None:
    queue = main_template["Resources"]["WorkQueue"]["Properties"]["Tags"]
    name = next(tag["Value"] for tag in queue if tag["Key"] == "Name")
    assert name == {"Fn::Sub": "${ProjectName}-${Environment}-work-queue"}
