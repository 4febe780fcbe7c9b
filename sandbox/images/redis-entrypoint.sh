#!/bin/sh
# Redis for the planner sandbox: loopback only (host network), password from the
# environment. The password goes into a private config file, never onto the
# command line (where `ps` and `docker inspect` would show it).
set -eu
: "${REDIS_PORT:=6379}"
: "${REDIS_PASSWORD:?REDIS_PASSWORD is required}"
umask 077
conf=/tmp/redis.conf
{
	echo "bind 127.0.0.1"
	echo "port $REDIS_PORT"
	echo "protected-mode yes"
	echo "dir /data"
	echo 'save ""'
	echo "appendonly no"
	echo "requirepass $REDIS_PASSWORD"
} >"$conf"
exec redis-server "$conf"
