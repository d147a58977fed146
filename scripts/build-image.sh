#!/usr/bin/env bash
# Builds the cis-worker image with BuildKit:  build-image.sh [TAG]   (default cis-worker:dev)
#
# Passes the machine's CA bundle as the BuildKit secret `ca-bundle` when there is one, so
# apt and pip inside the build trust a TLS-inspecting proxy; CA_BUNDLE=FILE picks another,
# CA_BUNDLE= (empty) passes none. Extra arguments after the tag go to the build.
#
# BuildKit client: `docker buildx` when the plugin is there (CodeBuild), else a client with
# BuildKit built in: Debian's docker.io 20.10 at /usr/bin/docker (a newer client without the
# buildx plugin, like /usr/local/bin/docker on the development machines, refuses BuildKit).
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-cis-worker:dev}"
shift || true

if docker buildx version >/dev/null 2>&1; then
  build=(docker buildx build --load)
elif [ -x /usr/bin/docker ]; then
  build=(env DOCKER_BUILDKIT=1 /usr/bin/docker build)
else
  build=(env DOCKER_BUILDKIT=1 docker build)
fi

ca="${CA_BUNDLE-${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}}"
secret=()
if [ -n "$ca" ] && [ -r "$ca" ]; then
  secret=(--secret "id=ca-bundle,src=$ca")
fi

start=$SECONDS
"${build[@]}" --progress=plain "${secret[@]}" --tag "$tag" "$@" .
echo "image $tag: built in $((SECONDS - start)) s," \
     "$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')"
