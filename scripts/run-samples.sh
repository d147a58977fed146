#!/usr/bin/env bash
# The main job on a fresh machine: install what is needed, process samples/ into out/,
# print the summary table.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh runtime
bash scripts/venv.sh runtime
exec .venv/bin/cis-worker process samples --out "${OUT:-out}"
