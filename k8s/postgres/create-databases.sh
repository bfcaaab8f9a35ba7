#!/bin/sh
# Runs once, when the PostgreSQL data folder is new (the postgres image's
# /docker-entrypoint-initdb.d): one database per service, each owned by its own role, so neither
# service reads the other's tables. Passwords come from the environment (the Secret / .env).
set -eu
for service in devices mentor; do
  case "$service" in
  devices) password=$DEVICES_DB_PASSWORD ;;
  mentor) password=$MENTOR_DB_PASSWORD ;;
  esac
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
