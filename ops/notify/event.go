package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// Event is one notification, as the generic shape sends it. Strings are
// masked before it is queued (Emitter).
type Event struct {
	ID      string    `json:"id"` // unique, and in order within a process
	Event   string    `json:"event"`
	Time    time.Time `json:"time"`
	Summary string    `json:"summary"` // one line for people
	Runbook string    `json:"runbook,omitempty"`
	RunID   string    `json:"run_id,omitempty"`
	Step    string    `json:"step,omitempty"`
	Command string    `json:"command,omitempty"` // the command's id
	Title   string    `json:"title,omitempty"`   // the command's title
	Script  string    `json:"script,omitempty"`  // as it ran, masked
	Actor   string    `json:"actor"`             // user@host
	Host    string    `json:"host"`
	Outcome string    `json:"outcome,omitempty"`
	// ExitCode and Duration of a command that ended.
	ExitCode *int   `json:"exit_code,omitempty"`
	Duration string `json:"duration,omitempty"`
	// Confirmation is the phrase typed; Destroys what the command destroys.
	Confirmation string `json:"confirmation,omitempty"`
	Destroys     string `json:"destroys,omitempty"`
	Reason       string `json:"reason,omitempty"`
	// Output is the end of a failed command's output (masked).
	Output     []string    `json:"output_tail,omitempty"`
	Deployment *Deployment `json:"deployment,omitempty"`
	// Audit is the record this event was derived from.
	Audit AuditRef `json:"audit"`
}

// AuditRef names an audit record.
type AuditRef struct {
	Event string    `json:"event"`
	Time  time.Time `json:"time"`
}

// Deployment is the run's deployment record in short: versions before and
// after, the rollback, and when the stack was down.
type Deployment struct {
	From         string   `json:"from,omitempty"`
	To           string   `json:"to,omitempty"`
	RolledBackTo string   `json:"rolled_back_to,omitempty"`
	Statement    string   `json:"statement,omitempty"`
	Outages      []Outage `json:"outages,omitempty"`
}

// Outage is a window the stack was down (checklist.Outages).
type Outage struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to,omitzero"` // zero: not over when sent
	Duration string    `json:"duration"`
}

// failedOutcomes are the run.end outcomes that make command.failed (a
// cancel is the operator's own doing; a warning is not a failure).
var failedOutcomes = []string{"failed", "timeout", "interrupted"}

// A deploy.gate record is written when the gate starts (running) and when
// it ends (checklist.GateResult); only a failed one is news. "unknown"
// (could not tell) is in the record and the report, not a failure.

// deriver turns audit records into events. What it reads besides the
// record is given as functions (the emitter's state dir, the runbook).
type deriver struct {
	rb *checklist.Runbook
	// run is the run as saved (the session saves before it audits); nil
	// when it cannot be read.
	run func(id string) *checklist.Run
	// outputTail is the end of a job's output.log.
	outputTail func(runID, jobID string) []string
	// once says true the first time it is asked for (run, event), across
	// processes.
	once func(runID, event string) bool
}

// derive is the events rec makes, most often none.
func (d *deriver) derive(rec audit.Record) []Event {
	if rec.Time.IsZero() {
		rec.Time = time.Now().UTC() // Append sets it on its own copy
	}
	base := Event{Time: rec.Time, RunID: rec.RunID, Step: rec.StepID, Command: rec.CommandID, Actor: rec.Actor.User + "@" + rec.Actor.Host,
		Host: rec.Actor.Host, Audit: AuditRef{Event: rec.Event, Time: rec.Time}}
	if d.rb != nil {
		base.Runbook = d.rb.Title
		if c, err := d.rb.Command(rec.CommandID); rec.CommandID != "" && err == nil {
			base.Title = c.Title
		}
	}
	what := base.Title
	if what == "" {
		what = rec.CommandID
	}
	ev := base
	switch {
	case rec.Event == "run.new":
		ev.Event = "run.started"
		ev.Summary = fmt.Sprintf("%s started run %s of %s", ev.Actor, rec.RunID, orDefault(base.Runbook, rec.Message))
	case rec.Event == "deploy.from":
		ev.Event = "deployment.started"
		ev.Summary = fmt.Sprintf("%s started a deployment on %s, %s", ev.Actor, ev.Host, rec.Message)
		ev.Deployment = &Deployment{From: label(rec.Artifacts)}
	case rec.Event == "confirm" && rec.Confirmation != "" && rec.Confirmation != "yes":
		// A typed phrase (not "yes") is asked for destructive commands and
		// for those behind the fresh-backup gate.
		ev.Event = "destructive.confirmed"
		ev.Script, ev.Confirmation, ev.Destroys = rec.Command, rec.Confirmation, rec.Message
		ev.Summary = fmt.Sprintf("%s confirmed %q on %s", ev.Actor, what, ev.Host)
		if rec.Message != "" {
			ev.Summary += ": destroys " + rec.Message
		}
	case rec.Event == "run.end" && slices.Contains(failedOutcomes, rec.Outcome):
		ev.Event = "command.failed"
		ev.Outcome, ev.ExitCode, ev.Duration, ev.Reason = rec.Outcome, rec.ExitCode, rec.Duration, rec.Message
		ev.Summary = fmt.Sprintf("%q %s on %s", what, rec.Outcome, ev.Host)
		if rec.ExitCode != nil {
			ev.Summary += fmt.Sprintf(" (exit %d)", *rec.ExitCode)
		}
		if d.outputTail != nil && rec.JobID != "" {
			ev.Output = d.outputTail(rec.RunID, rec.JobID)
		}
	case rec.Event == "approval.requested" || rec.Event == "approval.granted":
		ev.Event = rec.Event
		ev.Script, ev.Reason = rec.Command, rec.Message
		ev.Summary = fmt.Sprintf("%s: %s for %q", ev.Actor, strings.TrimPrefix(rec.Event, "approval."), what)
	case rec.Event == "deploy.gate" && gateResult(rec) == string(checklist.GateFailed):
		ev.Event = "gate.failed"
		ev.Outcome, ev.Reason = gateResult(rec), orDefault(rec.Message, rec.Artifacts["reason"])
		ev.Summary = fmt.Sprintf("health gate %s on %s: %s", ev.Outcome, ev.Host, ev.Reason)
		ev.Deployment = d.deployment(rec.RunID)
	case rec.Event == "run.start" && d.inRollback(rec.CommandID):
		if d.once != nil && !d.once(rec.RunID, "rollback.started") {
			return nil
		}
		ev.Event = "rollback.started"
		ev.Script = rec.Command
		ev.Summary = fmt.Sprintf("%s started the rollback on %s: %q", ev.Actor, ev.Host, what)
		ev.Deployment = d.deployment(rec.RunID)
	}
	var out []Event
	if ev.Event != "" {
		out = append(out, ev)
	}
	// The record that completes the checklist finishes the run.
	if slices.Contains(finishers, rec.Event) && d.finished(rec.RunID) {
		if d.once == nil || d.once(rec.RunID, "run.finished") {
			fin := base
			fin.Event = "run.finished"
			fin.Deployment = d.deployment(rec.RunID)
			fin.Summary = fmt.Sprintf("run %s of %s finished on %s", rec.RunID, orDefault(base.Runbook, "the runbook"), fin.Host)
			if fin.Deployment != nil && fin.Deployment.Statement != "" {
				fin.Summary += ": " + fin.Deployment.Statement
			}
			out = append(out, fin)
		}
	}
	return out
}

