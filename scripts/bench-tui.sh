#!/usr/bin/env bash
# The TUI benchmarks of `make bench` (scripts/bench.sh runs this), all in a
# real terminal: a private tmux server (its own socket, no user config, no
# status line) with a 120×40 window, driven from outside with send-keys and
# read with capture-pane. Medians of BENCH_RUNS runs (default 5).
#
#   1. a step printing 1,000,000 lines, keypress to "done" on the screen,
#      vs bash printing the same lines into the same kind of tmux pane
#      (goal: <= 0.5x)
#   2. bytes planner-tui writes to the terminal while a step prints, vs the
#      step's output (goal: <= 1%)
#   3. peak RSS of planner-tui (the UI process, not the job's supervisor)
#      while a step prints 7 MB and 200 MB (goal: <= 40 MB, flat)
#   4. key latency while a 200 MB step streams: send-keys to the changed
#      screen (goal: p99 <= 50 ms)
#   5. CPU of planner-tui idle on the home screen for 30 s with the sandbox
#      stack up, the status bar refreshing (goal: < 2% of one core)
#
# Needs tmux, bash >= 5 ($EPOCHREALTIME), and bin/planner-tui (built if
# missing). BENCH_TUI_ONLY=time,bytes,rss,keys,idle picks parts.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

N="${BENCH_RUNS:-5}"
only="${BENCH_TUI_ONLY:-time,bytes,rss,keys,idle}"
want() { [[ ",$only," == *",$1,"* ]]; }
pt="${PLANNER_TUI_BIN:-$PWD/bin/planner-tui}"
[[ -x $pt ]] || go build -o bin/planner-tui .
command -v tmux >/dev/null || { echo "bench-tui: tmux is missing (make deps installs it)" >&2; exit 1; }

work="$(mktemp -d /var/tmp/planner-bench-tui.XXXXXX)"
printf 'set -g status off\nset -g history-limit 2000\nset -g remain-on-exit on\n' >"$work/tmux.conf"
T() { tmux -u -S "$sock" -f "$work/tmux.conf" "$@"; }
# new_window CMD: a fresh tmux server (on a new socket: kill-server returns
# before the old server is gone) with one 120×40 window running CMD.
nsock=0
new_window() {
	[[ -z ${sock:-} ]] || T kill-server 2>/dev/null || true
	nsock=$((nsock + 1))
	sock="$work/tmux-$nsock.sock"
	T new-session -d -s b -x 120 -y 40 "$1"
}
cleanup() {
	[[ -z ${sock:-} ]] || T kill-server 2>/dev/null || true
	# A job still streaming (an interrupted run) would go on writing, and a
	# supervisor fsyncs its files just after the job ends: stop them and
	# wait for them before removing the directory.
	local p sup deadline=$((SECONDS + 10))
	for p in "$work"/state*/runs/*/jobs/*/pid; do
		[[ -f $p ]] || continue
		sup=$(cut -d' ' -f1 "$p")
		kill -TERM -- "$sup" 2>/dev/null || true
		while [[ -d /proc/$sup ]] && ((SECONDS < deadline)); do sleep 0.05; done
	done
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/rb.md" <<'EOF'
# TUI bench runbook

## Output

### Streams

```bash
# A million lines
seq 1 1000000

# Two hundred megabytes
seq 1 23300000

# Nothing
true
```
EOF
mkdir -p "$work/planner"

now_us() { echo "${EPOCHREALTIME/./}"; }
die() {
	echo "bench-tui: $*" >&2
	T capture-pane -p -t b >&2 2>/dev/null || true
	exit 1
}

# screen_has TEXT: the screen shows TEXT now.
screen_has() { [[ $(T capture-pane -p -t b 2>/dev/null) == *"$1"* ]]; }
# wait_for TEXT [SECONDS]: poll the screen (as fast as capture-pane goes).
wait_for() {
	local deadline=$(($(now_us) + ${2:-20} * 1000000))
	until screen_has "$1"; do
		(($(now_us) < deadline)) || die "waited ${2:-20}s for \"$1\""
	done
}
# selected_has TEXT: the highlighted row (▌) of the focused list holds TEXT
# (one capture, no other process: this is the key-latency poll).
nl=$'\n'
selected_has() {
	local s
	s=$(T capture-pane -p -t b 2>/dev/null)
	[[ $s =~ ▌[^$nl]*$1 ]]
}

# start_tui STATE_DIR [ENV_FILE]: planner-tui on the bench runbook (or on
# the embedded one with ENV_FILE's settings) in a fresh 120×40 window;
# waits for the home screen. $work/pid is planner-tui's pid (exec keeps it).
start_tui() {
	local state=$1 envfile=${2:-} args
	rm -f "$work/pid"
	if [[ -n $envfile ]]; then
		args="--state-dir $state"
		printf '#!/bin/sh\necho $$ > %s\nset -a; . %s; set +a\nexec %s %s\n' "$work/pid" "$envfile" "$pt" "$args" >"$work/launch.sh"
	else
		args="--runbook $work/rb.md --dir $work/planner --state-dir $state"
		printf '#!/bin/sh\necho $$ > %s\nexec %s %s\n' "$work/pid" "$pt" "$args" >"$work/launch.sh"
	fi
	chmod +x "$work/launch.sh"
	new_window "$work/launch.sh"
	wait_for "Sections"
	pid=$(cat "$work/pid")
}

# open_cmd QUERY TITLE: search (/), select the command, open it (enter).
open_cmd() {
	T send-keys -t b /
	wait_for "Search the runbook"
	T send-keys -t b -l "$1"
	wait_for "▌command $2"
	T send-keys -t b Enter
	wait_for "not run yet"
}

# job_file NAME: the newest job's file of the current state dir.
# Prints nothing (and succeeds) before the job exists.
job_file() { { ls -td "$state"/runs/*/jobs/*/ 2>/dev/null || true; } | head -1 | sed "s|/$|/$1|"; }
iso_us() { echo $(($(date -d "$1" +%s%N) / 1000)); }
json_field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",]*\).*/\1/p" "$2"; }

