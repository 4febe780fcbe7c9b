#!/bin/sh
# PostgreSQL 15 for the planner sandbox: on the first start (empty volume) create
# the cluster with POSTGRES_USER as superuser and POSTGRES_DB, then run the server
# on 127.0.0.1:$PGPORT (host network) and the socket in /var/run/postgresql.
# Local socket connections are trusted (so `psql -U planner_admin` works inside
# the container as the runbook writes it); TCP needs the password (scram-sha-256).
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${PGPORT:=5432}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGPORT PGHOST=/var/run/postgresql

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	echo "entrypoint: initializing database cluster in $PGDATA"
	pwfile=$(mktemp)
	printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
	initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >/dev/null
	rm -f "$pwfile"
	pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -k /var/run/postgresql" start >/dev/null
	psql -v ON_ERROR_STOP=1 -q -U "$POSTGRES_USER" -d postgres \
		-c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\""
	pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
	echo "entrypoint: created database $POSTGRES_DB owned by $POSTGRES_USER"
fi

exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -c port="$PGPORT" \
	-c unix_socket_directories=/var/run/postgresql -c log_line_prefix='%m [%p] ' "$@"
