#!/bin/sh
# The stand-in postgres image's entrypoint: on first start, a cluster for POSTGRES_USER
# with POSTGRES_PASSWORD (scram-sha-256 over the network), POSTGRES_DB, and the scripts in
# /docker-entrypoint-initdb.d run against it; then the command, as the postgres user.
set -eu
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?the stand-in needs POSTGRES_PASSWORD}"
    user=${POSTGRES_USER:-postgres}
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    # UTF-8, as the official image and deploy/topology: text search and trigrams depend on it.
    initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
    db=${POSTGRES_DB:-$user}
    if [ "$db" != postgres ]; then
        psql -q -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    fi
    for script in /docker-entrypoint-initdb.d/*.sh; do
        [ -e "$script" ] && . "$script"
    done
    pg_ctl -D "$PGDATA" -w -m fast stop >/dev/null
fi
exec "$@"
