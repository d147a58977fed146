"""`cis-worker health`: the container health check.

Healthy when the poll loop is alive (it rewrites HEALTH_FILE every few seconds; the file
must be younger than HEALTH_MAX_AGE_SECONDS), the loop can reach its queue (receives have not
been failing for longer than HEALTH_MAX_AGE_SECONDS: the loop writes since when they fail into
the same file) and Tesseract is on the PATH. Prints what is wrong and exits 1 otherwise, so
ECS replaces a task whose loop is stuck or cut off from SQS. The check itself makes no AWS
call: the loop's own receives are the probe.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from worker.config import Settings


def write_beat(path: Path, receive_failing_since: float | None, error: str | None) -> None:
    """The loop's heartbeat: the file's mtime says the loop turns, its content whether
    receiving works (`receive_failing_since`: wall-clock seconds, None when it works)."""
    state = {"receive_failing_since": receive_failing_since, "receive_error": error}
    path.write_text(json.dumps(state), encoding="utf-8")


def _state(beat: Path) -> dict[str, Any]:
    try:
        state = json.loads(beat.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def problems(settings: Settings, now: float | None = None) -> list[str]:
    found: list[str] = []
    now = now if now is not None else time.time()
    beat = Path(settings.health_file)
    try:
        age = now - beat.stat().st_mtime
    except OSError:
        found.append(f"the worker loop has not started ({beat} is missing)")
    else:
        if age > settings.health_max_age_s:
            found.append(f"the worker loop is stuck (last beat {age:.0f} s ago)")
        state = _state(beat)
        since = state.get("receive_failing_since")
        if isinstance(since, int | float) and now - since > settings.health_max_age_s:
            found.append(f"the queue cannot be reached: receives have failed for "
                         f"{now - since:.0f} s ({state.get('receive_error')})")
    if shutil.which("tesseract") is None:
        found.append("tesseract is not on the PATH")
    return found


def check_health(settings: Settings) -> int:
    found = problems(settings)
    for problem in found:
        print(f"unhealthy: {problem}", file=sys.stderr)
    if not found:
        print("healthy")
    return 1 if found else 0
