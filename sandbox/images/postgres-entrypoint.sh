#!/bin/sh
# PostgreSQL 15 for the planner sandbox: on the first start (empty volume) create
# the cluster with POSTGRES_USER as superuser and POSTGRES_DB, then run the server
# on port 5432 of the container's network (the compose network; the host reaches
# it only through the port published on 127.0.0.1) and the socket in
# /var/run/postgresql. Local socket connections are trusted (so `psql -U
# planner_admin` works inside the container as the runbook writes it); TCP needs
# the password (scram-sha-256), from any address of the compose network.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGPORT=5432 PGHOST=/var/run/postgresql

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

# initdb allows TCP from loopback only; the app (and docker-proxy, for the
# published port) connect from the compose network's addresses.
if ! grep -q '^host all all all scram-sha-256' "$PGDATA/pg_hba.conf"; then
	echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' -c port=5432 \
	-c unix_socket_directories=/var/run/postgresql -c log_line_prefix='%m [%p] ' "$@"
