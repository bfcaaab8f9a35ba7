#!/bin/sh
# Writes k8s/overlays/<dev|prod>/secrets.env, the git-ignored file the overlay's Secret
# `raqeem-secrets` is generated from: a fresh random value for every credential. An existing
# file is kept (delete it to rotate everything). For prod, give the managed database's URLs:
#
#   k8s/make-secrets.sh dev
#   DEVICES_DATABASE_URL=postgres://... MENTOR_DATABASE_URL=postgres://... k8s/make-secrets.sh prod
set -eu
overlay=${1:-}
case "$overlay" in
dev | prod) ;;
*)
  echo "usage: $0 dev|prod" >&2
  exit 2
  ;;
esac
file=$(cd "$(dirname "$0")" && pwd)/overlays/$overlay/secrets.env
if [ -e "$file" ]; then
  echo "$file exists; kept (delete it to make new secrets)"
  exit 0
fi
random() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

umask 077
devices_db=$(random 18)
mentor_db=$(random 18)
{
  if [ "$overlay" = dev ]; then
    echo "POSTGRES_PASSWORD=$(random 18)"
    echo "DEVICES_DB_PASSWORD=$devices_db"
    echo "MENTOR_DB_PASSWORD=$mentor_db"
    echo "DEVICES_DATABASE_URL=postgres://devices:$devices_db@postgres:5432/devices"
    echo "MENTOR_DATABASE_URL=postgres://mentor:$mentor_db@postgres:5432/mentor"
  else
    : "${DEVICES_DATABASE_URL:?set DEVICES_DATABASE_URL to the managed database of Devices}"
    : "${MENTOR_DATABASE_URL:?set MENTOR_DATABASE_URL to the managed database of the Mentor}"
    echo "DEVICES_DATABASE_URL=$DEVICES_DATABASE_URL"
    echo "MENTOR_DATABASE_URL=$MENTOR_DATABASE_URL"
    # Empty: the pods' cloud identity (e.g. an IAM role for the service account) is used.
    echo "S3_ACCESS_KEY_ID=${S3_ACCESS_KEY_ID:-}"
    echo "S3_SECRET_ACCESS_KEY=${S3_SECRET_ACCESS_KEY:-}"
  fi
  echo "MENTOR_API_TOKEN=$(random 32)"
  echo "ENROLLMENT_SECRET=$(random 24)"
  echo "OPERATOR_API_KEY=$(random 24)"
  echo "JWT_SECRET=$(random 32)"
  echo "ADMIN_PASSWORD=$(random 12)"
} >"$file"
echo "wrote $file"
