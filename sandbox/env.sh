#!/usr/bin/env bash
# Print the sandbox settings as KEY=VALUE lines (PLANNER_DIR, BASE_URL,
# BACKUP_DIR, DB_HOST, DB_PORT, DB_USER, DB_NAME, COMPOSE_FILES), for tests and
# `make run`: eval "$(sandbox/env.sh)" or `sandbox/env.sh > file`.
# Exits 1 with a message on stderr when the sandbox is not up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ -f $ENV_OUT ]] || die "sandbox not up ($ENV_OUT missing): run sandbox/up.sh"
base=$(sed -n 's/^BASE_URL=//p' "$ENV_OUT")
curl -fsS -m 3 -o /dev/null "$base/health" 2>/dev/null ||
	die "sandbox not up ($base/health does not answer): run sandbox/up.sh"
cat "$ENV_OUT"
