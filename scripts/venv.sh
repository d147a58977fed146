#!/usr/bin/env bash
# Creates .venv and installs cis-worker into it (editable), with the dev extras by default.
#   venv.sh [dev|runtime]
# Dependencies come only from the lock file requirements/<dev|runtime>.txt, every one pinned
# and checked against its sha256 (pip --require-hashes); the project itself is installed
# after, with --no-deps and no build isolation (its build backend is in the lock too). After
# changing dependencies in pyproject.toml, run `make lock` (scripts/lock.sh) first.
# Reinstalls only when pyproject.toml or the lock changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-dev}"
case "$extras" in dev | runtime) ;; *) echo "usage: $0 [dev|runtime]" >&2; exit 2 ;; esac
venv="${VENV:-.venv}"
lock="requirements/$extras.txt"
[ -f "$lock" ] || { echo "$lock is missing: run make lock (scripts/lock.sh)" >&2; exit 2; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"

target="."
[ "$extras" = dev ] && target=".[dev]"
stamp="$venv/.installed-$extras"
digest="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
  exit 0
fi
log="$venv/pip-install.log"
echo "installing cis-worker into $venv ($extras, from $lock)"
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
if ! { "${pip[@]}" install -q --require-hashes --no-deps -r "$lock" &&
       "${pip[@]}" install -q --no-deps --no-build-isolation -e "$target" &&
       "${pip[@]}" check; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
echo "$digest" > "$stamp"
