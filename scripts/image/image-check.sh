#!/usr/bin/env bash
# `npm run image:check`: builds the container image with podman (no Docker engine needed) and
# runs its specs (*.image-spec.ts): migrations and both services from the image, read-only and
# as uid 1000, against PostgreSQL, telemetry through to the Mentor, and a clean SIGTERM stop.
# Makes the Dockerfile's base image first when it is missing (no registry is needed).
# Expects `npm run build` to have run (the specs are compiled); prints each phase's time.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/scripts/image/containers.conf}
export RAQEEM_IMAGE=${RAQEEM_IMAGE:-localhost/raqeem:check}
base=$(sed -nE 's/^ARG BASE_IMAGE=(.+)$/\1/p' Dockerfile)

phase_start=$SECONDS
phase() { printf 'image:check: %s (%ss)\n' "$1" $((SECONDS - phase_start)); phase_start=$SECONDS; }

if ! podman image exists "$base"; then
  scripts/image/make-base-image.sh "$base"
  phase "made the base image $base"
fi

build_args=(--isolation=chroot --network host --pull=never --layers -t "$RAQEEM_IMAGE")
# npm's download cache, shared with the host's npm ci (a build volume, not a layer).
npm_cache=$(npm config get cache)
mkdir -p "$npm_cache"
build_args+=(-v "$npm_cache:/root/.npm")
# A TLS-inspecting proxy's CA, when the host's npm is told to trust one.
cafile=$(npm config get cafile)
if [[ -n $cafile && $cafile != undefined && $cafile != null && -f $cafile ]]; then
  build_args+=(--secret "id=ca-certificates,src=$cafile")
fi
podman build "${build_args[@]}" . | grep --line-buffered -vE '^npm warn EBADENGINE|^(npm warn )?EBADENGINE' || {
  echo 'image:check: podman build failed' >&2
  exit 1
}
phase "built $RAQEEM_IMAGE ($(podman image inspect "$RAQEEM_IMAGE" --format '{{.Size}}' |
  awk '{ printf "%.0f MB", $1 / 1e6 }'))"
# Dangling layers of earlier builds of this tag would pile up on a long-lived machine.
podman image prune -f >/dev/null || true

JEST_IMAGE_SPECS=1 npx jest --selectProjects image
phase 'ran the image specs'
