"""Snapshots of the generated templates: any change to what would be deployed shows up as a
diff in review.

After an intended change, update them and commit the new JSON with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/templates/test_snapshots.py

With UPDATE_SNAPSHOTS=1 a snapshot that differs is written and the test still fails (naming
the files it wrote): an exported variable must never turn a changed template into a green
run. The next run without it passes.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from templates.builder import STACKS

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("name", sorted(STACKS))
def test_template_matches_its_snapshot(name: str, template_dir: Path) -> None:
    generated = (template_dir / name).read_text(encoding="utf-8")
    snapshot = SNAPSHOTS / name
    expected = snapshot.read_text(encoding="utf-8") if snapshot.exists() else None
    if UPDATE and generated != expected:
        snapshot.write_text(generated, encoding="utf-8")
        pytest.fail(f"wrote snapshots/{name}: review and commit it, then rerun without "
                    "UPDATE_SNAPSHOTS")
    assert expected is not None, f"no snapshot {snapshot.name}: run with UPDATE_SNAPSHOTS=1"
    if generated != expected:
        diff = difflib.unified_diff(expected.splitlines(), generated.splitlines(),
                                    f"snapshots/{name}", f"generated {name}", lineterm="", n=2)
        shown = "\n".join(list(diff)[:80])
        pytest.fail(f"{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept):\n{shown}")


def test_python_m_templates_writes_what_the_snapshots_hold(template_dir: Path) -> None:
    """`template_dir` is what `python -m templates --out DIR` wrote (conftest.py)."""
    written = sorted(path.name for path in template_dir.iterdir())
    assert written == sorted(path.name for path in SNAPSHOTS.glob("*.json"))
    for path in template_dir.iterdir():
        assert path.read_text(encoding="utf-8") == (SNAPSHOTS / path.name).read_text("utf-8")
