"""What the worker tells operators: X-Ray segments (caught by a UDP listener), EMF metric
lines and JSON logs on stdout, task protection requests to the ECS agent endpoint, and the
health check."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.fixtures.landing import Landing
from tests.fixtures.worker_process import run_cli
from tests.fixtures.xray import XRayListener
from tests.integration.test_worker_faults import put
from tests.support.envs import fast_env
from worker import metric_names

pytestmark = pytest.mark.integration  # moto server


def subsegment_names(segment: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for sub in segment.get("subsegments", []):
        names.add(sub["name"])
        names |= subsegment_names(sub)
    return names


def test_one_xray_segment_per_message_with_its_steps(landing: Landing, start_worker,
                                                     tmp_path: Path,
                                                     xray_listener: XRayListener) -> None:
    (tmp_path / "sink-down").write_text("1")  # the first attempt meets a transient error
    put(landing, "traced.pdf", "トレース")
    worker = start_worker(fast_env(landing, tmp_path, TRACING="on",
                                   AWS_XRAY_DAEMON_ADDRESS=xray_listener.address), fake=True)
    [done] = worker.wait_for_log("message done")

    def segments() -> list[dict[str, Any]]:
        return [s for s in xray_listener.received() if s.get("name") == "cis-worker"]

    worker.wait_for(lambda: len(segments()) == 2, "a segment per attempt")
    failed, succeeded = sorted(segments(), key=lambda s: s["annotations"]["receive_count"])
    for segment in (failed, succeeded):
        assert segment["annotations"]["message_id"] == done["message_id"]
        assert {"download", "extract", "thumbnail", "index"} <= subsegment_names(segment)
        assert "s3" in subsegment_names(segment)  # boto3 is patched: HeadObject, GetObject…
    assert failed.get("fault") is True
    assert failed["annotations"]["error_code"] == "service-unavailable"
    assert "fault" not in succeeded and "error" not in succeeded


def test_emf_lines_and_json_logs_on_stdout(landing: Landing, start_worker,
                                           tmp_path: Path) -> None:
    put(landing, "counted.txt", "数える")
    secret = "wJalrXUtnFEMI-never-logged"
    worker = start_worker(fast_env(landing, tmp_path, ENVIRONMENT="staging",
                                   AWS_SECRET_ACCESS_KEY=secret), fake=True)
    [done] = worker.wait_for_log("message done")
    [emf] = [m for m in worker.metrics() if metric_names.FILES_PROCESSED in m]
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == metric_names.NAMESPACE
    assert directive["Dimensions"] == [[metric_names.DIMENSION_ENVIRONMENT]]
    assert emf["Environment"] == "staging"
    assert emf[metric_names.FILES_PROCESSED] == [1.0]
    assert emf[metric_names.BYTES_DOWNLOADED] == [float(len("数える".encode()))]
    assert {metric_names.PROCESSING_TIME, metric_names.EVENT_AGE} <= {
        m["Name"] for m in directive["Metrics"]}
    written = worker.logs("document written")[0]
    assert written["key"] == "counted.txt" and written["bucket"] == landing.bucket
    assert {"document_id", "message_id", "receive_count", "level", "timestamp"} <= set(written)
    assert done["level"] == "INFO"
    assert not [line for line in worker.raw if secret in line]


class AgentHandler(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_PUT(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        AgentHandler.calls.append((self.path, body))
        answer = json.dumps({"protection": {"ProtectionEnabled": body["ProtectionEnabled"]}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ecs_agent() -> Iterator[str]:
    """An HTTP listener where the ECS agent's task protection endpoint would be."""
    AgentHandler.calls = []
    server = HTTPServer(("127.0.0.1", 0), AgentHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_task_protected_while_busy_and_unprotected_when_idle(landing: Landing, start_worker,
                                                             tmp_path: Path,
                                                             ecs_agent: str) -> None:
    put(landing, "long.txt", "wait-for go")
    worker = start_worker(fast_env(landing, tmp_path, ECS_AGENT_URI=ecs_agent), fake=True)
    worker.wait_for(lambda: (tmp_path / "go.started").exists(), "the file to start")
    worker.wait_for(lambda: len(AgentHandler.calls) >= 1, "a protection request")
    path, first = AgentHandler.calls[0]
    assert path == "/task-protection/v1/state"
    assert first["ProtectionEnabled"] is True and first["ExpiresInMinutes"] >= 1
    (tmp_path / "go").touch()
    worker.wait_for(lambda: any(not c[1]["ProtectionEnabled"] for c in AgentHandler.calls),
                    "the protection to be dropped")
    assert worker.logs("message done")


def test_health_check_follows_the_loop(landing: Landing, start_worker, tmp_path: Path) -> None:
    env = fast_env(landing, tmp_path)
    assert run_cli(["health"], env).returncode == 1  # no loop yet
    worker = start_worker(env, fake=True)
    worker.wait_for(lambda: (tmp_path / "alive").exists(), "the first beat")
    checked = run_cli(["health"], env)
    assert checked.returncode == 0, checked.stderr
    worker.stop()
    stale = run_cli(["health"], {**env, "HEALTH_MAX_AGE_SECONDS": "0"})
    assert stale.returncode == 1 and "stuck" in stale.stderr
