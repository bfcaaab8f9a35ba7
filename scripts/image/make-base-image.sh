#!/usr/bin/env bash
# Makes the base image the Dockerfile's FROM names, when no registry can be reached: a minimal
# Debian bookworm (debootstrap) with tini, a `node` user (uid 1000) and this machine's Node.js.
#
#   scripts/image/make-base-image.sh [IMAGE]     (IMAGE defaults to the Dockerfile's BASE_IMAGE)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/scripts/image/containers.conf}
image=${1:-$(sed -nE 's/^ARG BASE_IMAGE=(.+)$/\1/p' "$root/Dockerfile")}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

node_bin=$(readlink -f "$(command -v node)")
node_major=$(node -p 'process.versions.node.split(".")[0]')
wanted_major=$(sed -nE 's/.*:([0-9]+)-bookworm$/\1/p' <<<"$image")
if [[ $node_major != "$wanted_major" ]]; then
  echo "make-base-image: $image wants Node.js $wanted_major, this machine has $(node -v)" >&2
  exit 1
fi
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[[ -f $npm_dir/package.json ]] || {
  echo "make-base-image: npm not found beside node" >&2
  exit 1
}

work=$(mktemp -d /var/tmp/raqeem-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
cache=${DEBOOTSTRAP_CACHE:-/var/cache/raqeem-debootstrap}
mkdir -p "$cache"

echo "make-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=tini --cache-dir="$cache" bookworm "$rootfs" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --create-home --shell /usr/sbin/nologin node
# Nothing the image runs needs apt's lists or caches, documentation or locales.
rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*

tar -C "$rootfs" --numeric-owner -c . |
  podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$image" >/dev/null
echo "make-base-image: made $image ($(node -v))"
