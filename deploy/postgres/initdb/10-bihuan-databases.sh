#!/usr/bin/env bash
# Run by the postgres image once, when it initialises an EMPTY data volume
# (/docker-entrypoint-initdb.d). Later starts skip it: to change a password afterwards, run
#   docker compose exec postgres psql -U postgres -c "ALTER ROLE bihuan PASSWORD '…'"
# and update the environment to match.
#
# One login role per server, each owning only its own databases, neither a superuser:
#   bihuan   → bihuan                          (read model, vault, ledger, audit; migrated by api/worker)
#   temporal → temporal, temporal_visibility   (schemas installed by the temporal-schema job)
# CONNECT is revoked from PUBLIC, so the Temporal server's credentials cannot open the vault's
# database, and Bihuan's cannot open Temporal's. The superuser (POSTGRES_PASSWORD) is for the
# operator only; no service connects with it.
#
# The file may be sourced rather than executed (when the checkout lost its executable bit), so it
# avoids `set -u` / `exit`, which would leak into the image's entrypoint.
set -e

: "${BIHUAN_DB_PASSWORD:?BIHUAN_DB_PASSWORD must be set for the postgres service}"
: "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set for the postgres service}"

# Passwords go in as psql variables (:'name' quotes them as literals): no quoting bugs, no injection.
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  --set=bihuan_password="$BIHUAN_DB_PASSWORD" \
  --set=temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE bihuan LOGIN PASSWORD :'bihuan_password';
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';

CREATE DATABASE bihuan OWNER bihuan;
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

REVOKE ALL ON DATABASE bihuan FROM PUBLIC;
REVOKE ALL ON DATABASE temporal FROM PUBLIC;
REVOKE ALL ON DATABASE temporal_visibility FROM PUBLIC;
SQL
