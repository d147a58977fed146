"""The image as operators and developers use it: built by a real Docker engine, run on the
samples with no AWS at all, as a non-root user, on a read-only root file system."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from templates.images import WORKER_USER
from tests.fixtures.docker import Image

pytestmark = [pytest.mark.integration, pytest.mark.docker]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# A word each sample's extracted text must contain (three of them only through OCR), by
# file name or, for a member or attachment, by container path.
EXPECTED_WORDS = {
    "請求書_born-digital.pdf": "請求書",
    "見積書_scan.pdf": "見積書",
    "領収書_photo.jpg": "領収書",
    "議事録.docx": "議事録",
    "売上集計.xlsx": "売上",
    "取引先一覧.csv": "取引先",
    "見積依頼.eml": "請求書送付",
    "見積依頼.eml/請求書_born-digital.pdf": "請求書",
    "書類一式.zip": "見積書_scan.pdf",  # the listing of its members
    "書類一式.zip/2024年度/見積書_scan.pdf": "見積書",
    "書類一式.zip/議事録.docx": "議事録",
    "掲示物_iphone.heic": "社内掲示",
    "議事録_Word97.doc": "営業会議",  # legacy Office and RTF: LibreOffice in the image,
    "売上集計_Excel97.xls": "売上明細",  # under the read-only root and a non-root user
    "新製品発表_PowerPoint97.ppt": "新製品発表会",
    "稟議書.rtf": "稟議書",
}
OCR_SAMPLES = {"見積書_scan.pdf", "領収書_photo.jpg", "掲示物_iphone.heic",
               "書類一式.zip/2024年度/見積書_scan.pdf"}
SAMPLES_RO = f"{SAMPLES}:/in:ro"


def _documents(image: Image, volume: str) -> dict[str, dict[str, object]]:
    listing = image.run("-c", "cat /out/documents/*.json | tr '\\n' ' '; echo",
                        options=["-v", f"{volume}:/out:ro"], entrypoint="sh")
    assert listing.returncode == 0, listing.stderr
    decoder, text, found = json.JSONDecoder(), listing.stdout.strip(), {}
    while text:
        document, end = decoder.raw_decode(text)
        found[str(document.get("container_path") or document["file_name"])] = document
        text = text[end:].strip()
    return found


def _process(image: Image, volume: str, *options: str) -> None:
    result = image.run("process", "/in", "--out", "/out",
                       options=["-v", SAMPLES_RO, "-v", f"{volume}:/out", *options])
    assert result.returncode == 0, result.stdout + result.stderr


def _check_outputs(image: Image, volume: str) -> None:
    summary = json.loads(image.read(volume, "/out/summary.json"))
    assert summary["counts"] == {"complete": len(EXPECTED_WORDS), "partial": 0, "failed": 0}
    documents = _documents(image, volume)
    assert set(documents) == set(EXPECTED_WORDS)
    for name, word in EXPECTED_WORDS.items():
        assert word in str(documents[name]["content"]), name
        methods = {page["method"] for page in documents[name]["pages"]}  # type: ignore[attr-defined]
        assert ("ocr" in methods) == (name in OCR_SAMPLES), (name, methods)


def test_processes_the_samples_into_a_named_volume(docker_image: Image,
                                                   docker_volume: str) -> None:
    _process(docker_image, docker_volume)
    _check_outputs(docker_image, docker_volume)


def test_read_only_root_with_a_tmpfs_scratch(docker_image: Image, docker_volume: str) -> None:
    _process(docker_image, docker_volume, "--read-only", "--tmpfs", "/tmp")
    _check_outputs(docker_image, docker_volume)


def test_read_only_root_is_really_read_only(docker_image: Image) -> None:
    """The control for the test above: without the scratch, nothing in the image is
    writable, so that test passing means every write went to /tmp."""
    result = docker_image.run("-c", "touch /tmp/x || touch /opt/venv/x || touch /x",
                              options=["--read-only"], entrypoint="sh")
    assert result.returncode != 0
    assert "Read-only file system" in result.stderr


def test_runs_as_a_numeric_non_root_user(docker_image: Image) -> None:
    assert docker_image.inspect()["Config"]["User"] == WORKER_USER  # type: ignore[index]
    ids = docker_image.run("-u", entrypoint="id")
    assert ids.returncode == 0 and ids.stdout.strip() == WORKER_USER.split(":")[0]


def test_bind_mounted_output_as_the_calling_user(docker_image: Image, tmp_path: Path) -> None:
    """What a developer runs: a host folder for the output, written as their own user."""
    out = tmp_path / "out"
    out.mkdir()
    user = f"{os.getuid()}:{os.getgid()}"
    result = docker_image.run("process", "/in", "--out", "/out", "--no-thumbnails",
                              options=["--user", user, "-v", SAMPLES_RO, "-v", f"{out}:/out"])
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["complete"] == len(EXPECTED_WORDS)
    assert len(list((out / "documents").glob("*.json"))) == len(EXPECTED_WORDS)


def test_image_contract(docker_image: Image) -> None:
    config = docker_image.inspect()["Config"]
    assert config["Entrypoint"] == ["cis-worker"]  # type: ignore[index]
    assert config["Cmd"] == ["run"]  # type: ignore[index]
    assert config["Healthcheck"]["Test"] == ["CMD", "cis-worker", "health"]  # type: ignore[index]
    assert "OMP_THREAD_LIMIT=1" in config["Env"]  # type: ignore[index]
    langs = docker_image.run("--list-langs", entrypoint="tesseract")
    assert {"jpn", "jpn_vert", "eng", "osd"} <= set(langs.stdout.split())


def _certificates(pem: str) -> set[str]:
    return set(re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem,
                          flags=re.S))


def test_build_ca_bundle_is_not_baked_in(docker_image: Image) -> None:
    """The CA bundle given to the build as a secret is not in the image: no secret file,
    no local CA, and none of this machine's own CAs (a TLS-inspecting proxy's, here) in the
    image's trust store."""
    assert docker_image.run("-e", "/run/secrets/ca-bundle", entrypoint="test").returncode != 0
    local = docker_image.run("-A", "/usr/local/share/ca-certificates", entrypoint="ls")
    assert local.returncode == 0 and local.stdout.strip() == ""
    trusted = docker_image.run("/etc/ssl/certs/ca-certificates.crt", entrypoint="cat")
    assert trusted.returncode == 0
    image_certs = _certificates(trusted.stdout)
    for own in Path("/usr/local/share/ca-certificates").glob("**/*.crt"):
        assert not (_certificates(own.read_text(errors="replace")) & image_certs), own
