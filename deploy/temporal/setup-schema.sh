#!/bin/sh
# Run by the one-shot `temporal-schema` service of docker-compose.yml (image temporalio/admin-tools),
# before any Temporal server role starts: installs, or upgrades to the image's version, the schemas
# of the two databases the postgres init script created (owned by the `temporal` role, so nothing
# here needs a superuser). Safe to run at every start: an installed schema is left as it is, and
# update-schema applies only the versions not yet applied. Checked with the temporal-sql-tool of
# `npm run setup` (the same v1.29.1): twice on empty databases (exit 0 both times), and with a wrong
# password (exit 1, so Compose restarts the job and starts no server).
set -eu

: "${POSTGRES_PWD:?POSTGRES_PWD must be set for temporal-schema}"
# Where temporalio/admin-tools keeps the schemas of its server version.
SCHEMA_DIR=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "${POSTGRES_SEEDS:-postgres}" --port "${DB_PORT:-5432}" \
    --user "${POSTGRES_USER:-temporal}" --password "$POSTGRES_PWD" "$@"
}

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  schema=${pair#*:}
  echo "temporal-schema: ${db}: installing the schema if absent, then upgrading it (${schema})"
  # setup-schema -v 0.0 creates only the version bookkeeping, and leaves existing bookkeeping be.
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "${SCHEMA_DIR}/${schema}/versioned"
done
echo 'temporal-schema: done'
