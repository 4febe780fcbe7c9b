#!/usr/bin/env bash
# Take the planner sandbox away: the compose stack with its volumes and network, the
# sandbox's images, the dockerd that up.sh started (and only that one), and the
# $PLANNER_SANDBOX directory. A Docker engine we did not start is left running.
# Idempotent: running it with nothing up just says so.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

remove_stack() {
	phase "stack"
	remove_project
	phase_done
}

remove_images() {
	phase "images"
	local refs n
	refs=$(docker images --format '{{.Repository}}:{{.Tag}}' |
		grep -E "^(planner_app|planner-app|planner-sandbox/[a-z]+):" || true)
	n=$(grep -c . <<<"$refs" || true)
	[[ -z $refs ]] || docker rmi -f $refs >/dev/null
	# Intermediate images of our builds are left dangling; only prune on our own daemon.
	[[ -s $DOCKERD_PIDFILE ]] && docker image prune -f >/dev/null
	phase_done "$n tags removed"
}

stop_dockerd() {
	phase "docker engine"
	if [[ ! -s $DOCKERD_PIDFILE ]]; then
		phase_done "not started by the sandbox, left running"
		return
	fi
	local pid
	pid=$(cat "$DOCKERD_PIDFILE")
	if [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
		rm -f "$DOCKERD_PIDFILE"
		phase_done "pid $pid is no longer dockerd"
		return
	fi
	kill -TERM "$pid"
	local deadline=$((SECONDS + 30))
	while kill -0 "$pid" 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			warn "dockerd (pid $pid) still running after 30s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.2
	done
	rm -f "$DOCKERD_PIDFILE"
	phase_done "pid $pid stopped"
}

main() {
	log "taking down the planner sandbox in $PLANNER_SANDBOX"
	if [[ ! -d $PLANNER_SANDBOX ]] && ! docker_answers; then
		log "nothing to do: no $PLANNER_SANDBOX and no docker engine"
		finish
		return
	fi
	if docker_answers; then
		remove_stack
		remove_images
	else
		log "docker engine not answering: no containers, volumes or images to remove"
	fi
	stop_dockerd
	phase "files"
	rm -rf "$PLANNER_SANDBOX"
	phase_done "$PLANNER_SANDBOX removed"
	finish
}

main "$@"
