#!/bin/sh
# compose.scale.yml's `standby-init`: makes the standby's data folder once, as a copy of the
# primary's (pg_basebackup, WAL streamed during the copy), with standby.signal and the primary's
# address written (-R). A physical replication slot keeps the WAL the standby has not yet replayed
# on the primary. A folder that already holds a standby is left as it is.
# A primary on another machine (PRIMARY_HOST): PRIMARY_SSLROOTCERT (the CA of the primary's certificate) makes the
# copy and the streaming after it go over TLS that checks the primary's certificate and name
# (sslmode=verify-full), and PRIMARY_SSLCERT with PRIMARY_SSLKEY (readable by postgres only) give
# the standby's own certificate, for a primary that asks for one (ADRs 0092, 0096). pg_basebackup -R
# writes them into the standby's primary_conninfo.
set -eu
if [ -s "$PGDATA/PG_VERSION" ]; then
  echo "standby-init: $PGDATA already holds a standby"
  exit 0
fi
export PGPASSWORD="$REPLICATION_PASSWORD"
# A conninfo value in single quotes (libpq's quoting: \ and ' escaped), so that a path with a space
# or a second keyword in a value cannot change the connection's settings.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\\\']/\\\\&/g")"
}
host="${PRIMARY_HOST:-postgres}"
primary="host=$(quote "$host") user=replicator"
if [ -n "${PRIMARY_SSLROOTCERT:-}" ]; then
  primary="$primary sslmode=verify-full sslrootcert=$(quote "$PRIMARY_SSLROOTCERT")"
elif [ "$host" != "postgres" ] && [ "${PRIMARY_REQUIRE_TLS:-1}" != "0" ]; then
  echo "standby-init: primæren $host er ikke compose-netværkets; angiv PRIMARY_SSLROOTCERT (TLS med kontrol af primærens certifikat og navn) eller PRIMARY_REQUIRE_TLS=0 for et netværk, kommunen stoler på" >&2
  exit 1
fi
if [ -n "${PRIMARY_SSLCERT:-}" ] || [ -n "${PRIMARY_SSLKEY:-}" ]; then
  if [ -z "${PRIMARY_SSLROOTCERT:-}" ] || [ -z "${PRIMARY_SSLCERT:-}" ] || [ -z "${PRIMARY_SSLKEY:-}" ]; then
    echo "standby-init: PRIMARY_SSLCERT og PRIMARY_SSLKEY skal angives sammen, med PRIMARY_SSLROOTCERT" >&2
    exit 1
  fi
  primary="$primary sslcert=$(quote "$PRIMARY_SSLCERT") sslkey=$(quote "$PRIMARY_SSLKEY")"
fi
# The slot may be left from an earlier standby: keep it (it is empty of use until this one connects).
psql "$primary replication=true" \
  -c "CREATE_REPLICATION_SLOT standby_1 PHYSICAL RESERVE_WAL" || echo "standby-init: slot standby_1 is there already"
mkdir -p "$PGDATA"
chmod 700 "$PGDATA"
pg_basebackup -d "$primary" -D "$PGDATA" -S standby_1 -X stream -R --checkpoint=fast
echo "standby-init: standby made in $PGDATA"
