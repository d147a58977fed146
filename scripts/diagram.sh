#!/usr/bin/env bash
# Draws docs/architecture.png from docs/architecture.py. Graphviz comes from
# install-system-deps.sh (profile docs); the `diagrams` package lives in its own .venv-docs
# (a docs-only tool, kept out of the project's environments).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh docs
venv=.venv-docs
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import diagrams" 2>/dev/null || "$venv/bin/python" -m pip install -q "diagrams==0.25.1"
"$venv/bin/python" docs/architecture.py
echo "docs/architecture.png"
