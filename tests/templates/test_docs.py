"""The operator documents keep up with the templates: every parameter and output is in the
deployment guide, every alarm in the runbook, the diagram is committed with its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.templates.cfn import resources

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("which", ["main_template", "pipeline_template"])
def test_every_parameter_is_in_the_deployment_guide(which: str,
                                                    request: pytest.FixtureRequest) -> None:
    guide = (DOCS / "deployment.md").read_text(encoding="utf-8")
    template = request.getfixturevalue(which)
    missing = [name for name in template["Parameters"] if f"`{name}`" not in guide]
    assert missing == []


def test_every_output_is_in_the_deployment_guide(main_template: dict[str, Any]) -> None:
    guide = (DOCS / "deployment.md").read_text(encoding="utf-8")
    assert [name for name in main_template["Outputs"] if f"`{name}`" not in guide] == []


def test_every_alarm_has_a_runbook_entry(main_template: dict[str, Any]) -> None:
    runbook = (DOCS / "runbook.md").read_text(encoding="utf-8")
    alarms = resources(main_template, "AWS::CloudWatch::Alarm")
    assert [name for name in alarms if f"`{name}`" not in runbook] == []


def test_the_diagram_is_committed_beside_its_source() -> None:
    picture = DOCS / "architecture.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "architecture" in (DOCS / "architecture.py").read_text(encoding="utf-8")
