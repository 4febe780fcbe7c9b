# shellcheck shell=bash
# Shared settings and helpers for the sandbox scripts (up.sh, down.sh, reset.sh,
# env.sh). Sourced, never run. Everything the sandbox creates lives under
# $PLANNER_SANDBOX so one rm -rf (done by down.sh) takes it all away.

SANDBOX_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PLANNER_SANDBOX=${PLANNER_SANDBOX:-/var/tmp/planner-sandbox}
PLANNER_DIR=$PLANNER_SANDBOX/planner
ORIGIN_DIR=$PLANNER_SANDBOX/origin.git
BACKUP_DIR=$PLANNER_SANDBOX/backups
ENV_OUT=$PLANNER_SANDBOX/planner-tui.env
DOCKERD_LOG=$PLANNER_SANDBOX/dockerd.log
DOCKERD_PIDFILE=$PLANNER_SANDBOX/dockerd.pid
BUILD_DIR=$PLANNER_SANDBOX/build
# Key of the sources the planner dir was made from (see stack.sh).
PLANNER_KEY_FILE=$PLANNER_SANDBOX/planner.key

# Ports are only defaults for a NEW planner dir: once .env exists its values win,
# so changing the environment later cannot split the stack from its config.
SANDBOX_DB_PORT=${PLANNER_SANDBOX_DB_PORT:-15432}
SANDBOX_REDIS_PORT=${PLANNER_SANDBOX_REDIS_PORT:-16379}
SANDBOX_APP_PORT=${PLANNER_SANDBOX_APP_PORT:-18000}

# Base images, imported from root filesystems assembled from this host's files.
IMG_POSTGRES=planner-sandbox/postgres:15
IMG_REDIS=planner-sandbox/redis:7
IMG_PYTHON=planner-sandbox/python:3.11
# The app image compose builds for project "planner", service "app": v1
# names it planner_app, v2 planner-app. The sandbox builds with v1 when it
# has it (see compose below).
img_app() { if have docker-compose; then echo planner_app; else echo planner-app; fi; }

COMPOSE_PROJECT=planner
COMPOSE_ARGS=(-f docker-compose.yml -f docker-compose.prod.yml)

# Deadlines in seconds (overridable for slow machines).
DOCKERD_DEADLINE=${PLANNER_SANDBOX_DOCKERD_DEADLINE:-60}
HEALTH_DEADLINE=${PLANNER_SANDBOX_HEALTH_DEADLINE:-120}

export DEBIAN_FRONTEND=noninteractive

_script_name=$(basename "$0" .sh)
_t0=$(date +%s%N)
_phase_t0=$_t0

