#!/usr/bin/env bash
# Writes the SBOMs of a built image (CycloneDX JSON), the build's artifacts:
#   sbom.sh IMAGE [OUT_DIR]      (OUT_DIR defaults to build/sbom)
#
#   OUT_DIR/python.cdx.json   the image's Python environment, from requirements/runtime.txt:
#                             the lock the image installs with --require-hashes, so it lists
#                             exactly what is in /opt/venv, hashes included (cyclonedx-py,
#                             from .venv: scripts/venv.sh dev)
#   OUT_DIR/image.cdx.json    the whole image: Debian packages, the Python packages, the
#                             base (syft, reading the image from the Docker engine)
#
# syft is a Go program with no Debian or PyPI package: when it is not on PATH it is built at
# the pinned version with `go install` (modules verified against the Go checksum database)
# into build/tools. CodeBuild's standard image has Go; SYFT=/path/to/syft uses another.
set -euo pipefail
cd "$(dirname "$0")/.."

image="${1:?usage: sbom.sh IMAGE [OUT_DIR]}"
out="${2:-build/sbom}"
syft_version="v1.57.2"
mkdir -p "$out"

.venv/bin/cyclonedx-py requirements requirements/runtime.txt --of JSON \
  --output-reproducible -o "$out/python.cdx.json"
echo "$out/python.cdx.json"

syft="${SYFT:-$(command -v syft || true)}"
if [ -z "$syft" ]; then
  tools="$PWD/build/tools"
  if [ ! -x "$tools/syft" ]; then
    echo "building syft $syft_version (go install)" >&2
    GOBIN="$tools" go install "github.com/anchore/syft/cmd/syft@$syft_version" >&2
  fi
  syft="$tools/syft"
fi
"$syft" scan "docker:$image" --quiet -o "cyclonedx-json=$out/image.cdx.json"
echo "$out/image.cdx.json"