# cpu_ticks PID: utime+stime of the process (clock ticks), from /proc/PID/stat
# (fields counted after the ")" that ends the command name).
cpu_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }

# runq_ns PID: time its threads spent runnable but waiting for a CPU
# (/proc/PID/schedstat is the main thread only; sum the tasks).
runq_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $2} END {printf "%d\n", s}'; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100+0.999999); if (i<1) i=1; print a[i]}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u/1000}'; }
row() { printf '  %-58s %s\n' "$1" "$2"; }

# Run a step in the TUI and time it from the keypress to the screen saying
# it is done. Prints "SCREEN_US JOB_US" (JOB_US: bash's own start to end,
# from result.json).
tui_step_time() {
	local t0 t1
	t0=$(now_us)
	T send-keys -t b Enter
	until screen_has "ok (exit 0)"; do :; done
	t1=$(now_us)
	local res
	res=$(job_file result.json)
	echo "$((t1 - t0)) $(($(iso_us "$(json_field ended "$res")") - $(iso_us "$(json_field started "$res")")))"
}

if want time; then
	echo "1,000,000 lines (6.9 MB), keypress to done on the screen, 120×40 tmux, median of $N"
	echo "  method: both sides are timed the same way from outside: the time just before"
	echo "  'tmux send-keys Enter' to the first capture-pane that shows the end (bash: a"
	echo "  line printed after seq; planner-tui: the step's \"ok (exit 0)\"), polling"
	echo "  capture-pane back to back (one capture costs a few ms, the same on both sides)."
	echo "  bash waits in 'read' for that Enter, so neither side pays a process start."
	seq_screen=() tui_screen=() tui_job=()
	for ((r = 0; r < N; r++)); do
		new_window "bash --norc --noprofile -c 'echo READY; read -r _; seq 1 1000000; echo SEQ-DONE; exec sleep 600'"
		wait_for READY
		t0=$(now_us)
		T send-keys -t b Enter
		until screen_has SEQ-DONE; do :; done
		seq_screen+=($(($(now_us) - t0)))

		state="$work/state-time-$r"
		start_tui "$state"
		open_cmd million "A million lines"
		read -r s j < <(tui_step_time)
		tui_screen+=("$s")
		tui_job+=("$j")
	done
	b=$(printf '%s\n' "${seq_screen[@]}" | median)
	s=$(printf '%s\n' "${tui_screen[@]}" | median)
	j=$(printf '%s\n' "${tui_job[@]}" | median)
	row "bash -c 'seq 1 1000000' in the tmux pane" "$(ms "$b") ms"
	row "planner-tui step 'seq 1 1000000', enter to ok on screen" "$(ms "$s") ms  $(awk -v a="$s" -v b="$b" 'BEGIN{printf "%.2fx", a/b}') (goal <= 0.50x)"
	row "  of which the job itself (result.json ended - started)" "$(ms "$j") ms"
	echo
