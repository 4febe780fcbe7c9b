package session

import (
	"errors"
	"fmt"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/lock"
)

// Action is something the screen does to the world outside the runbook (a
// container restart from the stack pane), admitted like a command: the
// operator lock, the confirmation and the audit log. Done records its end.
type Action struct {
	s       *Session
	kind    string // the audit event: "container.restart"
	subject string // what it acts on: the container's name
	what    string // the request, in words
	started time.Time
}

// AdmitAction admits an action of kind (its audit event) on subject, asked
// for as what ("restart container x (service y)"). confirmation is what the
// operator answered: only "yes" goes on. It takes the operator lock as
// Start does (so it is refused while another operator drives the state
// dir), and writes `confirm` and kind "…: requested" to the audit log. A
// refusal is audited and returns *RefusedError; nothing was done.
func (s *Session) AdmitAction(kind, subject, what, confirmation string) (*Action, error) {
	shown := s.Mask(confirmation)
	refuse := func(event, reason string) (*Action, error) {
		s.record(audit.Record{Event: event, RunID: s.Snapshot().Run.ID, CommandID: subject, Command: what, Confirmation: shown, Outcome: "refused", Message: s.Mask(reason)})
		return nil, &RefusedError{CommandID: subject, Reason: reason}
	}
	if err := s.writable(what); err != nil {
		return nil, err
	}
	if confirmation != "yes" {
		return refuse("refuse", "not confirmed (answer y)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			s.record(audit.Record{Event: "lock.refused", RunID: s.run.ID, CommandID: subject, Command: what, Outcome: "refused", Message: err.Error()})
			return nil, &RefusedError{CommandID: subject, Reason: err.Error()}
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	// One thing at a time, as for commands: a restart under a running
	// migration or backup is what the operator did not see coming.
	if id, cr := s.runningLocked(); cr != nil {
		title := id
		if c, err := s.runbook.Command(id); err == nil {
			title = c.Title
		}
		reason := fmt.Sprintf("%q is running (since %s): one command at a time; wait for it or cancel it first", title, cr.Started.Local().Format("15:04:05"))
		s.record(audit.Record{Event: "refuse", RunID: s.run.ID, CommandID: subject, Command: what, Confirmation: shown, Outcome: "refused", Message: s.Mask(reason)})
		return nil, &RefusedError{CommandID: subject, Reason: reason}
	}
	s.record(audit.Record{Event: "confirm", RunID: s.run.ID, CommandID: subject, Command: what, Confirmation: shown, Message: kind})
	s.record(audit.Record{Event: kind, RunID: s.run.ID, CommandID: subject, Message: s.Mask(what + ": requested")})
	return &Action{s: s, kind: kind, subject: subject, what: what, started: time.Now()}, nil
}

// Done records how the action ended: kind "…: done" or "…: failed: err".
func (a *Action) Done(err error) {
	if a == nil || a.s == nil {
		return
	}
	rec := audit.Record{Event: a.kind, RunID: a.s.Snapshot().Run.ID, CommandID: a.subject, Outcome: "ok", DurationMS: time.Since(a.started).Milliseconds(), Message: a.what + ": done"}
	if err != nil {
		rec.Outcome, rec.Message = "failed", a.what+": failed: "+err.Error()
	}
	rec.Message = a.s.Mask(rec.Message)
	a.s.record(rec)
}
