#!/usr/bin/env bash
# Put the sandbox back to its initial state: app at v1.2.2 (working copy on
# main, origin/main at v1.2.3), a fresh database migrated to the v1.2.2 head with
# the seed rows, no backups, new secrets. Base images and the Docker engine are
# kept, so this takes seconds; only the small app image is rebuilt.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

main() {
	if ! docker_answers || [[ ! -d $PLANNER_SANDBOX ]]; then
		log "sandbox not up: running up.sh instead"
		exec "$SANDBOX_SRC/up.sh"
	fi
	log "resetting the planner sandbox in $PLANNER_SANDBOX to its initial state (v1.2.2, seed data)"
	phase "stack"
	remove_project
	# The app image may hold another release's code.
	docker rmi -f planner_app planner-app >/dev/null 2>&1 || true
	phase_done "containers, network, db volume and app image removed"
	phase "files"
	rm -rf "$PLANNER_DIR" "$ORIGIN_DIR" "$BACKUP_DIR" "$ENV_OUT" "$PLANNER_KEY_FILE" "$PLANNER_SANDBOX/compose.log"
	phase_done "planner dir, origin and backups removed"
	log "bringing the sandbox up again"
	# up.sh prints its own phases and the usage line; the total below includes it.
	"$SANDBOX_SRC/up.sh"
	finish
}

main "$@"
