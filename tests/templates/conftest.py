"""The generated templates as plain JSON data, built once for the template tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from templates.builder import build_main
from templates.pipeline import build_pipeline


def _as_data(template: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(template.to_json())
    return data


@pytest.fixture(scope="session")
def main_template() -> dict[str, Any]:
    return _as_data(build_main())


@pytest.fixture(scope="session")
def pipeline_template() -> dict[str, Any]:
    return _as_data(build_pipeline())
