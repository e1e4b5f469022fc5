#!/bin/sh
# compose.scale.yml: run once by the postgres image when the primary's data folder is made
# (/docker-entrypoint-initdb.d). A role that may only stream WAL (REPLICATION_PASSWORD), and the
# line of pg_hba.conf that lets it connect for replication; the standby's pg_basebackup uses both.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
