#!/bin/sh
# The image's command: which program to run. `exec` keeps one process under tini, so SIGTERM
# reaches the service itself. Node flags as in libs/platform/src/runtime/service-node-args.ts.
set -eu
cd /app
case "${1:-devices}" in
devices)
  shift || true
  exec node --max-old-space-size=160 dist/apps/devices/src/main.js "$@"
  ;;
mentor)
  shift
  exec node dist/apps/mentor/src/main.js "$@"
  ;;
migrate)
  shift
  [ $# -gt 0 ] || set -- run
  exec node dist/scripts/migrate.js "$@"
  ;;
*)
  exec "$@"
  ;;
esac