fi

# bytes_run QUERY TITLE: bytes tmux received from planner-tui's terminal
# while the step ran (tmux pipe-pane copies the pane's output to a file),
# against the step's output.log.
bytes_run() {
	state="$work/state-bytes-${1// /-}"
	start_tui "$state"
	open_cmd "$1" "$2"
	local tty="$work/tty-${1// /-}" before after log
	T pipe-pane -t b -o "cat >> $tty"
	until [[ -f $tty ]]; do :; done
	before=$(stat -c %s "$tty")
	T send-keys -t b Enter
	wait_for "ok (exit 0)" 120
	# The copy to the file is asynchronous: wait until it stops growing.
	after=-1
	while [[ $after != "$(stat -c %s "$tty")" ]]; do
		after=$(stat -c %s "$tty")
		sleep 0.2
	done
	log=$(stat -c %s "$(job_file output.log)")
	row "$2: step output $log B, to the terminal" "$((after - before)) B = $(awk -v a=$((after - before)) -v b="$log" 'BEGIN{printf "%.4f%%", 100*a/b}') (goal <= 1%)"
	T pipe-pane -t b
}
if want bytes; then
	echo "bytes written to the terminal during a step vs the step's output (tmux pipe-pane)"
	bytes_run million "A million lines"
	bytes_run "hundred mega" "Two hundred megabytes"
	echo
fi

