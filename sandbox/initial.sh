#!/usr/bin/env bash
# Bring the sandbox up and to its initial state (app and working copy at
# v1.2.2, the database at release 1.2.2's head revision, no backups), resetting
# it only when it is somewhere else: `make test` starts here, because a
# sandbox left by `make run`, a killed test or an earlier run is not the
# stack the tests are written against. `make run` keeps whatever state the
# operator left (up.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Release 1.2.2's alembic head (sandbox/stack/backend/alembic/versions).
INITIAL_VERSION=1.2.2
INITIAL_REVISION=7c41e0b2d9a4

# differs prints why the sandbox is not at its initial state and succeeds, or
# prints nothing and fails when it is.
differs() {
	local head want health
	head=$(git -C "$PLANNER_DIR" rev-parse -q --verify 'HEAD^{commit}' 2>/dev/null || echo none)
	want=$(git -C "$PLANNER_DIR" rev-parse -q --verify "v$INITIAL_VERSION^{commit}" 2>/dev/null || echo missing)
	if [[ $head != "$want" ]]; then
		echo "the planner dir is at $head, not v$INITIAL_VERSION ($want)"
		return 0
	fi
	if [[ $(git -C "$PLANNER_DIR" symbolic-ref -q --short HEAD 2>/dev/null) != main ]]; then
		echo "the planner dir is not on branch main"
		return 0
	fi
	if [[ -n $(git -C "$PLANNER_DIR" status --porcelain --untracked-files=no) ]]; then
		echo "the planner dir has local changes"
		return 0
	fi
	if [[ -n $(find "$BACKUP_DIR" -mindepth 1 -print -quit 2>/dev/null) ]]; then
		echo "$BACKUP_DIR holds backups"
		return 0
	fi
	# The app's own report: its version and the database's revision.
	health=$(curl -sS --max-time 10 "http://127.0.0.1:$(env_get APP_PORT)/health" 2>&1) || true
	if [[ $health != *'"version":"'$INITIAL_VERSION'"'* ]]; then
		echo "the app does not report version $INITIAL_VERSION: $health"
		return 0
	fi
	if [[ $health != *'"current":"'$INITIAL_REVISION'"'* ]]; then
		echo "the database is not at revision $INITIAL_REVISION: $health"
		return 0
	fi
	return 1
}

main() {
	"$SANDBOX_SRC/up.sh"
	local why
	if why=$(differs); then
		log "not at the initial state ($why): resetting"
		exec "$SANDBOX_SRC/reset.sh"
	fi
	log "at the initial state: app v$INITIAL_VERSION, database at $INITIAL_REVISION, no backups"
}

main "$@"
