#!/usr/bin/env bash
# Creates .venv and installs cis-worker into it (editable), with the dev extras by default.
#   venv.sh [dev|runtime]
# Reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-dev}"
venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"

target="."
[ "$extras" = dev ] && target=".[dev]"
stamp="$venv/.installed-$extras"
digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi
log="$venv/pip-install.log"
echo "installing cis-worker into $venv ($extras)"
if ! { "$venv/bin/python" -m pip install -q --upgrade pip &&
       "$venv/bin/python" -m pip install -q -e "$target"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
echo "$digest" > "$stamp"
