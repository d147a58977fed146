#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine (root): installs the system
# packages and the Python environment, checks style and types, then runs pytest. The
# services the tests need (moto server, OpenSearch node, Docker engine) are started by the
# test fixtures in tests/conftest.py, through the scripts next to this one.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh dev
bash scripts/venv.sh dev
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff"; ruff check .
echo "== mypy"; mypy
echo "== pytest"; pytest "$@"
