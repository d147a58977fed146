"""Small readers for generated template JSON, shared by the template tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Template = dict[str, Any]


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of type `kind`."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def one(template: Template, kind: str) -> dict[str, Any]:
    found = resources(template, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))


def props(template: Template, logical_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"][logical_id].get("Properties", {})
    return properties


def statements_of_role(template: Template, role_id: str) -> Iterator[dict[str, Any]]:
    """Every policy statement attached to a role: inline policies and RolePolicy/Policy
    resources that name it."""
    for policy in props(template, role_id).get("Policies", []):
        yield from policy["PolicyDocument"]["Statement"]
    for kind in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy"):
        for resource in resources(template, kind).values():
            p = resource["Properties"]
            if p.get("RoleName") == {"Ref": role_id} or {"Ref": role_id} in p.get("Roles", []):
                yield from p["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def walk(node: Any) -> Iterator[Any]:
    """Every dict, list and scalar inside a JSON value."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def task_definition(template: Template, logical_id: str = "TaskDefinition") -> dict[str, Any]:
    """The worker's task definition (or the operator's: OperatorTaskDefinition)."""
    resource: dict[str, Any] = template["Resources"][logical_id]
    assert resource["Type"] == "AWS::ECS::TaskDefinition"
    return resource


def evaluate(expression: str, **values: float) -> float:
    """CloudWatch metric math of the form used here (IF, AND, FILL of a present value,
    + - * / < >), evaluated in Python."""
    python = re.sub(r"FILL\((\w+), *0\)", r"\1", expression).replace(" AND ", " and ")
    python = re.sub(r"IF\(([^,]+),([^,]+),([^)]+)\)", r"((\2) if (\1) else (\3))", python)
    result = eval(python, {"__builtins__": {}}, values)
    return float(result)
