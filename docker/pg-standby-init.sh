#!/bin/sh
# compose.scale.yml's `standby-init`: makes the standby's data folder once, as a copy of the
# primary's (pg_basebackup, WAL streamed during the copy), with standby.signal and the primary's
# address written (-R). A physical replication slot keeps the WAL the standby has not yet replayed
# on the primary. A folder that already holds a standby is left as it is.
set -eu
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "standby-init: $PGDATA already holds a standby"
  exit 0
fi
export PGPASSWORD="$REPLICATION_PASSWORD"
# The slot may be left from an earlier standby: keep it (it is empty of use until this one connects).
psql "host=${PRIMARY_HOST:-postgres} user=replicator replication=true" \
  -c "CREATE_REPLICATION_SLOT standby_1 PHYSICAL RESERVE_WAL" || echo "standby-init: slot standby_1 is there already"
mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
pg_basebackup -h "${PRIMARY_HOST:-postgres}" -U replicator -D "$PGDATA" -S standby_1 -X stream -R --checkpoint=fast
echo "standby-init: standby made in $PGDATA"
