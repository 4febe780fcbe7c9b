package session

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/fsutil"
	"planner-tui/ops/runner"
)

// InteractiveEnd is how a command started with StartInteractive ended, as
// the screen that gave it the terminal saw it.
type InteractiveEnd struct {
	ExitCode       int // -1: it could not start
	Started, Ended time.Time
	// Stderr is what the command wrote to stderr (its end, at most a few
	// KiB): its last line goes into the record's error.
	Stderr string
	// Transcript is what the screen showed of the command (the command as
	// run, its stderr, the exit code, the .env keys it changed): kept as
	// the attempt's output.log, so the output pane and the report read it
	// after a restart.
	Transcript string
}

// RecordInteractive records how a command started with StartInteractive
// ended: its status, exit code, times, error (with its last stderr line)
// and output in the run, and run.end in the audit log.
func (s *Session) RecordInteractive(cmdID string, end InteractiveEnd) error {
	if err := s.writable("record a command"); err != nil {
		return err
	}
	cmd, err := s.runbook.Command(cmdID)
	if err != nil {
		return err
	}
	started, ended, exitCode := end.Started, end.Ended, end.ExitCode
	if ended.Before(started) {
		ended = started
	}
	// The command may have been an edit of .env: what is recorded and
	// shown from now on must mask its new secrets.
	s.secrets.refresh()
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
	if last := lastLine(end.Stderr); last != "" && errText != "" {
		errText += ": " + s.secrets.Mask(last)
	}
	outcome := string(status)
	cr.Status, cr.ExitCode, cr.Error, cr.Detail = status, exitCode, errText, detail
	cr.Started, cr.Ended = started.UTC(), ended.UTC()
	if end.Transcript != "" {
		// best effort: the record stands without it
		if path, err := s.keepTranscriptLocked(cmd.ID, cr.Attempt, end.Transcript); err == nil {
			cr.Log = path
		}
	}
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

// keepTranscriptLocked writes an interactive attempt's transcript, masked,
// as output.log of a job dir of its own (no supervisor ever runs there).
func (s *Session) keepTranscriptLocked(cmdID string, attempt int, text string) (string, error) {
	_, dir := s.newJobLocked(cmdID, attempt)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keep the output of %s: %w", cmdID, err)
	}
	path := filepath.Join(dir, runner.OutputFile)
	if err := fsutil.WriteFileAtomic(path, []byte(s.secrets.Mask(text)), 0o600); err != nil {
		return "", fmt.Errorf("keep the output of %s: %w", cmdID, err)
	}
	return path, nil
}

// lastLine is the last line of text with something on it.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