// inRollback says whether a command is in the rollback procedure.
func (d *deriver) inRollback(cmdID string) bool {
	if d.rb == nil {
		return false
	}
	st := d.rb.StepOf(cmdID)
	if st == nil {
		return false
	}
	sec := d.rb.SectionOf(st.ID)
	rb := d.rb.RoleSection("rollback", "Rollback Procedure")
	return sec != nil && (sec == rb || strings.Contains(strings.ToLower(sec.Title), "rollback"))
}

// finishers are the records after which a run may have finished: a
// command's end, a skip, a tick, and the rollback recorded (it is stored
// in the background after the rollback command's end).
var finishers = []string{"run.end", "skip", "check", "deploy.rolled-back"}

// finished says whether the run is over: its checklist is complete (every
// summary item that does not lead to the rollback or the emergency
// procedures is done or skipped), or it rolled back and every summary item
// that leads to the rollback is done. A runbook without a summary never
// finishes this way.
func (d *deriver) finished(runID string) bool {
	if d.rb == nil || d.run == nil {
		return false
	}
	run := d.run(runID)
	if run == nil {
		return false
	}
	rollback := d.rb.RoleSection("rollback", "Rollback Procedure")
	aside := []*checklist.Section{rollback, d.rb.RoleSection("emergency", "Emergency Procedures")}
	settled := func(it checklist.Item) bool {
		return it.Status == checklist.ItemDone || it.Status == checklist.ItemSkipped
	}
	checklistDone, rolledBack := true, run.Deployment != nil && run.Deployment.RolledBack != nil && !run.Deployment.RolledBack.At.IsZero()
	n, nBack := 0, 0
	for _, g := range checklist.Summary(d.rb, run) {
		for _, it := range g.Items {
			sec, _, _ := d.rb.ItemTarget(it.Check)
			switch {
			case sec != nil && sec == rollback:
				nBack++
				rolledBack = rolledBack && it.Status == checklist.ItemDone
			case sec != nil && slices.Contains(aside, sec):
			default:
				n++
				checklistDone = checklistDone && settled(it)
			}
		}
	}
	return (n > 0 && checklistDone) || (nBack > 0 && rolledBack)
}

// deployment is the run's deployment record in short, nil without one.
func (d *deriver) deployment(runID string) *Deployment {
	if d.run == nil {
		return nil
	}
	run := d.run(runID)
	if run == nil || run.Deployment == nil || run.Deployment.From == nil {
		return nil
	}
	rec := run.Deployment
	out := &Deployment{From: rec.From.Label(), Statement: rec.Statement(time.UTC)}
	if rec.To != nil {
		out.To = rec.To.Label()
	}
	if rec.RolledBack != nil && rec.RolledBack.State != nil {
		out.RolledBackTo = rec.RolledBack.State.Label()
	}
	if d.rb != nil {
		now := time.Now()
		for _, o := range checklist.Outages(d.rb, run) {
			out.Outages = append(out.Outages, Outage{From: o.From, To: o.To, Duration: o.Duration(now).Round(time.Second).String()})
		}
	}
	return out
}

// label is a deploy.* record's stack state in one word, as
// StackState.Label says it.
func label(a map[string]string) string {
	st := checklist.StackState{AppVersion: a["app_version"], Tag: a["tag"], Commit: a["commit"]}
	return st.Label()
}

// gateResult is a deploy.gate record's result: its outcome, else its
// "result" artifact.
func gateResult(rec audit.Record) string {
	return orDefault(rec.Outcome, rec.Artifacts["result"])
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
