package session

import (
	"context"
	"errors"
	"fmt"

	"path/filepath"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/lock"
	"planner-tui/ops/runner"
)

// ErrNothingRunning is returned by CancelRunning when no command of the
// run is running.
var ErrNothingRunning = errors.New("nothing to cancel: no command of the current run is running")

// CancelRunning stops a command left running (by a planner-tui that died,
// or by another `run`), from any process: SIGTERM to its process group via
// its supervisor (SIGKILL after the grace period), then it waits for the
// end and records it like any other end. cmdID "" means the running one;
// otherwise it must name the running command.
//
// Like every write to the run it needs the operator lock: while a live
// process holds it (a TUI, a `run` still following its command) this
// refuses with *RefusedError naming that process, which can stop the
// command itself (Ctrl+C, or c in the TUI).
func (s *Session) CancelRunning(ctx context.Context, cmdID string) (checklist.CommandRun, error) {
	if err := s.writable("cancel a command"); err != nil {
		return checklist.CommandRun{}, err
	}
	if cmdID != "" {
		c, err := s.runbook.Command(cmdID)
		if err != nil {
			return checklist.CommandRun{}, err
		}
		cmdID = c.ID
	}
	s.mu.Lock()
	if err := s.lockLocked(); err != nil {
		s.mu.Unlock()
		var held *lock.HeldError
		if errors.As(err, &held) {
			return checklist.CommandRun{}, &RefusedError{CommandID: cmdID, Reason: err.Error() + "; cancel needs the operator lock like any write: stop the command in that process (Ctrl+C, or c in the TUI), or end that process"}
		}
		return checklist.CommandRun{}, err
	}
	// Taking the lock reloaded and reconciled the run: what is still
	// running now really runs.
	id, cr := s.runningLocked()
	runID := s.run.ID
	s.mu.Unlock()
	switch {
	case cr == nil:
		return checklist.CommandRun{}, ErrNothingRunning
	case cmdID != "" && id != cmdID:
		return checklist.CommandRun{}, fmt.Errorf("%s is not running in run %s (%s is)", cmdID, runID, id)
	case cr.JobID == "interactive":
		return checklist.CommandRun{}, fmt.Errorf("%s has the terminal of the planner-tui that started it: stop it there", id)
	}
	e := s.Running(ctx, nil)
	if e == nil || e.CommandID != id {
		return checklist.CommandRun{}, fmt.Errorf("cannot follow %s: its job dir is gone", id)
	}
	if err := e.Cancel(); err != nil {
		return checklist.CommandRun{}, err
	}
	return e.Wait()
}

// killSlack is how long past a job's grace a cancel waits before it kills
// the group itself: the supervisor, when alive, escalates at the grace.
const killSlack = time.Second

// escalate follows a cancelled command. Its supervisor escalates to
// SIGKILL after the grace; when the supervisor is dead (kill -9, OOM)
// nothing does, and a command that ignores SIGTERM would run, and be
// waited for, for ever: past the grace this process sends SIGKILL to its
// process group (runner.KillGroup, which also writes the result) and
// audits it. It returns at once when the command ends first.
func (e *Execution) escalate() {
	jobDir := filepath.Dir(e.LogPath)
	grace := runner.Grace(jobDir)
	t := time.NewTimer(grace + killSlack)
	defer t.Stop()
	select {
	case <-e.waited:
		return
	case <-t.C:
	}
	pgid, err := runner.KillGroup(jobDir)
	rec := audit.Record{Event: "cancel.kill", RunID: e.s.Run().ID, CommandID: e.CommandID, Outcome: "killed",
		Message: fmt.Sprintf("the command ignored SIGTERM for %s and its supervisor is gone: SIGKILL to process group %d", grace, pgid)}
	switch {
	case err != nil:
		rec.Outcome, rec.Message = "failed", "SIGKILL after the grace: "+err.Error()
	case pgid == 0:
		return // it ended, or its supervisor escalates
	}
	e.s.record(rec)
}
