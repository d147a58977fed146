#!/usr/bin/env bash
# The queue worker end to end on your machine, with no AWS account: a moto server plays S3,
# EventBridge and SQS; the samples are put into the landing bucket; `cis-worker run`
# processes them into out/queue-demo (OUTPUT_DIR, the dry run) and the thumbnail bucket.
#   bash scripts/queue-demo.sh
# The moto server and the AWS wiring are the test fixtures' own (tests/fixtures/moto.py,
# tests/fixtures/landing.py): a free port, a bounded start, the production event wiring.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh dev
bash scripts/venv.sh dev

OUT="${OUT:-out/queue-demo}" exec .venv/bin/python - <<'PY'
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.fixtures.landing import make_landing
from tests.fixtures.moto import running_moto_server

out = Path(os.environ["OUT"])
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
with running_moto_server() as aws:
    # buckets with EventBridge notifications, the rule to the queue, the DLQ; then the samples
    landing = make_landing(aws)
    s3 = aws.client("s3")
    for path in sorted(Path("samples").iterdir()):
        if path.suffix != ".py":
            s3.put_object(Bucket=landing.bucket, Key=f"受信/{path.name}", Body=path.read_bytes())
            print(f"put s3://{landing.bucket}/受信/{path.name}")

    env = {**os.environ, **landing.env(OUTPUT_DIR=str(out), HEALTH_FILE=str(out / "alive"),
                                       TRACING="off")}
    with open(out / "worker.log", "wb") as log:
        worker = subprocess.Popen([".venv/bin/cis-worker", "run"], env=env, stdout=log)
        while (left := landing.count()) and worker.poll() is None:
            print(f"messages left: {left}")
            time.sleep(2)
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
        code = worker.wait()
    print(f"worker exited with {code}; its JSON log and EMF lines: {out}/worker.log")

    for path in sorted((out / "documents").glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        text = doc["content"].replace("\n", " ")[:40]
        print(f"{doc['source']['key']:<28} {doc['status']:<9} {doc['page_count']} page(s)  {text}")
    thumbs = s3.list_objects_v2(Bucket=landing.thumbnails).get("Contents", [])
    print(f"{len(thumbs)} thumbnails in s3://{landing.thumbnails}/thumbnails/")
    raise SystemExit(code or (1 if left else 0))
PY
