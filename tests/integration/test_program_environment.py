"""Child programs start with a minimal environment: the worker's secrets never reach them.

The worker's own environment holds AWS credentials and OPENSEARCH_PASSWORD; Tesseract and
poppler parse untrusted files. These tests plant secrets in the worker's environment, run
the real programs through the one runner (worker/extraction/programs.py) and look at what
the child saw: a `tesseract` first on PATH that writes its environment to a file and then
execs the real Tesseract, which must still read the Japanese page.
"""

from __future__ import annotations

import dataclasses
import shutil
import stat
from pathlib import Path

import pytest

from tests.fixtures.japanese_pages import character_error_rate
from worker.extraction.ocr.plan import ocr_image_file
from worker.extraction.options import ExtractionOptions
from worker.extraction.programs import CHILD_ENVIRONMENT, child_environment, run_program

SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAPLANTEDPLANTED00",
    "AWS_SECRET_ACCESS_KEY": "planted-secret-access-key",
    "AWS_SESSION_TOKEN": "planted-session-token",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/planted",
    "OPENSEARCH_PASSWORD": "planted-opensearch-password",
    "OPENSEARCH_USERNAME": "planted-user",
    "SQS_QUEUE_URL": "https://sqs.ap-northeast-1.amazonaws.com/123456789012/planted",
}


def _environ_of(dump: bytes) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in dump.decode().splitlines() if "=" in line)
    return dict(pairs)


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    return SECRETS


def test_the_runner_passes_only_the_allowed_names(planted: dict[str, str]) -> None:
    finished = run_program(["env"], timeout_s=10)
    seen = _environ_of(finished.stdout)

    assert finished.returncode == 0
    assert not set(planted) & set(seen), set(planted) & set(seen)
    assert not [v for v in seen.values() if "planted" in v]
    assert set(seen) <= set(CHILD_ENVIRONMENT)
    assert seen["OMP_THREAD_LIMIT"] == "1" and seen["LANG"]


def test_a_wrapper_adds_what_it_names_and_nothing_more() -> None:
    env = child_environment({"OMP_THREAD_LIMIT": "2"},
                            parent={"PATH": "/usr/bin", "OPENSEARCH_PASSWORD": "x", "HOME": "/h"})
    assert env == {"PATH": "/usr/bin", "HOME": "/h", "LANG": "C.UTF-8", "OMP_THREAD_LIMIT": "2"}


def test_real_tesseract_reads_the_page_without_the_secrets(
        planted: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        page_images: dict[str, tuple[Path, str]]) -> None:
    real = shutil.which("tesseract")
    assert real, "tesseract is not installed (scripts/install-system-deps.sh runtime)"
    shim_dir = tmp_path / "bin"
    shim_dir.mkdir()
    dumps = tmp_path / "seen"
    dumps.mkdir()
    shim = shim_dir / "tesseract"
    # the dump folder is written into the script: an environment variable would not get there
    shim.write_text(f'#!/bin/sh\nenv > "{dumps}/env.$$"\nexec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{shim_dir}:{Path(real).parent}")
    image, printed = page_images["horizontal"]
    options = dataclasses.replace(ExtractionOptions(), detect_orientation=False)

    result = ocr_image_file(image, options, dpi=300)

    assert character_error_rate(printed, result.text) <= 0.01  # the real Tesseract read it
    seen = [_environ_of(path.read_bytes()) for path in sorted(dumps.iterdir())]
    assert seen, "the tesseract on PATH was not the one that ran"
    for environ in seen:
        assert not set(planted) & set(environ), set(planted) & set(environ)
        assert not [v for v in environ.values() if "planted" in v]
        assert environ["OMP_THREAD_LIMIT"] == str(options.tesseract_threads)
        assert environ["TMPDIR"] == str(tmp_path)
