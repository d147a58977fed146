"""The options the queue worker's pool processes extract with (worker/composition.py)."""

from __future__ import annotations

from worker.composition import build_options
from worker.config import Settings


def settings(**env: str) -> Settings:
    return Settings.from_env({"SQS_QUEUE_URL": "memory://q", "OUTPUT_DIR": "/tmp/x", **env})


def test_no_thumbnail_bucket_means_no_thumbnails() -> None:
    assert build_options(settings()).thumbnails is False
    assert build_options(settings(S3_THUMBNAIL_BUCKET="thumbs")).thumbnails is True


def test_the_file_budget_ends_before_the_hard_cap() -> None:
    """Past its budget a file is `partial`; the cap (a kill, `too-slow`) is the backstop."""
    assert build_options(settings()).file_budget_s == 1800  # 80% of 2400 is 1920
    tight = settings(MESSAGE_HOLD_CAP_SECONDS="600", FILE_BUDGET_SECONDS="1800")
    assert build_options(tight).file_budget_s == 480
