#!/usr/bin/env bash
# make bench: every benchmark the issues ask for, each next to what it is
# compared with, measured in the same run (medians of several runs).
#
#   engine   start-up of `list`; a step printing 1,000,000 lines and one
#            printing 200 MB, headless, vs bash printing the same
#   ops      op backup of a 200 MB database vs compose exec pg_dump > file;
#            op logs-scan over 500 MB of logs vs grep -ciE; op plan (first
#            render, goal <= 2 s, and kept) vs compose run alembic upgrade
#            head --sql, and each render path (BenchmarkPlanFirstRender)
#   tui      (scripts/bench-tui.sh) a million lines in the TUI under tmux vs
#            seq in the same tmux; bytes to the terminal; RSS; key latency;
#            idle CPU of the status bar
#   go       the Go benchmarks (parser, masking, log scan, runner, UI frames)
#   keys     (scripts/bench-keys.sh) key presses of the standard deployment
#            (goal <= 60) and of the rollback (goal <= 20), driven under tmux
#            against the sandbox (which it resets: under the sandbox lock)
#
# BENCH_ONLY=engine,ops,tui,go,keys picks parts. Needs the sandbox for ops,
# tui and keys.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

only="${BENCH_ONLY:-engine,ops,tui,go,keys}"
want() { [[ ",$only," == *",$1,"* ]]; }
N="${BENCH_RUNS:-9}"
work="$(mktemp -d /var/tmp/planner-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

go build -o bin/planner-tui .
go build -o bin/benchcmd ./scripts/benchcmd
pt="$PWD/bin/planner-tui"

section() { printf '\n== %s\n' "$*"; }

if want engine; then
  section "engine: start-up (goal: list <= 15 ms wall, <= 20 MB peak RSS)"
  bin/benchcmd -n 21 -labels "planner-tui version,planner-tui list,planner-tui list --json" \
    "$pt version" "$pt list" "$pt list --json"

  cat > "$work/rb.md" <<'EOF'
# Bench runbook
## Output
### Output
```bash
# A million lines
seq 1 1000000

# 200 MB
seq 1 23300000

# Nothing
true
```
EOF
  run="$pt --runbook $work/rb.md --state-dir $work/state run"
  section "engine: a step printing 1,000,000 lines, headless, stdout to /dev/null (goal: <= 1.5x bash)"
  bin/benchcmd -n "$N" -labels "bash -c 'seq 1 1000000',planner-tui run (seq),bash -c true,planner-tui run (true: fixed cost)" \
    "bash -c 'seq 1 1000000'" "$run a-million-lines" "bash -c true" "$run nothing"
  section "engine: a step printing 200 MB (goal: <= 1.5x bash; RSS flat)"
  bin/benchcmd -n 5 -labels "bash -c 'seq 1 23300000' (200 MB),planner-tui run (200 MB)" \
    "bash -c 'seq 1 23300000'" "$run 200-mb"
  log=$(ls -t "$work"/state/runs/*/jobs/200-mb-*/output.log | head -1)
  echo "full output in the step's log: $(stat -c %s "$log") bytes (want $(seq 1 23300000 | wc -c)): $log"
  rm -rf "$work/state"
fi

if want ops; then
  # shellcheck disable=SC1091
  set -a; . "${PLANNER_SANDBOX:-/var/tmp/planner-sandbox}/planner-tui.env"; set +a
  compose=(docker-compose -f docker-compose.yml -f docker-compose.prod.yml)
  section "ops: backup of a 200 MB database, verification included (goal: >= 0.9x the throughput of exec pg_dump > file)"
  (cd "$PLANNER_DIR" && "${compose[@]}" exec -T db psql -q -U "$DB_USER" -d "$DB_NAME" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
SELECT 'CREATE DATABASE planner_bench' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'planner_bench')\gexec
SQL
  )
  (cd "$PLANNER_DIR" && "${compose[@]}" exec -T db psql -q -U "$DB_USER" -d planner_bench -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
CREATE TABLE IF NOT EXISTS big AS
  SELECT g AS id, md5(g::text) || repeat('x', 96) AS payload FROM generate_series(1, 1450000) g;
SQL
  )
  mkdir -p "$work/bk"
  bin/benchcmd -n 3 -labels "compose exec -T db pg_dump > file,planner-tui op backup (verified)" \
    "bash -c 'cd $PLANNER_DIR && docker-compose -f docker-compose.yml -f docker-compose.prod.yml exec -T db pg_dump -U $DB_USER planner_bench > $work/plain.sql'" \
    "$pt --set DB_NAME=planner_bench --set BACKUP_DIR=$work/bk op backup"
  size=$(stat -c %s "$work/plain.sql")
  echo "dump size: $size bytes ($((size / 1000000)) MB); throughput = size / median time of each line above"

  section "ops: restore drill of that dump (goal: >= 0.9x the throughput of psql restoring it into a scratch database)"
  # Both create a scratch database, restore the same file with psql in the db
  # container and drop it; the drill also hashes the dump, counts its COPY
  # lines and checks the row counts. docker exec (not compose exec) for the
  # baseline: compose v1's start-up would flatter the drill.
  dbct=$(cd "$PLANNER_DIR" && "${compose[@]}" ps -q db)
  cat > "$work/psql-restore.sh" <<EOF
