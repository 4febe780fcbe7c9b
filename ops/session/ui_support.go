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
	status, detail := cmd.Outcome.JudgeUnseen(exitCode)
	errText := ""
	switch {
	case exitCode < 0:
		status, errText = checklist.Failed, "could not start"
	case status == checklist.Failed:
		errText = fmt.Sprintf("exited with %d", exitCode)
	}
	outcome := string(status)
	cr.Status, cr.ExitCode, cr.Error, cr.Detail = status, exitCode, errText, detail
	cr.Started, cr.Ended = started.UTC(), ended.UTC()
	s.run.KeepAttempt(cmd.ID, *cr) // a retry must not overwrite this attempt
	if err := s.rec.save(s.run); err != nil {
		return fmt.Errorf("record %s: %w", cmd.ID, err)
	}
	s.afterEnd(cmd.ID, *cr) // the deployment record (record.go): read in the background
	code := exitCode
	s.record(audit.Record{Time: ended.UTC(), Event: "run.end", RunID: s.run.ID, StepID: s.rec.stepID(cmd.ID), CommandID: cmd.ID, ExitCode: &code,
		DurationMS: ended.Sub(started).Milliseconds(), Outcome: outcome, Message: endMessage(cr)})
	return nil
}
