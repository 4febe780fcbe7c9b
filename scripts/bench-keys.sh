#!/usr/bin/env bash
# Issue 9's key budgets, measured in a real terminal (scripts/bench.sh runs
# this as its `keys` part): tuitest's TestDeploymentKeyBudget and
# TestRollbackKeyBudget drive planner-tui under tmux (120×40) against the
# sandbox stack as an operator does, counting every key (a typed phrase or
# parameter value is one), and log "KEYS <what>: N keys".
#
#   deployment  Pre-Deployment checklist ticks, Standard Deployment steps
#               1–7 (the Database Migration Procedure included) and the
#               Post-Deployment Verification (goal ≤ 60)
#   rollback    the Rollback Procedure to v1.2.2 after a deploy (goal ≤ 20)
#
# The tests reset the sandbox (sandbox/reset.sh) before and after, so they
# run under the sandbox lock (PLANNER_SANDBOX_LOCK, default
# /tmp/planner-sandbox.lock; "none" when the caller holds it already).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

pt="${PLANNER_TUI_BIN:-$PWD/bin/planner-tui}"
[[ -x $pt ]] || go build -o bin/planner-tui .
export PLANNER_TUI_BIN="$pt"
command -v tmux >/dev/null || { echo "bench-keys: tmux is missing (make deps installs it)" >&2; exit 1; }

lock="${PLANNER_SANDBOX_LOCK:-/tmp/planner-sandbox.lock}"
locked=()
[[ $lock == none ]] || locked=(flock "$lock")

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
"${locked[@]}" go test -count=1 -timeout 40m -v -run '^(TestDeploymentKeyBudget|TestRollbackKeyBudget)$' ./tuitest/ >"$out" 2>&1 || status=$?
# Where the keys went, stage by stage, then the totals.
sed -n '/keys by stage:/,/KEYS/p' "$out" | sed 's/^ *[a-z_]*_test.go:[0-9]*: //'
for what in deployment rollback; do
	goal=60
	[[ $what == rollback ]] && goal=20
	n=$(sed -n "s/.*KEYS $what: \([0-9]*\) keys.*/\1/p" "$out" | tail -1)
	echo "$what: ${n:-?} keys (goal ≤ $goal)"
done
if ((status != 0)); then
	echo "bench-keys: the tests failed (exit $status):" >&2
	grep -E -- '^(=== RUN|--- FAIL|FAIL|ok)|_test.go:[0-9]+:' "$out" | tail -60 >&2
fi
exit "$status"
