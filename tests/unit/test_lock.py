"""The lock files cover pyproject.toml: every dependency named there is pinned with hashes in
requirements/, and the runtime lock agrees with the dev lock. A dependency added without
`make lock` (scripts/lock.sh) fails here, before an install fails under --require-hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+) \\$", re.MULTILINE)


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    pins: dict[str, str] = {canonicalize_name(n): v for n, v in PIN.findall(text)}
    # every pinned requirement is followed by at least one sha256
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1])
    for block in blocks:
        if block.strip() and not block.startswith("#"):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    return pins


def _named(requirements: list[str]) -> set[str]:
    names: set[str] = set()
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            names.add(canonicalize_name(requirement.name))
    return names - {"cis-worker"}


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_every_runtime_dependency_is_locked_with_hashes() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    runtime = _pins("runtime.txt")
    assert _named(project["dependencies"]) <= set(runtime)
    build = _pyproject()["build-system"]
    assert isinstance(build, dict)
    assert _named(build["requires"]) <= set(runtime)  # installed without build isolation


def test_every_dev_dependency_is_locked_and_the_locks_agree() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    extras = project["optional-dependencies"]
    dev = _pins("dev.txt")
    for extra in ("dev", "infra"):
        assert _named(extras[extra]) <= set(dev), extra
    runtime = _pins("runtime.txt")
    assert {name: dev[name] for name in runtime} == runtime


def test_the_checkov_lock_holds_the_version_checkov_sh_installs() -> None:
    script = (ROOT / "scripts" / "checkov.sh").read_text(encoding="utf-8")
    (version,) = re.findall(r'^version="([^"]+)"$', script, re.MULTILINE)
    assert _pins("checkov.txt")["checkov"] == version