adm() { docker exec $dbct psql -X -q -U $DB_USER -d $DB_NAME -c "\$1"; }
adm 'CREATE DATABASE planner_bench_psql TEMPLATE template0' || exit
docker exec -i $dbct psql -X -q -v ON_ERROR_STOP=1 -U $DB_USER -d planner_bench_psql < $work/plain.sql; rc=\$?
adm 'DROP DATABASE planner_bench_psql'; exit \$rc
EOF
  bin/benchcmd -n 3 -labels "create + docker exec -i db psql < dump + drop,planner-tui op verify-backup --restore-test" \
    "bash $work/psql-restore.sh" "$pt op verify-backup --restore-test $work/plain.sql"
  echo "throughput = $size bytes / median time of each line; the drill prints its own MB/s (psql phase only) with:"
  "$pt" op verify-backup --restore-test "$work/plain.sql" | grep -E '^restore|^drill'
  rm -rf "$work/bk" "$work/plain.sql"

  section "ops: logs-scan over 500 MB of logs vs grep -ciE 'error|exception'"
  docker rm -f planner-bench-spam >/dev/null 2>&1 || true
  docker run -d --name planner-bench-spam --network none \
    --label com.docker.compose.project=planner-bench --label com.docker.compose.service=spam \
    --entrypoint /bin/sh planner-sandbox/redis:7 -c \
    "i=0; yes '2026-11-27 10:00:00,000 INFO uvicorn.access 127.0.0.1 - \"GET /api/v1/programs HTTP/1.1\" 200 OK in 12 ms' | head -c 480000000; yes '2026-11-27 10:00:01,000 ERROR app.api request failed: exception in handler' | head -c 20000000" >/dev/null
  docker wait planner-bench-spam >/dev/null
  docker logs planner-bench-spam > "$work/spam.log" 2>&1
  echo "log size: $(stat -c %s "$work/spam.log") bytes"
  bin/benchcmd -n 3 -labels "grep -ciE on the file,planner-tui op logs-scan --file,docker logs | grep -ciE,planner-tui op logs-scan (Docker API)" \
    "grep -ciE 'error|exception' $work/spam.log" \
    "bash -c '$pt op logs-scan --file $work/spam.log; true'" \
    "bash -c 'docker logs planner-bench-spam 2>&1 | grep -ciE \"error|exception\"'" \
    "bash -c 'COMPOSE_PROJECT_NAME=planner-bench $pt op logs-scan spam; true'"
  docker rm -f planner-bench-spam >/dev/null
  rm -f "$work/spam.log"

  section "ops: op plan on the sandbox, first render (issue 10's goal: <= 2 s) vs the runbook's dry run (compose run --rm -T app alembic upgrade head --sql)"
  # The first render: a new state dir each time, nothing kept (the TUI's
  # review and op plan share plan-cache/). It renders in the running app
  # container (exec); the Go benchmark below times each path and the plan
  # without any render (git and pgx).
  bin/benchcmd -n 5 -labels "compose run --rm -T app alembic upgrade head --sql,planner-tui op plan: first render (new state dir),planner-tui op plan --fresh (renders again),planner-tui op plan (SQL kept from the first render)" \
    "bash -c 'cd $PLANNER_DIR && docker-compose -f docker-compose.yml -f docker-compose.prod.yml run --rm -T app alembic upgrade head --sql >/dev/null 2>&1'" \
    "bash -c 'd=\$(mktemp -d); $pt --state-dir \$d op plan --target v1.2.3 >/dev/null 2>&1; rm -rf \$d; true'" \
    "bash -c '$pt --state-dir $work/plan-state op plan --target v1.2.3 --fresh >/dev/null 2>&1; true'" \
    "bash -c '$pt --state-dir $work/plan-state op plan --target v1.2.3 >/dev/null 2>&1; true'" | tee "$work/plan.txt"
  awk '/first render \(new state dir\)/ { for (i = 1; i < NF; i++) if ($i == "median") ms = $(i + 1) }
    END { if (ms == "") { print "op plan first render: no figure"; exit }
          printf "op plan first render: median %.0f ms against the goal of 2000 ms: %s\n", ms, (ms <= 2000 ? "met" : "NOT met") }' "$work/plan.txt"
  go test -run '^$' -bench BenchmarkPlanFirstRender -benchtime 3x -count 1 ./ops/changes 2>&1 | grep -E '^Benchmark|^ok|FAIL'
fi

if want tui; then
  section "tui"
  scripts/bench-tui.sh
fi

if want go; then
  section "go benchmarks"
  go test -run '^$' -bench . -benchtime 1x -count 1 ./checklist ./ops/mask ./ops/logscan 2>&1 | grep -E '^Benchmark|^ok|FAIL'
  go test -run '^$' -bench . -count 1 ./ops/runner ./ui 2>&1 | grep -E '^Benchmark|^ok|FAIL' || true
fi

if want keys; then
  section "keys: the standard deployment (goal <= 60 keys) and the rollback (goal <= 20), under tmux on the sandbox"
  PLANNER_TUI_BIN="$pt" scripts/bench-keys.sh
fi
