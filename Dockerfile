# cis-worker: Tesseract 5 with Japanese (horizontal and vertical), poppler, LibreOffice (legacy
# Office and RTF, converted to OOXML) and the worker.
#
#   scripts/build-image.sh [TAG]      (BuildKit; passes the machine's CA bundle, see below)
#
# Behind a TLS-inspecting proxy, give the build the proxy's CA bundle as a BuildKit secret:
#   --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt
# It is mounted only into the RUN steps that download (apt, pip) and never lands in a layer.
# The base is a build argument; its default is a registry CodeBuild pulls from without
# Docker Hub's rate limits. scripts/base-image.sh makes it locally with debootstrap.
# CodeBuild (buildspec.yml) passes the same image pinned by digest: BASE_IMAGE=...@sha256:...
# (scripts/base-image-digest.sh updates that pin).
ARG BASE_IMAGE=public.ecr.aws/docker/library/debian:bookworm-slim

# ---- base: both stages install their system packages the same way --------------------
FROM ${BASE_IMAGE} AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# apt's lists and downloaded .debs live in cache mounts shared by both stages, never in a
# layer; keep the .debs there (the official image deletes them after installs).
RUN rm -f /etc/apt/apt.conf.d/docker-clean \
 && echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache

# ---- build: the package and its dependencies in a virtual environment ----------------
# Dependencies only from the lock (exact versions, sha256 of every file: --require-hashes);
# the package itself after, with --no-deps. The build tools (pip, setuptools, wheel) are
# removed from the venv before it is copied into the runtime image.
FROM base AS build
RUN --mount=type=bind,source=scripts/install-system-deps.sh,target=/tmp/install-system-deps.sh \
    --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=secret,id=ca-bundle \
    CA_BUNDLE=/run/secrets/ca-bundle bash /tmp/install-system-deps.sh image-build
WORKDIR /src
COPY requirements/runtime.txt ./requirements/
COPY pyproject.toml README.md ./
COPY worker ./worker
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca-bundle \
    if [ -r /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
 && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --disable-pip-version-check --require-hashes --no-deps \
      -r requirements/runtime.txt \
 && /opt/venv/bin/pip install --disable-pip-version-check --no-deps --no-build-isolation . \
 && /opt/venv/bin/pip uninstall --yes setuptools wheel pip

# ---- runtime --------------------------------------------------------------------------
FROM base AS runtime
RUN --mount=type=bind,source=scripts/install-system-deps.sh,target=/tmp/install-system-deps.sh \
    --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    --mount=type=secret,id=ca-bundle \
    CA_BUNDLE=/run/secrets/ca-bundle bash /tmp/install-system-deps.sh image
# A fixed numeric user, so ECS (`user`) and `docker run --user` can name it; /out is theirs
# so that a named volume mounted there is writable.
RUN groupadd --gid 10001 worker \
 && useradd --uid 10001 --gid worker --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin worker \
 && install -d -o 10001 -g 10001 /out
COPY --from=build /opt/venv /opt/venv

# One Tesseract thread per process: the worker runs one process per vCPU (DESIGN.md §5).
# The root file system may be read-only: every write goes to TMPDIR (a tmpfs or a volume).
ENV PATH=/opt/venv/bin:$PATH \
    OMP_THREAD_LIMIT=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp \
    XDG_CACHE_HOME=/tmp/.cache
USER 10001:10001
WORKDIR /tmp
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["cis-worker", "health"]
ENTRYPOINT ["cis-worker"]
CMD ["run"]
