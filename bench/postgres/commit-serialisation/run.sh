#!/usr/bin/env bash
# Server-side ceiling of each way to give positions, without Node: pgbench runs each statement shape from a
# fresh schema for 5 s at 1 client and at 8, prints transactions per second, then drops the schema.
# Usage: bash bench/postgres/commit-serialisation/run.sh   (PostgreSQL at PGHOST/PGUSER/PGDATABASE, default 127.0.0.1/postgres/test)
set -euo pipefail
cd "$(dirname "$0")"
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-test}"
PGBENCH="${PGBENCH:-$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)}"
for shape in counter-row sequence sequence-without-notify raw-insert; do
  for clients in 1 8; do
    psql -q -v ON_ERROR_STOP=1 -f setup.sql >/dev/null 2>&1
    tps=$("$PGBENCH" -n -M prepared -f "$shape.sql" -c "$clients" -j "$(( clients > 1 ? 2 : 1 ))" -T 5 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    printf '%-26s %d client(s): %8.0f transactions/s\n' "$shape" "$clients" "$tps"
  done
done
psql -q -c 'DROP SCHEMA commit_probe CASCADE' >/dev/null 2>&1
