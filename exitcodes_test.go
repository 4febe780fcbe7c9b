package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/ops/audit"
)

const (
	idExit2  = "basics/exit-codes/exit-two"
	idExit66 = "basics/exit-codes/exit-sixty-six"
)

// `run` tells "nothing ran" (and why) apart from the command's own exit
// code, even one that collides with ours, by its exit code and --json.
func TestRunExitCodesTellApart(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		outcome string
		ran     bool
		cmdExit int // -1: none
	}{
		{"unknown id", []string{"run", "no-such-command"}, exitUnknownID, "unknown_id", false, -1},
		{"unknown --choose", []string{"run", "pick-a", "--choose", "no-such-command"}, exitUnknownID, "unknown_id", false, -1},
		{"malformed --param", []string{"run", "deploy-a-version", "--param", "noequals"}, exitBadParam, "bad_parameter", false, -1},
		{"missing parameters", []string{"run", "deploy-a-version"}, exitBadParam, "bad_parameter", false, -1},
		{"two ids", []string{"run", "exit-zero", "exit-one"}, exitBadParam, "", false, -1},
		{"refused: no phrase", []string{"run", "wipe-the-scratch-dir"}, exitRefused, "refused", false, -1},
		{"refused: change not confirmed", []string{"run", "touch-the-change-marker"}, exitRefused, "refused", false, -1},
		{"the command exits 2", []string{"run", idExit2}, 2, "failed", true, 2},
		{"the command exits 66, our refusal code", []string{"run", idExit66}, 66, "failed", true, 66},
		{"the command exits 42", []string{"run", idExit42}, 42, "failed", true, 42},
		{"the command succeeds", []string{"run", idExit0}, 0, "ok", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			r := cli(t, s.args(append(tt.args, "--json")...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.outcome == "" {
				return // refused by the argument parser: no JSON
			}
			var out struct {
				Outcome  string `json:"outcome"`
				Exit     int    `json:"exit"`
				Ran      bool   `json:"ran"`
				ExitCode *int   `json:"exit_code"`
				Reason   string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("stdout is not one JSON object (the command's output belongs on stderr): %v\n%s", err, r.stdout)
			}
			if out.Outcome != tt.outcome || out.Exit != tt.code || out.Ran != tt.ran {
				t.Errorf("--json = %+v, want outcome %s, exit %d, ran %v", out, tt.outcome, tt.code, tt.ran)
			}
			if got := -1; out.ExitCode != nil {
				got = *out.ExitCode
				if got != tt.cmdExit {
					t.Errorf("exit_code %d, want %d", got, tt.cmdExit)
				}
			} else if tt.cmdExit != -1 {
				t.Errorf("no exit_code, want %d", tt.cmdExit)
			}
			if !tt.ran && out.Reason == "" {
				t.Error("nothing ran, and no reason given")
			}
		})
	}
	t.Run("a bad output cap: nothing runs, 70", func(t *testing.T) {
		s := newStack(t)
		c := command(t, s.args("run", "touch-the-change-marker", "--yes")...)
		c.Env = append(c.Env, "PLANNER_TUI_OUTPUT_CAP=lots")
		out, err := c.CombinedOutput()
		if c.ProcessState == nil || c.ProcessState.ExitCode() != exitInternal || !strings.Contains(string(out), "PLANNER_TUI_OUTPUT_CAP") {
			t.Errorf("exit %v, %v: %s", c.ProcessState, err, out)
		}
		if s.exists("changed") {
			t.Error("the command ran")
		}
	})
	t.Run("without --json: a refusal says so, a command's 66 does not", func(t *testing.T) {
		s := newStack(t)
		ref := cli(t, s.args("run", "wipe-the-scratch-dir")...)
		own := cli(t, s.args("run", idExit66)...)
		if ref.code != 66 || own.code != 66 {
			t.Fatalf("exits %d and %d, want 66 both", ref.code, own.code)
		}
		if !strings.Contains(ref.stderr, "refused") || strings.Contains(ref.stderr, "■") {
			t.Errorf("refusal stderr: %q", ref.stderr)
		}
		if strings.Contains(own.stderr, "refused") || !strings.Contains(own.stderr, "■ "+idExit66+": failed (exit 66") {
			t.Errorf("command's own 66 stderr: %q", own.stderr)
		}
	})
}

// cancel stops a step left running by a planner-tui that died, named by
// its id or, without one, as the run's running command; it refuses while a
// live process holds the operator lock, naming it, and does not stop the
// running step when asked for another command.
func TestCancelHeadless(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"by id", []string{"cancel", idBlock7}},
		{"without an id", []string{"cancel"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			p, pgid, done := startBlocked(t, s)

			// The `run` following the step is alive and holds the lock.
			r := cli(t, s.args("cancel")...)
			if r.code != exitRefused || !strings.Contains(r.stderr, "pid "+strconv.Itoa(p.Pid)) {
				t.Errorf("cancel while the run holds the lock: exit %d, %q; want %d naming pid %d", r.code, r.stderr, exitRefused, p.Pid)
			}
			if syscall.Kill(-pgid, 0) != nil {
				t.Fatal("the refused cancel stopped the step")
			}

			// That planner-tui dies; the step runs on.
			if err := p.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("planner-tui did not die")
			}
			if r := cli(t, s.args("cancel", "no-such-command")...); r.code != exitUnknownID {
				t.Errorf("cancel of an unknown id: exit %d, %q", r.code, r.stderr)
			}
			// Another command of the runbook is not the one running: it
			// is named, and the step runs on.
			if r := cli(t, s.args("cancel", idGreet)...); r.code == 0 || !strings.Contains(r.stderr, idGreet+" is not running") || !strings.Contains(r.stderr, idBlock7+" is") {
				t.Errorf("cancel of a command that is not running: exit %d, %q", r.code, r.stderr)
			}
			if syscall.Kill(-pgid, 0) != nil {
				t.Fatal("cancel of another command stopped the step")
			}
			r = cli(t, s.args(tt.args...)...)
			if r.code != 0 || !strings.Contains(r.stdout, "cancelled: interrupted") {
				t.Fatalf("%v: exit %d\n%s%s", tt.args, r.code, r.stdout, r.stderr)
			}
			if live := liveMembers(t, pgid); len(live) > 0 {
				t.Errorf("processes of the step's group still run after cancel returned: %v", live)
			}
			if c := s.commandStatus(t, idBlock7); c.Status != "interrupted" {
				t.Errorf("after cancel: %+v, want interrupted", c)
			}
			recs, err := audit.Read(filepath.Join(s.state, "audit.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			if !hasRecord(recs, "cancel", idBlock7) || !hasRecord(recs, "run.end", idBlock7) {
				t.Errorf("audit log lacks the cancel or the run.end of %s", idBlock7)
			}
			if r := cli(t, s.args("cancel")...); r.code != 1 || !strings.Contains(r.stderr, "nothing to cancel") {
				t.Errorf("cancel with nothing running: exit %d, %q", r.code, r.stderr)
			}
		})
	}
}

// liveMembers lists the processes of group pgid that still run (zombies,
// waiting to be reaped by whoever adopted them, do not count).
func liveMembers(t *testing.T, pgid int) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:])) // state ppid pgrp ...
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			live = append(live, e.Name()+" "+string(b[:i+1]))
		}
	}
	return live
}
