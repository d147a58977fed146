#!/usr/bin/env bash
# The queue worker end to end on your machine, with no AWS account: a moto server plays S3,
# EventBridge and SQS; the samples are put into the landing bucket; `cis-worker run`
# processes them into out/queue-demo (OUTPUT_DIR, the dry run) and the thumbnail bucket.
#   bash scripts/queue-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh dev
bash scripts/venv.sh dev
export PATH="$PWD/.venv/bin:$PATH"

port="${MOTO_PORT:-5055}"
out="${OUT:-out/queue-demo}"
rm -rf "$out" && mkdir -p "$out"
python -m moto.server -H 127.0.0.1 -p "$port" >"$out/moto.log" 2>&1 &
moto_pid=$!
worker_pid=""
trap 'kill $worker_pid "$moto_pid" 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null; do sleep 0.2; done

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
export SQS_QUEUE_URL="$AWS_ENDPOINT_URL/123456789012/cis-files"
export SQS_DLQ_URL="$AWS_ENDPOINT_URL/123456789012/cis-files-dlq"
export S3_LANDING_BUCKET=landing S3_THUMBNAIL_BUCKET=thumbnails OUTPUT_DIR="$out"
export HEALTH_FILE="$out/alive" TRACING=off

# buckets with EventBridge notifications, the rule to the queue, the DLQ; then the samples
python - <<'PY'
from pathlib import Path
from tests.fixtures.landing import make_landing
from tests.fixtures.moto import AwsEnv
import os

landing = make_landing(AwsEnv(endpoint=os.environ["AWS_ENDPOINT_URL"]))
s3 = landing.aws.client("s3")
for path in sorted(Path("samples").iterdir()):
    if path.suffix != ".py":
        s3.put_object(Bucket=landing.bucket, Key=f"受信/{path.name}", Body=path.read_bytes())
        print("put s3://landing/受信/" + path.name)
PY

cis-worker run >"$out/worker.log" &
worker_pid=$!
python - <<'PY'
import boto3, os, time
sqs = boto3.client("sqs")
names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
while True:
    attrs = sqs.get_queue_attributes(QueueUrl=os.environ["SQS_QUEUE_URL"], AttributeNames=names)
    left = sum(int(v) for v in attrs["Attributes"].values())
    print(f"messages left: {left}")
    if left == 0:
        break
    time.sleep(2)
PY
kill -TERM "$worker_pid" && wait "$worker_pid"
echo "worker exited with $?; its JSON log and EMF lines: $out/worker.log"

python - <<'PY'
import boto3, json, os
from pathlib import Path
for path in sorted(Path(os.environ["OUTPUT_DIR"], "documents").glob("*.json")):
    doc = json.loads(path.read_text("utf-8"))
    text = doc["content"].replace("\n", " ")[:40]
    print(f"{doc['source']['key']:<28} {doc['status']:<9} {doc['page_count']} page(s)  {text}")
thumbs = boto3.client("s3").list_objects_v2(Bucket="thumbnails").get("Contents", [])
print(f"{len(thumbs)} thumbnails in s3://thumbnails/thumbnails/")
PY
