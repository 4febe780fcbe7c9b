package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/session"
)

// inProcess runs the CLI in this process on its own streams, as main does
// with the process's.
func inProcess(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errb)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// The commands write only to the streams they are given: list, show, lint,
// status, report, run and op run in process against testdata/session.md and
// a temp state dir, one after the other on the same run.
func TestCLIInProcess(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("NO_COLOR", "1")
	// The stack's settings from the caller's environment (a sourced
	// sandbox planner-tui.env) would override the runbook's: empty is unset.
	for _, k := range []string{"PLANNER_DIR", "BASE_URL", "BACKUP_DIR", "DB_HOST", "DB_PORT", "DB_USER", "DB_NAME",
		"COMPOSE_FILES", "COMPOSE_PROJECT_NAME", session.EnvVars, session.EnvConfirmed, session.EnvJobDir} {
		t.Setenv(k, "")
	}
	s := newStack(t)
	// A dump that verifies, for op restore's guard.
	dump := filepath.Join(t.TempDir(), "ok.sql")
	if err := os.WriteFile(dump, []byte("--\n-- PostgreSQL database dump\n--\n\nSELECT 1;\n\n--\n-- PostgreSQL database dump complete\n--\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isJSON := func(t *testing.T, s string) {
		if !json.Valid([]byte(s)) {
			t.Errorf("stdout is not JSON:\n%s", s)
		}
	}
	steps := []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		code  int
		// stdout is exact when exact is set; else it holds each of out.
		exact      bool
		out, noOut []string
		errs       []string // stderr holds each; empty: stderr must be empty
		check      func(t *testing.T, r result)
	}{
		{name: "list", args: s.args("list"), out: []string{"Session test runbook", "basics/greet/say-hello", "[ ] Announce the test"}},
		{name: "list --json", args: s.args("list", "--json"), check: func(t *testing.T, r result) { isJSON(t, r.stdout) }},
		{name: "show", args: s.args("show", "say-hello"), out: []string{"Say hello  [" + idGreet + "]", "risk:    safe", `echo "hello from $PWD"`}},
		{name: "show of an unknown id", args: s.args("show", "nosuch"), code: exitUnknownID, exact: true, errs: []string{`planner-tui: no command "nosuch"`}},
		{name: "lint", args: []string{"lint", "testdata/lint/unclosed-fence.md"}, code: 1, out: []string{"testdata/lint/unclosed-fence.md:7: code block is never closed"},
			errs: []string{"planner-tui: testdata/lint/unclosed-fence.md: 1 error(s)"}},
		{name: "status before a run", args: s.args("status"), out: []string{"no run yet"}},
		{name: "run", args: s.args("run", idGreet), exact: true, out: []string{"hello from " + s.planner + "\n"},
			errs: []string{"will run: Say hello", "▶ Say hello  [" + idGreet + ", safe]", "■ " + idGreet + ": ok (exit 0"}},
		{name: "run passes the exit code through", args: s.args("run", idExit42), code: 42, exact: true, out: []string{"about to exit 42\n"},
			errs: []string{"■ " + idExit42 + ": failed (exit 42"}},
		{name: "run --json: the output on stderr, the outcome on stdout", args: s.args("run", "--json", idCount),
			noOut: []string{"line 1\n"}, errs: []string{"line 1\nline 2\n", "line 300\n"},
			check: func(t *testing.T, r result) {
				var o runOutcome
				if err := json.Unmarshal([]byte(r.stdout), &o); err != nil || o.ID != idCount || o.Outcome != "ok" || !o.Ran {
					t.Errorf("outcome %+v (%v)", o, err)
				}
			}},
		{name: "destructive without its phrase", args: s.args("run", "wipe-the-scratch-dir"), code: exitRefused, exact: true, errs: []string{`"wipe-scratch"`}},
		// A y typed on a stdin that is not a terminal is no confirmation.
		{name: "change, y on a stdin that is no terminal", stdin: "y\n", args: s.args("run", "touch-the-change-marker"), code: exitRefused, exact: true, errs: []string{"--yes"}},
		{name: "status after the runs", args: s.args("status"), out: []string{"Basics", "2 ok, 0 warning, 1 failed, 3 of 13"}},
		{name: "report", args: s.args("report"), out: []string{"# Session test runbook", "✓ **Say hello** — ok, exit 0", "**Exit forty-two** — failed, exit 42"}},
		{name: "op restore without the database name", args: s.args("op", "restore", dump), code: exitRefused,
			out: []string{"into     database testdb"}, noOut: []string{"restoring", "fresh backup"}, errs: []string{"refused", "--confirm testdb"}},
		{name: "op restore with another name", args: s.args("op", "restore", dump, "--confirm", "TESTDB"), code: exitRefused,
			noOut: []string{"restoring", "fresh backup"}, errs: []string{`"TESTDB" does not match`, "--confirm testdb"}},
		{name: "op status, docker unreachable", env: map[string]string{"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
			args: s.args("op", "status"), code: 1, out: []string{"compose project testproj", "DOCKER UNREACHABLE", "memory"}},
		{name: "op status --json, docker unreachable", env: map[string]string{"DOCKER_HOST": "unix:///nonexistent/docker.sock"},
			args: s.args("op", "status", "--json"), code: 1, out: []string{`"docker": "docker unreachable`}, check: func(t *testing.T, r result) { isJSON(t, r.stdout) }},
		{name: "an unknown flag is a usage error, not a failure", args: s.args("run", "--bogus", idGreet), code: exitBadParam, errs: []string{"unknown flag: --bogus"}},
		{name: "version", args: []string{"version"}, out: []string{"planner-tui " + version + " (commit ", ", built "}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for k, v := range st.env {
				t.Setenv(k, v)
			}
			r := inProcess(t, st.stdin, st.args...)
			if r.code != st.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, st.code, r.stdout, r.stderr)
			}
			if st.exact {
				if want := strings.Join(st.out, ""); r.stdout != want {
					t.Errorf("stdout %q, want %q", r.stdout, want)
				}
			}
			for _, w := range st.out {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout has no %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range st.noOut {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, r.stdout)
				}
			}
			if len(st.errs) == 0 && r.stderr != "" {
				t.Errorf("stderr not empty:\n%s", r.stderr)
			}
			for _, w := range st.errs {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr has no %q:\n%s", w, r.stderr)
				}
			}
			if st.check != nil {
				st.check(t, r)
			}
		})
	}
	for _, m := range []string{"wiped", "changed"} {
		if s.exists(m) {
			t.Errorf("marker %s exists: a refused command ran", m)
		}
	}
}
