#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, starting Debian's dockerd when none
# runs. It installs nothing: docker.io comes from `scripts/install-system-deps.sh dev`.
#
# The machine may carry a newer docker client (e.g. /usr/local/bin/docker, API 1.50) than
# Debian's engine (20.10, API 1.41); clients negotiate the API version down, and the check
# below prints what the engine speaks. dockerd's log goes to $DOCKERD_LOG.
set -euo pipefail

log="${DOCKERD_LOG:-/tmp/cis-worker-dockerd.log}"

engine_answers() { docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

if ! engine_answers; then
  command -v dockerd >/dev/null 2>&1 || {
    echo "dockerd is missing: run scripts/install-system-deps.sh dev" >&2; exit 2; }
  [ "$(id -u)" -eq 0 ] || { echo "starting dockerd needs root" >&2; exit 2; }
  echo "starting dockerd (log: $log)"
  setsid nohup dockerd >"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_answers && break
    sleep 0.5
  done
  engine_answers || { echo "dockerd did not answer; last lines of $log:" >&2
                      tail -n 20 "$log" >&2; exit 1; }
fi
echo "docker engine $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'),"\
     "client $(docker version --format '{{.Client.Version}} (API {{.Client.APIVersion}})')"