# rss_run QUERY TITLE: planner-tui's VmRSS sampled every ~20 ms while the
# step runs (by output.log size), and VmHWM (the peak) at the end.
rss_run() {
	state="$work/state-rss-${1// /-}"
	start_tui "$state"
	open_cmd "$1" "$2"
	local start_rss samples=() log=""
	start_rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
	local c0 c1 w0 w1 t0 t1
	c0=$(cpu_ticks "$pid")
	w0=$(runq_ns "$pid")
	t0=$(now_us)
	T send-keys -t b Enter
	while ! screen_has "ok (exit 0)"; do
		[[ -n $log ]] || log=$(job_file output.log)
		[[ -f $log ]] && samples+=("$(stat -c %s "$log") $(awk '/VmRSS/ {print $2}' "/proc/$pid/status")")
		sleep 0.02
	done
	t1=$(now_us)
	c1=$(cpu_ticks "$pid")
	w1=$(runq_ns "$pid")
	local hwm
	hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	local k=${#samples[@]} trace=""
	for f in 1 2 3 4 5; do
		((k > 0)) || break
		read -r b r <<<"${samples[$(((k - 1) * f / 5))]}"
		trace+="$((b / 1000000)) MB: $((r / 1024)) MB, "
	done
	row "$2: VmHWM (peak) of planner-tui" "$(awk -v k="$hwm" 'BEGIN{printf "%.1f MB", k/1024}') (goal <= 40 MB); at start $((start_rss / 1024)) MB"
	row "  VmRSS as the output grew" "${trace%, }"
	row "  planner-tui CPU during the step (utime+stime)" "$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v el=$((t1 - t0)) -v w=$((w1 - w0)) 'BEGIN{printf "%.2f s in %.2f s; runnable but waiting for a CPU %.2f s", c/hz, el/1e6, w/1e9}')"
}
if want rss; then
	echo "peak RSS of planner-tui (/proc/PID/status of the UI process, not the supervisor)"
	rss_run million "A million lines"
	rss_run "hundred mega" "Two hundred megabytes"
	echo
fi

# key_samples FILE STREAMING: press j / k alternately (the selection moves
# between the two last commands) and time send-keys to the first capture
# that shows the new selection. STREAMING=1: a 200 MB step streams meanwhile
# (a sample counts only when the step was still running after it; a new run
# starts when it ends).
key_samples() {
	local out=$1 streaming=$2 n=0 r=0 t0 t1 key wantsel
	: >"$out"
	while ((n < KEYS)); do
		state="$work/state-keys-$streaming-$r"
		r=$((r + 1))
		start_tui "$state"
		open_cmd "hundred mega" "Two hundred megabytes"
		if ((streaming)); then
			T send-keys -t b Enter
			wait_for "running"
			until [[ $(job_file output.log) == */output.log && -s $(job_file output.log) ]]; do :; done
		fi
		while ((n < KEYS)); do
			if selected_has "Two hundred"; then key=j wantsel=Nothing; else key=k wantsel="Two hundred"; fi
			t0=$(now_us)
			T send-keys -t b "$key"
			until selected_has "$wantsel"; do :; done
			t1=$(now_us)
			if ((streaming)) && [[ -f $(job_file result.json) ]]; then
				break # the step ended: this sample was not taken while it streamed
			fi
			echo $((t1 - t0)) >>"$out"
			n=$((n + 1))
		done
		# Let a step still streaming end: it would load the next measurements.
		if ((streaming)); then
			until [[ -f $(job_file result.json) ]]; do sleep 0.05; done
		fi
	done
}
if want keys; then
	KEYS="${BENCH_KEYS:-50}"
	echo "key latency: j/k moving the selection, send-keys to the first capture-pane showing it, $KEYS presses"
	key_samples "$work/keys-idle" 0
	key_samples "$work/keys-busy" 1
	t0=$(now_us)
	for ((i = 0; i < 20; i++)); do T capture-pane -p -t b >/dev/null; done
	cap=$((($(now_us) - t0) / 20))
	ip50=$(pct 50 <"$work/keys-idle") ip99=$(pct 99 <"$work/keys-idle")
	bp50=$(pct 50 <"$work/keys-busy") bp99=$(pct 99 <"$work/keys-busy")
	row "idle (baseline: tmux round trips + capture-pane polling)" "p50 $(ms "$ip50") ms  p99 $(ms "$ip99") ms  (one capture-pane: $(ms "$cap") ms)"
	row "while a 200 MB step streams, as measured" "p50 $(ms "$bp50") ms  p99 $(ms "$bp99") ms"
	row "  the five slowest while it streams" "$(sort -n "$work/keys-busy" | tail -5 | awk '{printf "%.1f ", $1/1000} END {print "ms"}')"
	row "while it streams, minus the idle p50 baseline" "p50 $(ms $((bp50 - ip50))) ms  p99 $(ms $((bp99 - ip50))) ms (goal: p99 <= 50 ms)"
	echo
fi

if want idle; then
	envfile="${PLANNER_SANDBOX:-/var/tmp/planner-sandbox}/planner-tui.env"
	stack=up
	sandbox/env.sh >/dev/null 2>&1 || stack=DOWN
	if [[ $stack == DOWN && -z ${BENCH_IDLE_ANYWAY:-} ]]; then
		echo "idle CPU: skipped, the sandbox stack is not up (sandbox/env.sh fails; BENCH_IDLE_ANYWAY=1 measures anyway)"
	else
		secs="${BENCH_IDLE_SECONDS:-30}"
		echo "idle CPU of planner-tui on the home screen, sandbox stack $stack, ${secs}s (/proc/PID/stat)"
		state="$work/state-idle"
		start_tui "$state" "$envfile"
		# Let the first status refresh land before measuring.
		sleep 3
		hz=$(getconf CLK_TCK)
		read -r u0 s0 cu0 cs0 < <(awk '{sub(/.*\) /, ""); print $12, $13, $14, $15}' "/proc/$pid/stat")
		t0=$(now_us)
		sleep "$secs"
		read -r u1 s1 cu1 cs1 < <(awk '{sub(/.*\) /, ""); print $12, $13, $14, $15}' "/proc/$pid/stat")
		el=$(($(now_us) - t0))
		self=$(awk -v t=$((u1 + s1 - u0 - s0)) -v hz="$hz" -v el="$el" 'BEGIN{printf "%.2f", 100*t/hz/(el/1e6)}')
		kids=$(awk -v t=$((cu1 + cs1 - cu0 - cs0)) -v hz="$hz" -v el="$el" 'BEGIN{printf "%.2f", 100*t/hz/(el/1e6)}')
		row "planner-tui utime+stime / elapsed" "$self% of one core (goal < 2%)"
		row "its waited-for children (cutime+cstime)" "$kids% of one core"
		# The status bar is the line above the key help, at the bottom.
		row "status bar at the end" "$(T capture-pane -p -t b | tail -2 | head -1 | cut -c1-100)"
	fi
fi
