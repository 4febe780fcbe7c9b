package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/session"
)

// crashAt runs planner-tui with args and the test crash point set: it must
// die of SIGKILL there.
func crashAt(t *testing.T, point string, args ...string) {
	t.Helper()
	c := command(t, args...)
	c.Env = append(c.Env, session.EnvTestCrash+"="+point)
	out, err := c.CombinedOutput()
	var ee *exec.ExitError
	if !errorsAs(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("planner-tui %s with %s=%s: %v, want death by SIGKILL\n%s", strings.Join(args, " "), session.EnvTestCrash, point, err, out)
	}
}

func errorsAs(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*ee = e
	}
	return ok
}

// runState loads the one run of the stack's state dir.
func (s *stack) runState(t *testing.T) *checklist.Run {
	t.Helper()
	st, err := checklist.OpenStore(s.state)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v; want one", runs, err)
	}
	r, err := st.Load(runs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (s *stack) ends(t *testing.T, cmdID string) []audit.Record {
	t.Helper()
	recs, err := audit.Read(filepath.Join(s.state, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var ends []audit.Record
	for _, r := range recs {
		if r.Event == "run.end" && r.CommandID == cmdID {
			ends = append(ends, r)
		}
	}
	return ends
}

// kill -9 between saving a command's end and auditing it: the next start
// writes the missing run.end, once.
func TestKillBetweenStateAndAudit(t *testing.T) {
	s := newStack(t)
	crashAt(t, "after-save", s.args("run", idExit42)...)
	if c := s.runState(t).Commands[idExit42]; c == nil || c.Status != checklist.Failed || c.ExitCode != 42 {
		t.Fatalf("saved state: %+v, want failed with exit 42", c)
	}
	if ends := s.ends(t, idExit42); len(ends) != 0 {
		t.Fatalf("the audit log has a run.end although planner-tui died before writing it: %+v", ends)
	}
	for range 2 { // the second start must not write it again
		if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
			t.Fatalf("next run: exit %d: %s", r.code, r.stderr)
		}
	}
	ends := s.ends(t, idExit42)
	if len(ends) != 1 || ends[0].ExitCode == nil || *ends[0].ExitCode != 42 || ends[0].Outcome != "failed" {
		t.Fatalf("run.end records after restart: %+v, want exactly one, failed, exit 42", ends)
	}
	if bad, err := audit.Verify(filepath.Join(s.state, "audit.jsonl")); err != nil {
		t.Errorf("audit chain broken at line %d: %v", bad, err)
	}
}

// A command marked running whose supervisor never started (planner-tui
// killed in between, or the supervisor could not start) shows as
// interrupted, "never started", not running.
func TestNeverStarted(t *testing.T) {
	t.Run("killed before the supervisor", func(t *testing.T) {
		s := newStack(t)
		crashAt(t, "before-supervisor", s.args("run", idTouch, "--yes")...)
		if c := s.runState(t).Commands[idTouch]; c == nil || c.Status != checklist.Running {
			t.Fatalf("saved state after the kill: %+v, want running (the window under test)", c)
		}
		// A read-only look already tells the truth ...
		if c := s.commandStatus(t, idTouch); c.Status != "interrupted" {
			t.Errorf("list --json: %+v, want interrupted", c)
		}
		// ... and the next writer records it.
		if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
			t.Fatalf("next run: exit %d: %s", r.code, r.stderr)
		}
		c := s.runState(t).Commands[idTouch]
		if c.Status != checklist.Interrupted || !strings.HasPrefix(c.Error, "never started: ") {
			t.Errorf("state: %+v, want interrupted, never started", c)
		}
		if s.exists("changed") {
			t.Error("the command ran")
		}
		if ends := s.ends(t, idTouch); len(ends) != 1 || !strings.Contains(ends[0].Message, "never started") {
			t.Errorf("run.end records: %+v", ends)
		}
	})
	t.Run("the supervisor cannot start", func(t *testing.T) {
		s := newStack(t)
		if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
			t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
		}
		// The jobs dir of the run is a file: no job dir can be made.
		jobs := filepath.Join(s.state, "runs", s.runState(t).ID, "jobs")
		if err := os.RemoveAll(jobs); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jobs, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		r := cli(t, s.args("run", idTouch, "--yes")...)
		if r.code == 0 || !strings.Contains(r.stderr, "job dir") {
			t.Errorf("run with no job dir possible: exit %d, %q", r.code, r.stderr)
		}
		c := s.runState(t).Commands[idTouch]
		if c.Status != checklist.Interrupted || !strings.HasPrefix(c.Error, "never started: ") {
			t.Errorf("state: %+v, want interrupted, never started", c)
		}
	})
}

// `runs` lists each run with its runbook and status; `runs resume` takes
// back a run of this runbook and refuses one of another.
func TestRunsListAndResume(t *testing.T) {
	s := newStack(t)
	if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	first := s.runState(t).ID
	if r := cli(t, s.args("runs", "new", "second")...); r.code != 0 {
		t.Fatalf("runs new: exit %d: %s", r.code, r.stderr)
	}
	// Another runbook on the same state dir: its own run, A's untouched.
	other := filepath.Join(t.TempDir(), "other.md")
	src, err := os.ReadFile(s.runbook)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, src, 0o600); err != nil {
		t.Fatal(err)
	}
	otherArgs := func(args ...string) []string {
		return append([]string{"--runbook", other, "--dir", s.planner, "--state-dir", s.state, "--set", "MARK_DIR=" + s.marks}, args...)
	}
	if r := cli(t, otherArgs("run", idGreet)...); r.code != 0 {
		t.Fatalf("run on the other runbook: exit %d: %s", r.code, r.stderr)
	}

	r := cli(t, s.args("runs")...)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 4 || !strings.Contains(lines[0], "RUNBOOK") || !strings.Contains(lines[0], "STATUS") {
		t.Fatalf("runs: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		switch {
		case strings.Contains(l, other):
			if f[0] != "*" || f[3] != "open" {
				t.Errorf("run of the other runbook: %q, want current and open", l)
			}
		case f[0] == first || f[1] == first:
			if f[0] == "*" || f[1] != s.runbook || f[2] != "ended" {
				t.Errorf("first run: %q, want not current, runbook %s, ended", l, s.runbook)
			}
		default:
			if f[0] != "*" || f[2] != s.runbook || f[3] != "open" {
				t.Errorf("second run: %q, want current, runbook %s, open", l, s.runbook)
			}
		}
	}

	if r := cli(t, otherArgs("runs", "resume", first)...); r.code == 0 || !strings.Contains(r.stderr, "belongs to runbook "+s.runbook) {
		t.Errorf("resume of a run of another runbook: exit %d, %q", r.code, r.stderr)
	}
	if r := cli(t, s.args("runs", "resume", first)...); r.code != 0 || !strings.Contains(r.stdout, "current run "+first) {
		t.Fatalf("runs resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var st statusReport
	jsonOf(t, &st, s.args("status", "--json")...)
	if st.Run != first {
		t.Errorf("status after resume: run %s, want %s", st.Run, first)
	}
}