# elapsed prints seconds since $1 (nanoseconds) with one decimal.
elapsed() {
	local now
	now=$(date +%s%N)
	awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

log() { printf '[%s %5ss] %s\n' "$_script_name" "$(elapsed "$_t0")" "$*"; }
warn() { printf '[%s %5ss] WARNING: %s\n' "$_script_name" "$(elapsed "$_t0")" "$*" >&2; }
die() {
	printf '[%s %5ss] ERROR: %s\n' "$_script_name" "$(elapsed "$_t0")" "$*" >&2
	exit 1
}

# phase NAME starts a timed phase; phase_done closes it with its duration.
phase() {
	_phase_name=$1
	_phase_t0=$(date +%s%N)
	log "$_phase_name ..."
}
phase_done() { log "$_phase_name done in $(elapsed "$_phase_t0")s${1:+ ($1)}"; }

finish() { log "finished in $(elapsed "$_t0")s"; }

need_root() {
	[[ $(id -u) -eq 0 ]] || die "$1 needs root (run as root or with sudo)"
}

have() { command -v "$1" >/dev/null 2>&1; }

# close_inherited_fds closes every descriptor above stderr of the current
# (sub)shell; call it in a subshell before exec'ing a daemon.
close_inherited_fds() {
	local fd
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
	done
	return 0
}

docker_answers() { have docker && timeout 10 docker info >/dev/null 2>&1; }

# compose runs docker-compose from the planner dir with the production files,
# exactly as the runbook does; `docker compose` on a v2-only sandbox
# (PLANNER_SANDBOX_COMPOSE=v2, see compose-v2.sh).
compose() {
	if have docker-compose; then
		(cd "$PLANNER_DIR" && docker-compose "${COMPOSE_ARGS[@]}" "$@")
	else
		(cd "$PLANNER_DIR" && docker compose "${COMPOSE_ARGS[@]}" "$@")
	fi
}

# env_get KEY prints KEY's value from the planner .env (empty if absent).
env_get() {
	[[ -f $PLANNER_DIR/.env ]] || return 0
	sed -n "s/^$1=//p" "$PLANNER_DIR/.env" | tail -n 1
}

# service_health SERVICE prints healthy/starting/unhealthy/none/missing.
service_health() {
	local id
	id=$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT" \
		--filter "label=com.docker.compose.service=$1" | head -n 1)
	[[ -n $id ]] || { echo missing; return; }
	# Not running, or restarted by its policy (a crash), wins over the health status.
	docker inspect -f '{{if ne .State.Status "running"}}{{.State.Status}}{{else if gt .RestartCount 0}}restarting{{else if .State.Health}}{{.State.Health.Status}}{{else}}running{{end}}' "$id" 2>/dev/null || echo missing
}

stack_healthy() {
	local s
	for s in db redis app; do
		[[ $(service_health "$s") == healthy ]] || return 1
	done
}

# wait_healthy waits until db, redis and app are healthy or the deadline passes;
# on failure it shows compose ps and each service's log tail, then fails.
wait_healthy() {
	local start=$SECONDS deadline=$((SECONDS + HEALTH_DEADLINE)) s state
	while ((SECONDS < deadline)); do
		stack_healthy && return 0
		for s in db redis app; do
			state=$(service_health "$s")
			# A crash loop or a failed probe will not fix itself: stop waiting.
			[[ $state == unhealthy || $state == exited || $state == dead || $state == restarting ]] && break 2
		done
		sleep 0.5
	done
	warn "stack not healthy (db=$(service_health db) redis=$(service_health redis) app=$(service_health app))"
	compose ps >&2 || true
	for s in db redis app; do
		echo "--- logs $s (last 30 lines) ---" >&2
		compose logs --no-color --tail=30 "$s" >&2 || true
	done
	die "stack not healthy after $((SECONDS - start))s (deadline ${HEALTH_DEADLINE}s)"
}

# write_env_out writes $PLANNER_SANDBOX/planner-tui.env (temp file + rename).
write_env_out() {
	local tmp=$ENV_OUT.tmp
	{
		echo "PLANNER_DIR=$PLANNER_DIR"
		echo "BASE_URL=http://127.0.0.1:$(env_get APP_PORT)"
		echo "BACKUP_DIR=$BACKUP_DIR"
		echo "DB_HOST=127.0.0.1"
		echo "DB_PORT=$(env_get DB_PORT)"
		echo "DB_USER=$(env_get POSTGRES_USER)"
		echo "DB_NAME=$(env_get POSTGRES_DB)"
		echo "COMPOSE_FILES=docker-compose.yml:docker-compose.prod.yml"
	} >"$tmp"
	sync "$tmp" 2>/dev/null || true
	mv -f "$tmp" "$ENV_OUT"
}

usage_line() {
	echo "planner-tui --dir $PLANNER_DIR --set BASE_URL=http://127.0.0.1:$(env_get APP_PORT) --set BACKUP_DIR=$BACKUP_DIR --set DB_PORT=$(env_get DB_PORT)"
}

# remove_project removes the compose project: its containers, volumes and
# network, through compose when the planner dir can say how, and by the
# project label for whatever compose did not remove (a broken planner dir, a
# checkout without the files).
remove_project() {
	if [[ -f $PLANNER_DIR/docker-compose.yml && -f $PLANNER_DIR/.env ]]; then
		compose down -v --remove-orphans >/dev/null 2>&1 || warn "docker-compose down failed; removing by label"
	fi
	local ids
	ids=$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT")
	[[ -z $ids ]] || docker rm -f $ids >/dev/null
	ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT")
	[[ -z $ids ]] || docker volume rm $ids >/dev/null
	ids=$(docker network ls -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT")
	[[ -z $ids ]] || docker network rm $ids >/dev/null
}
