package session

import (
	"fmt"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// RecordInteractive records how a command started with StartInteractive
// ended: its status, exit code and times in the run, and run.end in the
// audit log.
func (s *Session) RecordInteractive(cmdID string, exitCode int, started, ended time.Time) error {
	if err := s.writable("record a command"); err != nil {
		return err
	}
	cmd, err := s.runbook.Command(cmdID)
	if err != nil {
		return err
	}
	if ended.Before(started) {
		ended = started
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	cr := s.run.Command(cmd.ID)
	if cr.Status != checklist.Running || cr.JobID != "interactive" {
		return fmt.Errorf("%s was not started with StartInteractive (status %s)", cmd.ID, cr.Status)
	}
	status, outcome := checklist.OK, "ok"
	errText := ""
	if exitCode != 0 {
		status, outcome = checklist.Failed, "failed"
		errText = fmt.Sprintf("exited with %d", exitCode)
		if exitCode < 0 {
			errText = "could not start"
		}
	}
	cr.Status, cr.ExitCode, cr.Error = status, exitCode, errText
	cr.Started, cr.Ended = started.UTC(), ended.UTC()
	if err := s.store.Save(s.run); err != nil {
		return fmt.Errorf("record %s: %w", cmd.ID, err)
	}
	code := exitCode
	s.record(audit.Record{Time: ended.UTC(), Event: "run.end", RunID: s.run.ID, StepID: s.stepID(cmd.ID), CommandID: cmd.ID, ExitCode: &code,
		DurationMS: ended.Sub(started).Milliseconds(), Outcome: outcome, Message: errText})
	return nil
}
