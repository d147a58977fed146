"""`cis-worker backfill` and `cis-worker redrive` against moto (real subprocesses), and the
StartMessageMoveTask path that moto does not implement, checked against botocore's model."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from botocore.stub import Stubber

from tests.fixtures.landing import make_landing
from tests.fixtures.moto import AwsEnv
from tests.fixtures.worker_process import run_cli
from worker.adapters import aws as aws_clients
from worker.config import Settings
from worker.messages import parse_body
from worker.redrive import _follow

pytestmark = pytest.mark.integration  # moto server

OBJECTS = 300


def test_backfill_enqueues_every_object_exactly_once_and_resumes(aws: AwsEnv) -> None:
    landing = make_landing(aws, eventbridge=False)  # only the backfill's events on the queue
    s3 = aws.client("s3")
    keys = [f"docs/{i:04d} 書類 {'+' if i % 7 == 0 else ''}.txt" for i in range(OBJECTS)]
    for key in keys:
        s3.put_object(Bucket=landing.bucket, Key=key, Body=b"x")
    s3.put_object(Bucket=landing.bucket, Key="other/skip.txt", Body=b"x")
    env = landing.env()
    done = run_cli(["backfill", "--bucket", landing.bucket, "--prefix", "docs/"], env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])
    assert summary["enqueued"] == OBJECTS and summary["last_key"] == sorted(keys)[-1]
    messages = landing.receive_all()
    events = [event for m in messages for event in parse_body(m["Body"])]
    counted = Counter(event.source.key for event in events)
    assert set(counted) == set(keys) and set(counted.values()) == {1}
    assert {event.kind for event in events} == {"created"}

    resume_after = sorted(keys)[99]
    again = run_cli(["backfill", "--bucket", landing.bucket, "--prefix", "docs/",
                     "--start-after", resume_after], env)
    assert again.returncode == 0, again.stderr
    rest = [parse_body(m["Body"])[0].source.key for m in landing.receive_all()]
    assert sorted(rest) == sorted(keys)[100:]


def test_redrive_reports_moto_lacks_the_move_task_api_and_moves_by_hand(aws: AwsEnv) -> None:
    landing = make_landing(aws, eventbridge=False)
    sqs = aws.client("sqs")
    for i in range(12):
        sqs.send_message(QueueUrl=landing.dlq_url, MessageBody=f"dead {i}")
    # SQS_DLQ_URL unset: the DLQ is found through the queue's redrive policy
    env = {k: v for k, v in landing.env().items() if k != "SQS_DLQ_URL"}
    moved = run_cli(["redrive"], env)
    assert moved.returncode == 0, moved.stderr
    assert "StartMessageMoveTask is not available here" in moved.stderr
    assert json.loads(moved.stdout.splitlines()[-1]) == {
        "status": "COMPLETED", "moved": 12, "method": "receive-send"}
    assert sorted(m["Body"] for m in landing.receive_all()) == sorted(
        f"dead {i}" for i in range(12))
    assert landing.count(landing.dlq_url) == 0


def test_move_task_progress_is_followed_until_it_completes(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """moto 5.2 has no ListMessageMoveTasks: the request and response shapes are checked by
    botocore's Stubber against the SQS service model instead."""
    sqs = aws_clients.client("sqs", Settings.from_env({"AWS_REGION": "ap-northeast-1"}))
    dlq_arn = "arn:aws:sqs:ap-northeast-1:123456789012:cis-files-dlq"
    with Stubber(sqs) as stub:
        for status, moved in (("RUNNING", 4), ("COMPLETED", 10)):
            stub.add_response("list_message_move_tasks", {"Results": [{
                "Status": status, "SourceArn": dlq_arn, "ApproximateNumberOfMessagesMoved": moved,
                "ApproximateNumberOfMessagesToMove": 10}]},
                {"SourceArn": dlq_arn, "MaxResults": 1})
        progress: list[str] = []
        assert _follow(sqs, dlq_arn, 0.0, progress.append) == 0
        stub.assert_no_pending_responses()
    assert progress == ["redrive: RUNNING 4/10 moved", "redrive: COMPLETED 10/10 moved"]
    assert json.loads(capsys.readouterr().out)["moved"] == 10
