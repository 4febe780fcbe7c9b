package session

import (
	"fmt"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// Audit appends an event the screen performed outside the runbook (a
// container restart from the stack pane, ...) to the audit log. subject
// names what it acted on; message is masked before it is written.
func (s *Session) Audit(event, subject, message string) {
	s.record(audit.Record{Event: event, RunID: s.Run().ID, CommandID: subject, Message: s.masker.String(message)})
}

// RecordInteractive records an interactive command (an editor on .env) that
// the screen ran itself with the terminal handed over: the command's state
// in the run (ok with exit 0, else failed with the exit code; -1 when it
// could not start) and run.start/run.end in the audit log with the masked
// command, as Start and Wait do for background commands.
func (s *Session) RecordInteractive(cmdID string, exitCode int, started, ended time.Time) error {
	if err := s.writable("record a command"); err != nil {
		return err
	}
	p, err := s.Plan(cmdID, nil)
	if err != nil {
		return err
	}
	cmd := p.Command
	if !cmd.Interactive {
		return fmt.Errorf("%s is not an interactive command", cmd.ID)
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
	if cr.Status == checklist.Running {
		return fmt.Errorf("%s is marked running: not overwriting it", cmd.ID)
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
	*cr = checklist.CommandRun{
		Status:   status,
		Attempt:  cr.Attempt + 1,
		Started:  started.UTC(),
		Ended:    ended.UTC(),
		ExitCode: exitCode,
		Params:   p.Params,
		Error:    errText,
	}
	if alts := s.runbook.Alternatives(cmd.ID); len(alts) > 1 {
		s.run.Choices[alts[0].ID] = cmd.ID
	}
	if err := s.store.Save(s.run); err != nil {
		return fmt.Errorf("record %s: %w", cmd.ID, err)
	}
	step := s.stepID(cmd.ID)
	s.record(audit.Record{Time: started.UTC(), Event: "run.start", RunID: s.run.ID, StepID: step, CommandID: cmd.ID, Command: p.Display, Message: "interactive"})
	code := exitCode
	s.record(audit.Record{Time: ended.UTC(), Event: "run.end", RunID: s.run.ID, StepID: step, CommandID: cmd.ID, ExitCode: &code,
		DurationMS: ended.Sub(started).Milliseconds(), Outcome: outcome, Message: errText})
	return nil
}
