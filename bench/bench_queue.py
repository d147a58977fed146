"""Queue worker throughput: messages per minute through `cis-worker run` on moto, against
the local processing rate (`cis-worker process` on the same files) measured in the same run.

Two loads, each with a pre-filled queue (S3 → EventBridge → SQS on a moto server) and the
worker started as a subprocess with WORKER_CONCURRENCY = the CPUs:
- small text files: what the queue, S3 and output cost per message (the overhead);
- scanned pages (the samples' image-only quotation): OCR-bound; the ratio to the local rate
  says how much of the processing capacity the queue machinery leaves.

Part of `python -m bench` (or `python -m bench queue`, or alone: `python -m bench.bench_queue`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.table import Row, render
from tests.fixtures.landing import make_landing
from tests.fixtures.moto import AwsEnv, running_moto_server
from tests.fixtures.worker_process import REPO, WorkerProcess
from worker.extraction.options import default_jobs

SMALL_FILES = 120
SCANS = 10


def _files(folder: Path, kind: str, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    scan = (REPO / "samples" / "見積書_scan.pdf").read_bytes() if kind == "scan" else b""
    paths = []
    for i in range(count):
        path = folder / (f"scan-{i:03d}.pdf" if kind == "scan" else f"note-{i:04d}.txt")
        path.write_bytes(scan or f"メモ {i}: 会議室の予約を確認しました。\n".encode())
        paths.append(path)
    return paths


def _seconds(line: dict[str, object]) -> float:
    return datetime.fromisoformat(str(line["timestamp"])).timestamp()


def queue_rate(aws: AwsEnv, files: list[Path], out: Path) -> tuple[float, float]:
    """Messages per minute: from the worker's start until the last message is done, and
    from its first receive (without the start-up: pool processes, clients)."""
    aws.reset()
    landing = make_landing(aws)
    s3 = aws.client("s3")
    for path in files:
        s3.put_object(Bucket=landing.bucket, Key=f"bench/{path.name}", Body=path.read_bytes())
    env = landing.env(OUTPUT_DIR=str(out), VISIBILITY_TIMEOUT_SECONDS="120",
                      SQS_WAIT_TIME_SECONDS="1", WORKER_CONCURRENCY=str(default_jobs()),
                      TRACING="off", LOG_LEVEL="INFO", HEALTH_FILE=str(out / "alive"))
    started = time.perf_counter()
    worker = WorkerProcess([sys.executable, "-m", "worker", "run"], env)
    try:
        worker.wait_for(lambda: sum(len(line["outcomes"]) for line in worker.logs(
            "message done")) >= len(files), "all messages", timeout_s=1800)
        elapsed = time.perf_counter() - started
        first = _seconds(worker.logs("message received")[0])
        last = _seconds(worker.logs("message done")[-1])
    finally:
        worker.stop()
    return len(files) * 60.0 / elapsed, len(files) * 60.0 / (last - first)


def local_rate(files: list[Path], out: Path) -> float:
    """Files per minute through `cis-worker process` on the same files and processes."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "worker", "process", str(files[0].parent), "--out",
                    str(out), "--jobs", str(default_jobs())], cwd=REPO, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return len(files) * 60.0 / (time.perf_counter() - started)


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp, running_moto_server() as aws:
        root = Path(tmp)
        for kind, count in (("small", SMALL_FILES), ("scan", SCANS)):
            files = _files(root / kind / "in", kind, count)
            local = local_rate(files, root / kind / "local")
            queued, steady = queue_rate(aws, files, root / kind / "queue")
            label = "small text files" if kind == "small" else "scanned pages (OCR)"
            baseline = f"{local:.1f} files/min cis-worker process"
            target = ">= 0.8" if kind == "scan" else ""
            rows += [
                Row(f"queue: {label}", f"{queued:.1f} messages/min", baseline,
                    round(queued / local, 2), target,
                    f"{count} messages, cis-worker run on moto, {default_jobs()} processes; "
                    "start-up counted on both sides"),
                Row(f"queue: {label}, after start-up", f"{steady:.1f} messages/min", baseline,
                    round(steady / local, 2), "", "first receive to last delete"),
            ]
    return rows


if __name__ == "__main__":
    print(render(run()))
