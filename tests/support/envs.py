"""Environment for worker subprocesses in tests: short timeouts so faults show quickly."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.landing import Landing


def fast_env(landing: Landing, out: Path, **overrides: str) -> dict[str, str]:
    base = {
        "OUTPUT_DIR": str(out),
        "VISIBILITY_TIMEOUT_SECONDS": "4",
        "SQS_WAIT_TIME_SECONDS": "1",
        "WORKER_CONCURRENCY": "2",
        "SHUTDOWN_BUDGET_SECONDS": "60",
        "RETRY_BACKOFF_BASE_SECONDS": "1",
        "RETRY_BACKOFF_MAX_SECONDS": "2",
        "HEALTH_FILE": str(out / "alive"),
        "TRACING": "off",
        "ENVIRONMENT": "test",
    }
    return landing.env(**{**base, **overrides})
