"""The generated templates, written once per session by `python -m templates` (the files
CodeBuild ships), and read back as plain JSON data for the template tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from templates.__main__ import main as write_templates


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cfn")
    assert write_templates(["--out", str(out)]) == 0
    return out


def _load(template_dir: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((template_dir / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def main_template(template_dir: Path) -> dict[str, Any]:
    return _load(template_dir, "main.json")


@pytest.fixture(scope="session")
def pipeline_template(template_dir: Path) -> dict[str, Any]:
    return _load(template_dir, "pipeline.json")
