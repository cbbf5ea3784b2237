#!/bin/sh
# The read replica: on first start, a base backup of the primary with recovery settings
# (pg_basebackup -R); then PostgreSQL as a hot standby streaming from it.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h postgres -U "$POSTGRES_USER" -d postgres >/dev/null 2>&1; do sleep 1; done
    PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h postgres -U "$POSTGRES_USER" \
        -D "$PGDATA" -R -X stream -c fast
    chmod 700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
