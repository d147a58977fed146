#!/usr/bin/env bash
# Makes the Dockerfile's default base image locally when no container registry can be
# reached: Debian bookworm (minbase) from debootstrap, `docker import`ed under exactly the
# name the Dockerfile's BASE_IMAGE argument defaults to. Skips when that image exists.
# debootstrap comes from `scripts/install-system-deps.sh dev`; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

name="$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)"
[ -n "$name" ] || { echo "no 'ARG BASE_IMAGE=' default in Dockerfile" >&2; exit 2; }
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "base image $name: present"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "debootstrap is missing: run scripts/install-system-deps.sh dev" >&2; exit 2; }

mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/cis-worker-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT

echo "debootstrap bookworm (minbase) from $mirror"
start=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2; exit 1; }
rm -f "$root.log"

# The same apt sources as the official image (security updates included), and no caches.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

# Slim like the official image: no documentation, manuals or translations, now or later.
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
SLIM
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
rm -rf "$root"/usr/share/{man,groff,info,lintian,linda,locale}/*

tar --numeric-owner -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["bash"]' - "$name" >/dev/null
echo "base image $name: made in $((SECONDS - start)) s," \
     "$(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.0f MB", $1/1e6}')"
