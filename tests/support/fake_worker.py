"""`python -m tests.support.fake_worker`: the real queue worker (runtime, pool, S3, SQS,
signals) with the fake extractor and sink of tests/support/fakes.py."""

import sys

from tests.support.fakes import build_fake_service
from worker.cli import _guard
from worker.config import Settings
from worker.queue.runtime import run_worker

if __name__ == "__main__":
    sys.exit(_guard(lambda: run_worker(Settings.from_env(), factory=build_fake_service)))
