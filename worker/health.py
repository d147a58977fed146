"""`cis-worker health`: the container health check.

Healthy when the poll loop is alive (it touches HEALTH_FILE every few seconds; the file
must be younger than HEALTH_MAX_AGE_SECONDS) and Tesseract is on the PATH. Prints what is
wrong and exits 1 otherwise, so ECS replaces a task whose loop is stuck.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from worker.config import Settings


def problems(settings: Settings, now: float | None = None) -> list[str]:
    found: list[str] = []
    beat = Path(settings.health_file)
    try:
        age = (now if now is not None else time.time()) - beat.stat().st_mtime
    except OSError:
        found.append(f"the worker loop has not started ({beat} is missing)")
    else:
        if age > settings.health_max_age_s:
            found.append(f"the worker loop is stuck (last beat {age:.0f} s ago)")
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
