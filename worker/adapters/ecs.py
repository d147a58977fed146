"""The ECS agent's endpoints: task scale-in protection (`ECS_AGENT_URI`) and the task's
memory limit from the task metadata endpoint (`ECS_CONTAINER_METADATA_URI_V4`).

While the worker holds messages it asks the agent to protect the task, so that a service
scale-in or a deployment does not stop it mid-file; when idle it drops the protection.
Spot interruptions are not covered by protection: SIGTERM and the shutdown budget handle
those. Failures to reach the agent are logged and never stop the worker.

The task's memory: on EC2 the task-level limit is set on a parent cgroup that the container
cannot see (its own reads "unlimited"), so worker/limits.py asks the metadata endpoint.
"""

from __future__ import annotations

import json
import logging
import math
import time
import urllib.error
import urllib.request

log = logging.getLogger(__name__)

STATE_PATH = "/task-protection/v1/state"
METADATA_URI_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4"  # set by the agent in every container
MIB = 1024 * 1024


def task_memory_limit_bytes(metadata_uri: str | None, timeout_s: float = 2.0) -> int | None:
    """The task's memory limit (`Limits.Memory` of the task metadata, MiB), None when there
    is no endpoint, no limit, or no answer."""
    if not metadata_uri:
        return None
    try:
        with urllib.request.urlopen(metadata_uri.rstrip("/") + "/task",
                                    timeout=timeout_s) as response:
            task = json.loads(response.read())
        mib = task["Limits"]["Memory"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("task metadata without a memory limit", extra={"error": str(exc)})
        return None
    return int(mib) * MIB if isinstance(mib, (int, float)) and mib > 0 else None


class TaskProtection:
    """Keeps the task protected while busy. `update(busy)` is cheap to call every tick."""

    def __init__(self, agent_uri: str | None, hold_cap_s: float, timeout_s: float = 2.0) -> None:
        self._url = agent_uri.rstrip("/") + STATE_PATH if agent_uri else None
        self._minutes = max(1, math.ceil(hold_cap_s / 60) + 5)
        self._timeout_s = timeout_s
        self._protected_until = 0.0  # monotonic; 0 = not protected

    def update(self, busy: bool) -> None:
        if not self._url:
            return
        now = time.monotonic()
        if busy and now > self._protected_until - self._minutes * 30:  # renew at half-life
            if self._put(True):
                self._protected_until = now + self._minutes * 60
        elif not busy and self._protected_until and self._put(False):
            self._protected_until = 0.0

    def release(self) -> None:
        if self._url and self._protected_until:
            self._put(False)
            self._protected_until = 0.0

    def _put(self, enabled: bool) -> bool:
        assert self._url is not None
        body: dict[str, object] = {"ProtectionEnabled": enabled}
        if enabled:
            body["ExpiresInMinutes"] = self._minutes
        request = urllib.request.Request(
            self._url, data=json.dumps(body).encode(), method="PUT",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                answer = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as exc:
            log.warning("task protection request failed", extra={"error": str(exc),
                                                                 "protect": enabled})
            return False
        if "failure" in answer or "error" in answer:
            log.warning("task protection refused", extra={"answer": answer, "protect": enabled})
            return False
        log.info("task protection set", extra={"protect": enabled})
        return True
