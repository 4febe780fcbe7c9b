#!/bin/sh
# Redis for the planner sandbox: port 6379 of the container's network (the
# compose network; the host reaches it only through the port published on
# 127.0.0.1), password from the environment. The password goes into a private
# config file, never onto the command line (where `ps` and `docker inspect`
# would show it).
set -eu
: "${REDIS_PASSWORD:?REDIS_PASSWORD is required}"
umask 077
conf=/tmp/redis.conf
{
	echo "bind * -::*"
	echo "port 6379"
	echo "protected-mode yes"
	echo "dir /data"
	echo 'save ""'
	echo "appendonly no"
	echo "requirepass $REDIS_PASSWORD"
} >"$conf"
exec redis-server "$conf"
