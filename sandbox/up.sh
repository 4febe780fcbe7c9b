#!/usr/bin/env bash
# Bring up the planner sandbox: a real planner stack (PostgreSQL 15, Redis, a
# FastAPI + alembic app) run by a local Docker engine with docker-compose, laid
# out like production in $PLANNER_SANDBOX/planner. Idempotent: each phase skips
# what is already there, and a healthy stack is left alone.
#
# Usage: sandbox/up.sh           (as root; see docs/sandbox.md)
# Prints one log line per phase, then the planner-tui command line to use it,
# and writes $PLANNER_SANDBOX/planner-tui.env.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$SANDBOX_SRC/images.sh"
source "$SANDBOX_SRC/stack.sh"
source "$SANDBOX_SRC/compose-v2.sh"

APT_PACKAGES=(
	docker.io
	postgresql-15 postgresql-client-15
	redis-server redis-tools
	python3-fastapi python3-uvicorn python3-sqlalchemy python3-psycopg2 python3-alembic python3-redis
	busybox-static git curl ca-certificates
)

wants_compose v1 && APT_PACKAGES+=(docker-compose)

# Services whose packages' maintainer scripts may start them; the sandbox never
# leaves a system service of these running.
SYSTEM_SERVICES=(docker containerd redis-server postgresql)

missing_packages() {
	local p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
	done
}

install_packages() {
	phase "packages"
	local missing
	mapfile -t missing < <(missing_packages)
	if ((${#missing[@]} == 0)); then
		phase_done "all ${#APT_PACKAGES[@]} present"
		return
	fi
	need_root "installing ${missing[*]}"
	log "installing: ${missing[*]}"
	# Keep maintainer scripts from starting services: a policy-rc.d that says no,
	# unless one is already there (then it is not ours to replace).
	local policy=/usr/sbin/policy-rc.d ours=0
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		ours=1
	fi
	# A Docker engine that answers now (ours or not) must survive the install.
	local docker_was_up=0
	docker_answers && docker_was_up=1
	local rc=0
	{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
		>"$PLANNER_SANDBOX/apt.log" 2>&1 || rc=$?
	((ours)) && rm -f "$policy"
	if ((rc != 0)); then
		tail -n 30 "$PLANNER_SANDBOX/apt.log" >&2
		die "apt-get failed (exit $rc); full log in $PLANNER_SANDBOX/apt.log"
	fi
	stop_system_services "$docker_was_up"
	phase_done "${#missing[@]} installed"
}

# stop_system_services stops and disables what a postinst may have started anyway
# (no policy-rc.d honoured, or systemd present). With $1=1 a Docker engine was
# already answering before the install, so docker and containerd are left alone.
stop_system_services() {
	local s
	for s in "${SYSTEM_SERVICES[@]}"; do
		[[ $1 == 1 && ($s == docker || $s == containerd) ]] && continue
		if have systemctl && [[ -d /run/systemd/system ]]; then
			systemctl disable --now "$s" >/dev/null 2>&1 || true
		elif have service; then
			service "$s" status >/dev/null 2>&1 && service "$s" stop >/dev/null 2>&1 || true
		fi
	done
	if have pg_lsclusters; then
		pg_lsclusters -h 2>/dev/null | awk '$4 == "online" { print $1, $2 }' | while read -r v c; do
			pg_ctlcluster "$v" "$c" stop || true
		done
	fi
}

start_docker() {
	phase "docker engine"
	if docker_answers; then
		phase_done "already running"
		return
	fi
	need_root "starting dockerd"
	# Never a second daemon: if dockerd's own pid file names a live process, wait for it.
	local pid=""
	# A pid file left by a killed daemon may name a pid reused since: only
	# a live process that is dockerd counts.
	if [[ -s /var/run/docker.pid ]] && [[ "$(cat "/proc/$(cat /var/run/docker.pid)/comm" 2>/dev/null)" == dockerd ]]; then
		pid=$(cat /var/run/docker.pid)
		log "dockerd (pid $pid) is running but not answering yet; waiting for it"
	else
		# Only stdin, stdout and stderr: the daemon outlives this script, and an
		# inherited descriptor would keep, say, the lock of `flock LOCK make
		# test` held for as long as dockerd runs.
		(
			close_inherited_fds
			exec setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
				>>"$DOCKERD_LOG" 2>&1 </dev/null
		) &
		pid=$!
		echo "$pid" >"$DOCKERD_PIDFILE"
		log "started dockerd (pid $pid), log $DOCKERD_LOG"
	fi
	local deadline=$((SECONDS + DOCKERD_DEADLINE))
	until docker_answers; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$DOCKERD_LOG" >&2 || true
			rm -f "$DOCKERD_PIDFILE"
			die "dockerd exited; log tail above ($DOCKERD_LOG)"
		fi
		if ((SECONDS >= deadline)); then
			tail -n 30 "$DOCKERD_LOG" >&2 || true
			die "dockerd did not answer within ${DOCKERD_DEADLINE}s; log tail above ($DOCKERD_LOG)"
		fi
		sleep 0.3
	done
	phase_done "pid $pid"
}

images() {
	phase "base images"
	mkdir -p "$BUILD_DIR"
	build_base_images
	phase_done
}

main() {
	mkdir -p "$PLANNER_SANDBOX"
	log "bringing up the planner sandbox in $PLANNER_SANDBOX"
	install_packages
	install_compose_v2
	start_docker
	if [[ -d $PLANNER_DIR ]] && ! planner_dir_current; then
		# Made by an older sandbox/stack (other compose files, other ports or
		# services): the scripts and tests expect the current one. The sandbox
		# holds nothing worth keeping, so start it over (reset.sh runs up.sh).
		log "the planner dir was made from older sandbox sources: resetting it"
		exec "$SANDBOX_SRC/reset.sh"
	fi
	images
	create_planner_dir
	start_stack
	write_env_out
	log "settings written to $ENV_OUT"
	finish
	echo
	echo "The sandbox is up. Use it with:"
	echo "  $(usage_line)"
}

main "$@"
