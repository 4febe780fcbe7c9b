package session

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/runner"
)

const stubbornRunbook = `---
title: Cancel test runbook
vars:
  PLANNER_DIR: "."
---

# Cancel test runbook

## Stubborn

### Ignore TERM

` + "```bash" + `
# Ignore SIGTERM
trap '' TERM
echo "pgid=$$"
sleep 1000
` + "```" + `
`

// cancel of a command whose supervisor is dead and which ignores SIGTERM
// does not wait for ever: past the grace it kills the command's process
// group with SIGKILL, and says so in the run and the audit log.
func TestCancelKillsAStubbornCommandWithoutItsSupervisor(t *testing.T) {
	f := newFixture(t)
	f.runbook = filepath.Join(t.TempDir(), "stubborn.md")
	if err := os.WriteFile(f.runbook, []byte(stubbornRunbook), 0o600); err != nil {
		t.Fatal(err)
	}
	const id = "stubborn/ignore-term/ignore-sigterm"
	starter := f.open(t)
	var out syncBuffer
	e, err := starter.Start(context.Background(), plan(t, starter, id, nil), "", &out)
	if err != nil {
		t.Fatal(err)
	}
	var pgid int
	waitFor(t, "the command's pgid", 10*time.Second, func() bool {
		_, after, ok := strings.Cut(out.String(), "pgid=")
		if !ok || !strings.Contains(after, "\n") {
			return false
		}
		pgid, err = strconv.Atoi(strings.TrimSpace(strings.SplitN(after, "\n", 2)[0]))
		return err == nil
	})
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })

	// The supervisor dies (kill -9); the planner-tui that started it goes
	// away; the command runs on, ignoring SIGTERM.
	jobDir := filepath.Dir(e.LogPath)
	pidLine, err := os.ReadFile(filepath.Join(jobDir, runner.PidFile))
	if err != nil {
		t.Fatal(err)
	}
	sup, err := strconv.Atoi(strings.Fields(string(pidLine))[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(sup, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := starter.Close(); err != nil {
		t.Fatal(err)
	}

	s := f.open(t)
	type ended struct {
		cr  checklist.CommandRun
		err error
	}
	done := make(chan ended, 1)
	began := time.Now()
	go func() {
		cr, err := s.CancelRunning(context.Background(), "")
		done <- ended{cr, err}
	}()
	var r ended
	select {
	case r = <-done:
	case <-time.After(runner.DefaultGrace + 15*time.Second):
		t.Fatal("cancel still waits for a command that ignores SIGTERM")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.cr.Status != checklist.Interrupted || !strings.Contains(r.cr.Error, "SIGKILL") {
		t.Errorf("after cancel: %s %q, want interrupted, killed with SIGKILL", r.cr.Status, r.cr.Error)
	}
	if took := time.Since(began); took < runner.DefaultGrace {
		t.Errorf("killed after %s, before the grace of %s", took, runner.DefaultGrace)
	}
	waitFor(t, "the group to be gone", 5*time.Second, func() bool {
		return syscall.Kill(-pgid, 0) == syscall.ESRCH || !groupHasLive(pgid)
	})
	recs := auditEvents(t, f.state)
	if !hasEvent(recs, "cancel", id) || !hasEvent(recs, "cancel.kill", id) || !hasEvent(recs, "run.end", id) {
		t.Errorf("audit log lacks cancel, cancel.kill or run.end of %s: %+v", id, recs)
	}
	if saved := s.Run().Commands[id]; saved.Status != checklist.Interrupted {
		t.Errorf("saved: %s", saved.Status)
	}
}

// groupHasLive says whether a process of group pgid runs (zombies, left
// for whoever adopted them to reap, do not).
func groupHasLive(pgid int) bool {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 2 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" {
			return true
		}
	}
	return false
}
