"""What the templates need changed, and only that, before moto's CloudFormation takes them.

Each rewrite works around one moto limitation (moto 5.x) and keeps the meaning that real
CloudFormation gives the original; what moto does not model at all is asserted on the JSON
by the other template tests instead.
"""

from __future__ import annotations

import ipaddress
from typing import Any

REWRITES = {
    "Fn::Cidr": "moto has no Fn::Cidr: resolved here with ipaddress, as CloudFormation would",
    "Fn::GetAZs": "moto answers <region>a/b/c for every region (ap-northeast-1b does not "
                  "exist): replaced by the zones moto's own EC2 reports",
    "AWS::KMS::Key Tags": "moto's KMS handler expects TagKey/TagValue, not CloudFormation's "
                          "Key/Value: the key's tags are dropped (test_tags.py checks them)",
    "AWS::EC2::FlowLog LogDestination": "moto reads everything after the ARN's resource part "
                                        "as the bucket name, so the key prefix is dropped",
}


def _parameter_values(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    """Every parameter's value in a stack made with `parameters`: given, else its default."""
    values = {name: str(p.get("Default", "")) for name, p in template["Parameters"].items()}
    return {**values, **parameters}


def _resolve(node: Any, zones: list[str], parameters: dict[str, str]) -> Any:
    """A new tree (every dict and list rebuilt) with Fn::Cidr and Fn::GetAZs resolved."""
    if isinstance(node, dict):
        if "Fn::Cidr" in node:
            block, count, bits = node["Fn::Cidr"]
            if isinstance(block, dict):
                block = parameters[block["Ref"]]
            subnets = ipaddress.ip_network(block).subnets(new_prefix=32 - int(bits))
            return [str(subnet) for _, subnet in zip(range(int(count)), subnets, strict=False)]
        if node.get("Fn::GetAZs", None) == "":
            return list(zones)
        return {key: _resolve(value, zones, parameters) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, zones, parameters) for value in node]
    return node


def for_moto(template: dict[str, Any], zones: list[str],
             parameters: dict[str, str]) -> dict[str, Any]:
    """A copy of `template` with the REWRITES applied (`_resolve` makes the copy)."""
    values = _parameter_values(template, parameters)
    result: dict[str, Any] = _resolve(template, zones, values)
    for resource in result["Resources"].values():
        if resource["Type"] == "AWS::KMS::Key":
            resource["Properties"].pop("Tags", None)
        if resource["Type"] == "AWS::EC2::FlowLog":
            destination = resource["Properties"]["LogDestination"]
            resource["Properties"]["LogDestination"] = destination["Fn::Sub"][1]["Arn"]
    return result


def conditions(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, bool]:
    """The template's conditions evaluated for these parameters (Equals/Not/And/Or/Condition
    over parameter Refs: all that the templates use)."""
    values = _parameter_values(template, parameters)

    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return values[node["Ref"]]
        return node

    def truth(node: dict[str, Any]) -> bool:
        (function, args), = node.items()
        if function == "Fn::Equals":
            return bool(value(args[0]) == value(args[1]))
        if function == "Fn::Not":
            return not truth(args[0])
        if function == "Fn::And":
            return all(truth(arg) for arg in args)
        if function == "Fn::Or":
            return any(truth(arg) for arg in args)
        if function == "Condition":
            return truth(template["Conditions"][args])
        raise ValueError(f"condition function {function} not handled")

    return {name: truth(body) for name, body in template.get("Conditions", {}).items()}
