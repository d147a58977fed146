"""The SQS adapter against moto: batches answer per entry, and failures are reported."""

from __future__ import annotations

import pytest

from tests.fixtures.moto import AwsEnv
from worker.adapters import aws as aws_clients
from worker.adapters.sqs import ReceivedMessage, SqsQueue
from worker.config import Settings
from worker.errors import ConfigurationError

pytestmark = pytest.mark.integration  # moto server


def test_batches_report_failed_entries_and_receive_counts(aws: AwsEnv) -> None:
    url = aws.client("sqs").create_queue(QueueName="q")["QueueUrl"]
    queue = SqsQueue(aws_clients.client("sqs", Settings.from_env()), url)
    assert queue.send([f"body {i}" for i in range(23)]) == []
    first = queue.receive(10, wait_s=1, visibility_s=30)
    assert len(first) == 10 and {m.receive_count for m in first} == {1}
    assert first[0].sent_at is not None
    bogus = ReceivedMessage("not-a-message", "bogus-receipt", "", 1, None)
    failures = queue.delete([*first, bogus])
    assert [f.message_id for f in failures] == ["not-a-message"]
    again = queue.receive(10, wait_s=1, visibility_s=0)
    assert queue.change_visibility(again, 0) == []
    assert max(m.receive_count for m in queue.receive(10, wait_s=1, visibility_s=30)) == 2


def test_a_queue_that_does_not_exist_is_a_configuration_error(aws: AwsEnv) -> None:
    queue = SqsQueue(aws_clients.client("sqs", Settings.from_env()),
                     f"{aws.endpoint}/123456789012/missing")
    with pytest.raises(ConfigurationError, match="cannot receive"):
        queue.receive(1, wait_s=0, visibility_s=1)
