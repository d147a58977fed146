#!/usr/bin/env bash
# The base image CodeBuild builds from is pinned by digest in buildspec.yml (BASE_IMAGE):
# the Dockerfile's default name (debian:bookworm-slim from ECR Public) @sha256:<index digest>.
#
#   base-image-digest.sh           print the pinned reference
#   base-image-digest.sh --update  pull the tag now, and write its digest into buildspec.yml
#
# --update needs a Docker engine that reaches the registry (a developer machine with
# internet, or CodeBuild); commit the changed buildspec.yml like any dependency update, e.g.
# monthly or when Debian publishes a security update of the base (ECR's scan on push flags
# those). The tag alone would move under the build without review; the digest cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

name="$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)"
pinned="$(sed -n 's/^ *BASE_IMAGE: *"\(.*\)"$/\1/p' buildspec.yml)"
[ -n "$name" ] && [ -n "$pinned" ] || { echo "no BASE_IMAGE in Dockerfile or buildspec.yml" >&2; exit 2; }

case "${1:-}" in
  "") echo "$pinned" ;;
  --update)
    docker pull --quiet "$name" >/dev/null
    digest="$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$name" |
              sed -n 's/.*@\(sha256:[0-9a-f]\{64\}\)$/\1/p' | head -n 1)"
    [ -n "$digest" ] || { echo "no digest for $name" >&2; exit 1; }
    sed -i "s|^\( *BASE_IMAGE: *\)\".*\"$|\1\"${name}@${digest}\"|" buildspec.yml
    echo "buildspec.yml: BASE_IMAGE=${name}@${digest} (was ${pinned#*@})"
    ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac
