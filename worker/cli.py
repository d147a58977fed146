"""The `cis-worker` command line: the only place where errors become exit codes.

Each command reads its configuration, calls one function of the module that owns the work,
and turns a WorkerError into its exit code (0 done, 1 some files failed, 2 usage or
environment error). Implementation modules are imported inside the commands so that
`cis-worker process` never pays for boto3 or opensearch-py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from worker import __version__
from worker.config import Settings
from worker.errors import ConfigurationError, WorkerError

T = TypeVar("T")


def _guard(action: Callable[[], T]) -> T:
    """Run a command body; a WorkerError ends the process with its own exit code."""
    try:
        return action()
    except WorkerError as exc:
        click.echo(f"cis-worker: {exc.error_class} error ({exc.code}): {exc.reason}", err=True)
        sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cis-worker")
def cli() -> None:
    """cis-worker: text, thumbnails and embeddings for the company file search."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder for documents/, thumbnails/ and summary.json.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the CPUs available).")
@click.option("--lang", "languages", default=None, help="Tesseract languages (default jpn+eng).")
@click.option("--no-thumbnails", is_flag=True, help="Do not make thumbnails.")
def process(paths: tuple[Path, ...], out_dir: Path, jobs: int | None, languages: str | None,
            no_thumbnails: bool) -> None:
    """Process local files and folders (recursively) into OUT without any AWS."""
    from worker.batch import run_batch

    code = _guard(lambda: run_batch(list(paths), out_dir, jobs=jobs, languages=languages,
                                    thumbnails=not no_thumbnails))
    sys.exit(code)


@cli.command()
def run() -> None:
    """Run the queue worker (configuration from the environment)."""
    from worker.queue.runtime import run_worker

    sys.exit(_guard(lambda: run_worker(Settings.from_env())))


@cli.command()
def health() -> None:
    """Container health check: the worker loop is alive and Tesseract is present."""
    from worker.health import check_health

    sys.exit(_guard(lambda: check_health(Settings.from_env())))


@cli.command()
@click.option("--bucket", default=None,
              help="Bucket whose objects to enqueue (default: S3_LANDING_BUCKET).")
@click.option("--prefix", default="", help="Only keys under this prefix.")
@click.option("--start-after", default=None, help="Resume after this key.")
def backfill(bucket: str | None, prefix: str, start_after: str | None) -> None:
    """Enqueue events for objects already in a bucket."""
    from worker.backfill import backfill_bucket

    def run() -> int:
        settings = Settings.from_env()
        chosen = bucket or settings.s3_landing_bucket  # the task definition sets it
        if not chosen:
            raise ConfigurationError("missing required settings: --bucket or S3_LANDING_BUCKET")
        return backfill_bucket(settings, chosen, prefix, start_after)

    sys.exit(_guard(run))


@cli.command()
def redrive() -> None:
    """Move messages from the DLQ back to the queue (StartMessageMoveTask)."""
    from worker.redrive import redrive_dlq

    sys.exit(_guard(lambda: redrive_dlq(Settings.from_env())))


@cli.command("index-setup")
def index_setup() -> None:
    """Create or update the index template, the versioned index and the alias."""
    from worker.search.admin import setup_index

    sys.exit(_guard(lambda: setup_index(Settings.from_env())))


@cli.group()
def snapshot() -> None:
    """Snapshots of the index (the repository is registered by index-setup)."""


@snapshot.command("create")
@click.option("--name", default=None, help="Snapshot name (default: snapshot-<UTC time>).")
def snapshot_create(name: str | None) -> None:
    """Snapshot the indices behind the alias; prints the snapshot's name."""
    from worker.search.client import connect
    from worker.search.mapping import IndexDesign
    from worker.search.snapshots import take_snapshot

    def run() -> int:
        settings = Settings.from_env()
        print(take_snapshot(connect(settings), IndexDesign.from_settings(settings), name))
        return 0

    sys.exit(_guard(run))


@snapshot.command("restore")
@click.argument("name")
def snapshot_restore(name: str) -> None:
    """Restore snapshot NAME as restored-<index> and point the alias at it."""
    from worker.search.client import connect
    from worker.search.mapping import IndexDesign
    from worker.search.snapshots import restore_behind_alias

    def run() -> int:
        settings = Settings.from_env()
        restore_behind_alias(connect(settings), IndexDesign.from_settings(settings), name)
        return 0

    sys.exit(_guard(run))


@cli.command()
@click.argument("query")
@click.option("--semantic", is_flag=True, help="k-NN search on the query's embedding.")
@click.option("--size", default=10, show_default=True, type=click.IntRange(1, 100))
def search(query: str, semantic: bool, size: int) -> None:
    """Print the top hits for QUERY with highlighted snippets."""
    from worker.search.admin import search_index

    sys.exit(_guard(lambda: search_index(Settings.from_env(), query, semantic=semantic,
                                         size=size)))


def main() -> None:
    cli(prog_name="cis-worker")
