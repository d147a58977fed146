"""buildspec.yml, read as CodeBuild reads it: every script, program and module it calls is in
this repository (or installed by it), and what it hands on matches the stacks."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from templates.builder import STACKS
from templates.images import WORKER_CONTAINER
from tests.templates.cfn import one

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# programs CodeBuild's standard image provides, not this repository
CODEBUILD_TOOLS = {"aws", "docker", "printf", "bash"}
PHASES = ("install", "pre_build", "build", "post_build")


@pytest.fixture(scope="module")
def buildspec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "buildspec.yml").read_text(encoding="utf-8"))
    return data


def _commands(buildspec: dict[str, Any]) -> list[str]:
    return [c for phase in PHASES for c in buildspec["phases"][phase]["commands"]]


def _words(command: str) -> list[list[str]]:
    """The simple commands of a line: split at pipes, without output redirections."""
    command = re.sub(r">\s*\S+\s*$", "", command)
    return [shlex.split(part) for part in command.split(" | ")]


def _program(words: list[str]) -> list[str]:
    """Drop leading VAR=value assignments."""
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        words = words[1:]
    return words


def test_every_command_exists(buildspec: dict[str, Any]) -> None:
    checked = 0
    for command in _commands(buildspec):
        for words in map(_program, _words(command)):
            if not words or words[0].startswith("$") or "=" in words[0]:
                continue
            program = words[0]
            if program.startswith(".venv/bin/"):
                assert (BIN / program.removeprefix(".venv/bin/")).exists(), program
            else:
                assert program in CODEBUILD_TOOLS, f"unknown program {program!r} in {command!r}"
            if program == "bash":
                assert (ROOT / words[1]).is_file(), words[1]
            if words[1:3] and words[1] == "-m":
                assert importlib.util.find_spec(words[2]) is not None, words[2]
            checked += 1
    assert checked >= 12


def test_paths_it_reads_exist(buildspec: dict[str, Any]) -> None:
    text = " ".join(_commands(buildspec))
    assert (ROOT / "Dockerfile").is_file() and "Dockerfile" in text
    for folder in re.findall(r"\btests/[a-z_]+", text):
        assert (ROOT / folder).is_dir(), folder
    for marker in re.findall(r"not (\w+)", text):
        assert marker in (ROOT / "pyproject.toml").read_text(), marker


def test_artifacts_are_what_the_build_writes(buildspec: dict[str, Any]) -> None:
    files = buildspec["artifacts"]["files"]
    templates = {f"build/cfn/{name}" for name in STACKS}
    assert templates <= set(files)
    assert "imagedefinitions.json" in files
    assert any("> imagedefinitions.json" in c for c in _commands(buildspec))
    for report in buildspec["reports"].values():
        for path in report["files"]:
            assert any(f"--junitxml={path}" in c for c in _commands(buildspec))


def test_image_is_pushed_under_the_commit_tag_only(buildspec: dict[str, Any]) -> None:
    commands = _commands(buildspec)
    assert any("scripts/build-image.sh \"$REPOSITORY_URI:$COMMIT\"" in c for c in commands)
    assert any("CODEBUILD_RESOLVED_SOURCE_VERSION" in c for c in commands)
    pushed = [c.split()[-1] for c in commands if c.startswith("docker push")]
    assert pushed == ['"$REPOSITORY_URI:$COMMIT"']  # tags are immutable: no moving `latest`
    assert not [c for c in commands if "latest" in c]


def test_the_base_image_is_pinned_by_digest(buildspec: dict[str, Any]) -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    (default,) = re.findall(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, re.MULTILINE)
    pinned = buildspec["env"]["variables"]["BASE_IMAGE"]
    assert re.fullmatch(re.escape(default) + r"@sha256:[0-9a-f]{64}", pinned), pinned
    build = [c for c in _commands(buildspec) if "scripts/build-image.sh" in c]
    assert build and all('--build-arg "BASE_IMAGE=$BASE_IMAGE"' in c for c in build)
    script = subprocess.run(["bash", str(ROOT / "scripts" / "base-image-digest.sh")],
                            capture_output=True, text=True, check=True)
    assert script.stdout.strip() == pinned  # the update script reads the same line


def test_the_locked_dependencies_are_audited_before_the_push(buildspec: dict[str, Any]) -> None:
    audits = [c for c in buildspec["phases"]["pre_build"]["commands"] if "pip-audit" in c]
    assert len(audits) == 1
    words = shlex.split(audits[0])
    assert {"--strict", "--require-hashes", "--disable-pip"} <= set(words)
    locks = [words[i + 1] for i, word in enumerate(words) if word == "-r"]
    assert sorted(locks) == ["requirements/dev.txt", "requirements/runtime.txt"]
    assert all((ROOT / lock).is_file() for lock in locks)


def test_the_sboms_are_build_artifacts(buildspec: dict[str, Any]) -> None:
    (sbom,) = [c for c in buildspec["phases"]["build"]["commands"] if "scripts/sbom.sh" in c]
    out = shlex.split(sbom)[-1]
    script = (ROOT / "scripts" / "sbom.sh").read_text(encoding="utf-8")
    written = set(re.findall(r'\$out/([a-z.]+\.json)', script))
    assert written == {"python.cdx.json", "image.cdx.json"}
    assert {f"{out}/{name}" for name in written} <= set(buildspec["artifacts"]["files"])


def test_the_project_sets_what_the_buildspec_uses(buildspec: dict[str, Any],
                                                  pipeline_template: dict[str, Any]) -> None:
    project = one(pipeline_template, "AWS::CodeBuild::Project")["Properties"]
    variables = {v["Name"]: v["Value"] for v in project["Environment"]["EnvironmentVariables"]}
    assert variables["CONTAINER_NAME"] == WORKER_CONTAINER
    assert variables["REPOSITORY_URI"] == {"Fn::GetAtt": ["Repository", "RepositoryUri"]}
    used = set(re.findall(r"\$\{?([A-Z_]+)", " ".join(_commands(buildspec))))
    provided_by_codebuild = {"AWS_REGION", "CODEBUILD_RESOLVED_SOURCE_VERSION", "COMMIT",
                             "BASE_IMAGE"}  # BASE_IMAGE: the buildspec's own env
    assert used - provided_by_codebuild == set(variables)
    assert project["Source"]["BuildSpec"] == "buildspec.yml"
    assert project["Environment"]["PrivilegedMode"] is True  # docker build
