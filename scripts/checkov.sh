#!/usr/bin/env bash
# Runs checkov on the generated templates from its own virtual environment (.venv-checkov):
# checkov pins an old boto3 that would fight the project's own. It is installed from
# requirements/checkov.txt (hash-pinned by scripts/lock.sh from the version below).
#   checkov.sh [DIR] [checkov options...]     DIR defaults to build/cfn
# Exit status is checkov's: non-zero when a check fails. Skips live in each resource's
# Metadata (templates/metadata.py), each with its justification.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/tool-venv.sh
. scripts/lib/tool-venv.sh

version="3.3.30"
venv="${CHECKOV_VENV:-.venv-checkov}"
tool_venv "$venv" "$("$venv/bin/checkov" --version 2>/dev/null)" "$version" \
  --require-hashes --no-deps -r requirements/checkov.txt

dir="${1:-build/cfn}"
shift || true
# --skip-download: no call to the vendor's platform (it is unreachable, and not needed).
exec "$venv/bin/checkov" --directory "$dir" --framework cloudformation --skip-download \
  --compact "$@"
