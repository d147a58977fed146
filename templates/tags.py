"""Names and tags: Name, Project, Environment, CostCenter and ManagedBy on everything taggable.

Modules do not tag their resources one by one: the builder calls `apply_tags` once, after
every module has added its resources, and each resource whose type takes tags gets the five.
`Naming` also makes the `<project>-<environment>-<what>` names used for Name tags and for the
few physical names the stack sets itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from troposphere import AWSObject, Parameter, Ref, Sub, Tag, Tags, Template, autoscaling, budgets

MANAGED_BY = "cloudformation:cis-worker/templates"

# Resource types whose tags are not the usual `Tags` list of Key/Value.
_ASG = "AWS::AutoScaling::AutoScalingGroup"  # PropagateAtLaunch on each tag
_BUDGET = "AWS::Budgets::Budget"  # `ResourceTags`


def kebab(logical_id: str) -> str:
    """LandingBucket -> landing-bucket."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", logical_id).lower()


@dataclass(frozen=True)
class Naming:
    project: Parameter
    environment: Parameter
    cost_center: Parameter

    def name(self, what: str) -> Sub:
        """`<project>-<environment>-<what>`, e.g. cis-worker-prod-landing."""
        return Sub(f"${{{self.project.title}}}-${{{self.environment.title}}}-{what}")

    def common(self) -> list[tuple[str, object]]:
        return [
            ("Project", Ref(self.project)),
            ("Environment", Ref(self.environment)),
            ("CostCenter", Ref(self.cost_center)),
            ("ManagedBy", MANAGED_BY),
        ]

    def tags(self, name: object) -> Tags:
        return Tags(Name=name) + Tags(*[Tag(k, v) for k, v in self.common()])


def _takes_tags(resource: AWSObject) -> bool:
    return "Tags" in resource.props or resource.resource_type == _BUDGET


def _tag(resource: AWSObject, naming: Naming) -> None:
    name = naming.name(kebab(resource.title))
    kind = resource.resource_type
    if kind == _ASG:
        resource.Tags = autoscaling.Tags(Name=name) + autoscaling.Tags(**dict(naming.common()))
    elif kind == _BUDGET:
        pairs = [("Name", name), *naming.common()]
        resource.ResourceTags = [budgets.ResourceTag(Key=k, Value=v) for k, v in pairs]
    else:
        resource.Tags = naming.tags(name)


def apply_tags(template: Template, naming: Naming) -> None:
    """Tag every resource of the template that takes tags (run once, at the end)."""
    for resource in template.resources.values():
        if _takes_tags(resource):
            _tag(resource, naming)
