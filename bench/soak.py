"""`make soak`: many objects through S3 → EventBridge → SQS (moto) to several `cis-worker run`
processes and a real OpenSearch node, while workers are killed and restarted and the
endpoint and the node each go away for a while; then a verdict from the final state alone.

    python -m bench.soak [--objects 1000] [--workers 2] [--chaos-every 6] [--outage 30]

Everything listens on 127.0.0.1 only: moto (bench/soak_moto.py) and an OpenSearch node of
the soak's own on a free port, each behind a TCP forwarder (bench/soak_proxy.py) that the
soak takes down for the outage: connections refused and cut, state kept. (Stopping and
starting the JVM instead made an outage of 3+ minutes on a loaded 2-core machine: the
node's start alone took that long, so the outage could not be bounded.) The producer
uploads the mix of bench/soak_corpus.py at a steady pace, then overwrites and deletes some
keys, races one key (ten overwrites in a second) and a delete against an overwrite, and
sends the poison messages. Exit 0 when the verdict holds (bench/soak_check.py), 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import soak_check, soak_report
from bench.soak_corpus import SoakObject, make_objects, poison_messages
from bench.soak_fleet import Fleet
from bench.soak_proxy import Proxy
from tests.fixtures.landing import Landing, make_landing
from tests.fixtures.moto import AwsEnv, _wait_for, free_port
from tests.fixtures.opensearch import (
    TEST_DIMENSIONS,
    OpenSearchNode,
    own_node,
    start_node,
    unique_name,
)
from worker.models import SourceRef
from worker.search.admin import setup_index

RACE_KEY = "race/上書き 10回.txt"
DELETE_THEN_PUT = "race/削除→上書き.txt"
PUT_THEN_DELETE = "race/上書き→削除.txt"


@contextmanager
def soak_node() -> Iterator[OpenSearchNode]:
    """The node on OPENSEARCH_TEST_PORT when set (the soak never stops it: its outage is the
    forwarder's), else one of the soak's own on a free port, removed afterwards."""
    given = os.environ.get("OPENSEARCH_TEST_PORT")
    if given:
        yield start_node(int(given))[0]
        return
    with own_node() as node:
        yield node


@contextmanager
def soak_moto() -> Iterator[tuple[AwsEnv, int]]:
    import subprocess

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.soak_moto", "-H", "127.0.0.1",
                             "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}", proc)
        yield AwsEnv(endpoint=f"http://127.0.0.1:{port}"), port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Producer(threading.Thread):
    """Uploads, overwrites, deletes, races and poison, with the two outages on the way."""

    def __init__(self, landing: Landing, objects: list[SoakObject], pace_s: float,
                 outages: list[tuple[float, str]], outage_s: float,
                 proxies: dict[str, Proxy]) -> None:
        super().__init__(daemon=True)
        self.landing, self.objects, self.pace_s = landing, objects, pace_s
        self.outages, self.outage_s, self.proxies = outages, outage_s, proxies
        self.s3 = landing.aws.client("s3")
        self.events: list[str] = []
        self.error: BaseException | None = None

    def note(self, what: str) -> None:
        self.events.append(f"{time.strftime('%H:%M:%S')} {what}")
        print(f"soak: {what}", file=sys.stderr, flush=True)

    def put(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.landing.bucket, Key=key, Body=body)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # reported by the main thread
            self.error = exc

    def _run(self) -> None:
        rng = random.Random(11)
        pending = sorted(self.outages)
        started = time.monotonic()
        for number, item in enumerate(self.objects, 1):
            self.put(item.key, item.body)
            if pending and number >= pending[0][0] * len(self.objects):
                threading.Thread(target=self._outage, args=(pending.pop(0)[1],),
                                 daemon=True).start()
            time.sleep(self.pace_s)
        self.note(f"uploaded {len(self.objects)} objects in {time.monotonic() - started:.0f} s")
        changed = rng.sample(self.objects, max(1, len(self.objects) // 20))
        for item in changed:  # a second version of 5% of the keys
            self.put(item.key, item.body + b"\n" if item.kind in ("txt", "csv") else item.body)
        for item in rng.sample(self.objects, max(1, len(self.objects) // 33)):
            self.s3.delete_object(Bucket=self.landing.bucket, Key=item.key)
        self.note("overwrote 5% and deleted 3% of the keys")
        self._races()
        for body in poison_messages():
            self.landing.send(body)
        self.note("sent the poison messages")

    def _races(self) -> None:
        for n in range(10):  # ten overwrites of one key in one second
            self.put(RACE_KEY, f"第{n + 1}版 / version {n + 1}".encode())
            time.sleep(0.1)
        self.put(DELETE_THEN_PUT, "最初の版".encode())
        self.put(PUT_THEN_DELETE, "最初の版".encode())
        time.sleep(1.5)  # a worker may already hold the first version's event
        self.s3.delete_object(Bucket=self.landing.bucket, Key=DELETE_THEN_PUT)
        self.put(DELETE_THEN_PUT, "削除の後の版".encode())
        self.put(PUT_THEN_DELETE, "削除の前の版".encode())
        self.s3.delete_object(Bucket=self.landing.bucket, Key=PUT_THEN_DELETE)
        self.note("raced overwrites and deletes")

    def _outage(self, what: str) -> None:
        self.proxies[what].down()
        self.note(f"{what} down for {self.outage_s:.0f} s")
        time.sleep(self.outage_s)
        self.proxies[what].up()
        self.note(f"{what} back")


def worker_env(landing: Landing, proxies: dict[str, Proxy], alias: str) -> dict[str, str]:
    endpoint = proxies["endpoint"].url
    queue_url = landing.queue_url.replace(landing.aws.endpoint, endpoint)
    dlq_url = landing.dlq_url.replace(landing.aws.endpoint, endpoint)
    return {**AwsEnv(endpoint=endpoint).environ, "SQS_QUEUE_URL": queue_url,
            "SQS_DLQ_URL": dlq_url, "S3_LANDING_BUCKET": landing.bucket,
            "S3_THUMBNAIL_BUCKET": landing.thumbnails,
            "OPENSEARCH_ENDPOINT": proxies["OpenSearch"].url,
            "OPENSEARCH_INDEX": alias, "OPENSEARCH_AUTH": "none",
            "EMBEDDING_DIMENSIONS": str(TEST_DIMENSIONS), "WORKER_CONCURRENCY": "1",
            "VISIBILITY_TIMEOUT_SECONDS": "20", "SQS_WAIT_TIME_SECONDS": "2",
            "SHUTDOWN_BUDGET_SECONDS": "15", "RETRY_BACKOFF_BASE_SECONDS": "5",
            "RETRY_BACKOFF_MAX_SECONDS": "20", "TRACING": "off", "ENVIRONMENT": "soak"}


def chaos(fleet: Fleet, size: int, every_s: float, stop: threading.Event) -> None:
    rng = random.Random(12)
    while not stop.wait(rng.uniform(every_s * 0.5, every_s * 1.5)):
        fleet.restart_crashed()
        fleet.hit(rng.randrange(size), rng.choice([signal.SIGKILL, signal.SIGTERM]))


def wait_until_settled(landing: Landing, producer: Producer, fleet: Fleet,
                       deadline: float) -> bool:
    """True once the producer is done and the work queue stays empty for 10 s."""
    sqs = landing.aws.client("sqs")
    empty_since: float | None = None
    shown = 0.0
    while time.monotonic() < deadline:
        fleet.restart_crashed()
        depth = soak_check.queue_depth(sqs, landing.queue_url)
        if time.monotonic() - shown >= 30:
            shown = time.monotonic()
            done = sum(len(worker.logs("message done")) for worker in fleet.history)
            print(f"soak: {time.strftime('%H:%M:%S')} queue {depth}, messages done {done}, "
                  f"workers started {len(fleet.history)}", file=sys.stderr, flush=True)
        if producer.is_alive() or depth:
            empty_since = None
        elif empty_since is None:
            empty_since = time.monotonic()
        elif time.monotonic() - empty_since >= 10:
            return True
        time.sleep(2)
    return False


def run(args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="cis-soak-"))
    objects = make_objects(args.objects)
    with soak_moto() as (aws, moto_port), soak_node() as node:
        proxies = {"endpoint": Proxy(moto_port, free_port()),
                   "OpenSearch": Proxy(node.port, free_port())}
        for proxy in proxies.values():
            proxy.up()
        landing = make_landing(aws, max_receive=12)
        aws.client("s3").put_bucket_versioning(
            Bucket=landing.bucket, VersioningConfiguration={"Status": "Enabled"})
        alias = unique_name("soak")
        setup_index(node.settings(alias), client=node.client())
        fleet = Fleet(worker_env(landing, proxies, alias), args.workers, folder)
        stop_chaos = threading.Event()
        chaos_thread = threading.Thread(target=chaos, args=(fleet, args.workers,
                                                            args.chaos_every, stop_chaos),
                                        daemon=True)
        producer = Producer(landing, objects, args.pace,
                            [(0.25, "endpoint"), (0.6, "OpenSearch")], args.outage, proxies)
        started = time.monotonic()
        producer.start()
        chaos_thread.start()
        settled = wait_until_settled(landing, producer, fleet, started + args.timeout)
        seconds = time.monotonic() - started
        stop_chaos.set()
        chaos_thread.join(timeout=30)
        exit_codes = fleet.stop()
        leaked = fleet.leaked()
        for proxy in proxies.values():
            proxy.close()
        verdict = verify(landing, node, alias)
        (folder / "events.log").write_text("\n".join(producer.events) + "\n", encoding="utf-8")
        for n, worker in enumerate(fleet.history):
            (folder / f"worker-{n}.log").write_text("\n".join(worker.raw) + "\n", "utf-8")
        races = race_outcomes(landing, node, alias)
        print(soak_report.table(verdict, fleet, leaked, seconds, settled, exit_codes,
                                folder, races, producer.error))
        node.client().indices.delete(index=f"{alias}-v*", ignore_unavailable=True)
    ok = verdict.ok and settled and not leaked and producer.error is None and races.ok
    return 0 if ok else 1


def verify(landing: Landing, node: OpenSearchNode, alias: str) -> soak_check.Verdict:
    s3, sqs = landing.aws.client("s3"), landing.aws.client("sqs")
    verdict = soak_check.Verdict()
    current, deleted, verdict.versions = soak_check.current_objects(s3, landing.bucket)
    verdict.expected, verdict.deleted = len(current), len(deleted)
    soak_check.check_index(verdict, current, deleted, soak_check.indexed(node.client(), alias))
    verdict.queue_left = len(soak_check.drain(sqs, landing.queue_url))
    soak_check.check_dlq(verdict, soak_check.drain(sqs, landing.dlq_url), poison_messages())
    return verdict


def race_outcomes(landing: Landing, node: OpenSearchNode, alias: str) -> soak_report.Races:
    client = node.client()

    def document(key: str) -> dict[str, Any] | None:
        wanted = SourceRef(bucket=landing.bucket, key=key).document_id
        hits = client.search(index=alias, body={"query": {"ids": {"values": [wanted]}}})
        found = hits["hits"]["hits"]
        return found[0]["_source"] if found else None

    newest = document(RACE_KEY)
    return soak_report.Races(
        overwrite_content=(newest or {}).get("content", "").strip(),
        delete_then_put=(document(DELETE_THEN_PUT) or {}).get("content", "").strip(),
        put_then_delete_gone=document(PUT_THEN_DELETE) is None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chaos-every", type=float, default=15.0,
                        help="mean seconds between signals to a random worker")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds of each outage")
    parser.add_argument("--pace", type=float, default=0.2, help="seconds between uploads")
    parser.add_argument("--timeout", type=float, default=1500.0, help="seconds, at most")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
