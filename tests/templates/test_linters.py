"""The linters the deployment checklist names, run for real on what this repository makes:
cfn-lint (no error, no warning) and checkov (no failed check; every skip justified in the
skipped resource's Metadata) on the generated templates, hadolint on the Dockerfile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_cfn_lint_finds_nothing(template_dir: Path) -> None:
    files = sorted(str(path) for path in template_dir.glob("*.json"))
    assert len(files) == 2
    result = subprocess.run([str(BIN / "cfn-lint"), "--regions", "ap-northeast-1",
                             "--format", "parseable", *files],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def _checkov(template_dir: Path) -> dict[str, Any]:
    result = subprocess.run(["bash", str(ROOT / "scripts" / "checkov.sh"), str(template_dir),
                             "--output", "json"], capture_output=True, text=True, check=False,
                            timeout=900)
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    assert result.returncode == 0, [c["check_id"] for c in report["results"]["failed_checks"]]
    return dict(report)


def _metadata_skips(template_dir: Path) -> dict[tuple[str, str], str]:
    """(resource, check id) -> justification, from every resource's Metadata."""
    skips = {}
    for path in template_dir.glob("*.json"):
        for logical_id, resource in json.loads(path.read_text())["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                skips[(f"{resource['Type']}.{logical_id}", skip["id"])] = skip["comment"]
    return skips


def test_checkov_passes_and_every_skip_is_justified(template_dir: Path) -> None:
    report = _checkov(template_dir)
    results, summary = report["results"], report["summary"]
    assert summary["failed"] == 0 and results["failed_checks"] == []
    assert summary["passed"] > 50  # it really checked the templates
    skipped = {(c["resource"], c["check_id"]): c.get("check_result", {}).get("suppress_comment")
               for c in results["skipped_checks"]}
    declared = _metadata_skips(template_dir)
    # every skip checkov honoured is declared with a reason, and no declared skip is stale
    assert set(skipped) == set(declared)
    assert all(len(reason.split()) >= 5 for reason in declared.values()), declared


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = BIN / "hadolint"
    version = subprocess.run([str(hadolint), "--version"], capture_output=True, text=True,
                             check=True)
    assert "Haskell Dockerfile Linter" in version.stdout
    result = subprocess.run([str(hadolint), "--failure-threshold", "style",
                             str(ROOT / "Dockerfile")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout
