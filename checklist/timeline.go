package checklist

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EventKind is what a timeline entry is.
type EventKind string

const (
	EventAttempt    EventKind = "attempt"     // one attempt of a command
	EventNote       EventKind = "note"        // a note on a step
	EventCheck      EventKind = "check"       // a manual check ticked
	EventBackup     EventKind = "backup"      // a backup taken and recorded
	EventFrom       EventKind = "from"        // what ran before the deployment
	EventTo         EventKind = "to"          // what runs after it (last read)
	EventRolledBack EventKind = "rolled-back" // the rollback, and what runs after it
	EventOutageFrom EventKind = "outage-start"
	EventOutageTo   EventKind = "outage-end"
)

// Event is one entry of a run's story. Strings come from the run as
// stored: the caller masks what it shows.
type Event struct {
	At      time.Time `json:"at"`
	Kind    EventKind `json:"kind"`
	Section string    `json:"section,omitempty"`
	Step    string    `json:"step,omitempty"`
	// Command and Title name the command of an attempt (or of an outage's
	// edge, of the record's from).
	Command string `json:"command,omitempty"`
	Title   string `json:"title,omitempty"`
	// Attempt is the attempt's number, Ended its end (zero while it runs).
	Attempt   int       `json:"attempt,omitempty"`
	Ended     time.Time `json:"ended,omitzero"`
	Status    Status    `json:"status,omitempty"`
	ExitCode  *int      `json:"exit_code,omitempty"`
	Confirmed string    `json:"confirmed,omitempty"` // the phrase typed (or "yes")
	// Text is the note, the check's text, the backup's path, the reason of
	// an attempt's outcome, or the version of a stack state.
	Text string `json:"text,omitempty"`
	By   string `json:"by,omitempty"`
}

// Duration of an attempt; 0 while it runs.
func (e Event) Duration() time.Duration {
	if e.Ended.IsZero() || e.At.IsZero() {
		return 0
	}
	return e.Ended.Sub(e.At)
}

// Outage is a window in which the stack was down: from the start of a
// command that stops it (compose down or stop) to the end of the first
// health wait for the whole stack that passed after it. End is zero while
// no such wait passed.
type Outage struct {
	From, To           time.Time
	FromCmd, ToCmd     string
	FromTitle, ToTitle string
}

// Duration of the outage, up to now when it has not ended.
func (o Outage) Duration(now time.Time) time.Duration {
	if o.To.IsZero() {
		return now.Sub(o.From)
	}
	return o.To.Sub(o.From)
}

var (
	stackDown   = regexp.MustCompile(`(?m)\b(docker-compose|docker\s+compose)\b[^\n|;&]*\s(down|stop)(\s*$|\s+-)`)
	healthyWait = regexp.MustCompile(`\bwait-healthy\b`)
)

// Outages finds the windows in which the run had the stack down, in order.
func Outages(rb *Runbook, run *Run) []Outage {
	type att struct {
		id  string
		c   *Command
		run CommandRun
	}
	var all []att
	for _, c := range rb.Commands() {
		for _, a := range run.AttemptsOf(c.ID) {
			if !a.Started.IsZero() {
				all = append(all, att{c.ID, c, a})
			}
		}
	}
	slices.SortFunc(all, func(a, b att) int { return a.run.Started.Compare(b.run.Started) })
	var out []Outage
	var open *Outage
	for _, a := range all {
		script := a.c.Script
		switch {
		case open == nil && stackDown.MatchString(script) && a.run.Status == OK:
			open = &Outage{From: a.run.Started, FromCmd: a.id, FromTitle: a.c.Title}
		case open != nil && healthyWait.MatchString(script) && !strings.Contains(script, "--service") && a.run.Status == OK:
			open.To, open.ToCmd, open.ToTitle = a.run.Ended, a.id, a.c.Title
			out = append(out, *open)
			open = nil
		}
	}
	if open != nil {
		out = append(out, *open)
	}
	return out
}

// Timeline is the run's story in time order: every attempt of every
// command, notes, ticked checks, backups, the deployment record and the
// outages.
func Timeline(rb *Runbook, run *Run) []Event {
	var ev []Event
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				for _, a := range run.AttemptsOf(c.ID) {
					if a.Started.IsZero() {
						continue
					}
					e := Event{At: a.Started, Kind: EventAttempt, Section: sec.Title, Step: st.Title, Command: c.ID, Title: c.Title,
						Attempt: a.Attempt, Ended: a.Ended, Status: a.Status, Confirmed: a.Confirmed}
					if a.Status != Running && a.Status != Pending && !a.Ended.IsZero() {
						code := a.ExitCode
						e.ExitCode = &code
					}
					e.Text = strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{a.Error, a.Detail}, func(s string) bool { return s == "" }), ": "))
					ev = append(ev, e)
				}
			}
			for _, ck := range st.Checks {
				if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
					ev = append(ev, Event{At: cs.At, Kind: EventCheck, Section: sec.Title, Step: st.Title, Text: ck.Text, By: cs.By})
				}
			}
			for _, n := range run.Notes[st.ID] {
				ev = append(ev, Event{At: n.At, Kind: EventNote, Section: sec.Title, Step: st.Title, Text: n.Text, By: n.By})
			}
		}
	}
	for _, b := range run.Backups {
		ev = append(ev, Event{At: b.At, Kind: EventBackup, Text: b.Path})
	}
	if d := run.Deployment; d != nil {
		if d.From != nil {
			// Read just after the command that started the deployment was
			// admitted, before it ran: the story tells it before that.
			at := d.From.At
			if as := run.AttemptsOf(d.StartedBy); len(as) > 0 && !as[0].Started.IsZero() && as[0].Started.Before(at) {
				at = as[0].Started
			}
			ev = append(ev, Event{At: at, Kind: EventFrom, Command: d.StartedBy, Text: d.From.Label()})
		}
		if d.To != nil {
			ev = append(ev, Event{At: d.To.At, Kind: EventTo, Text: d.To.Label()})
		}
		if rbk := d.RolledBack; rbk != nil {
			ev = append(ev, Event{At: rbk.At, Kind: EventRolledBack, Command: rbk.By, Text: rbk.State.Label()})
		}
	}
	for _, o := range Outages(rb, run) {
		ev = append(ev, Event{At: o.From, Kind: EventOutageFrom, Command: o.FromCmd, Title: o.FromTitle})
		if !o.To.IsZero() {
			ev = append(ev, Event{At: o.To, Kind: EventOutageTo, Command: o.ToCmd, Title: o.ToTitle})
		}
	}
	slices.SortStableFunc(ev, func(a, b Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind))
	})
	return ev
}

// kindOrder puts, at the same instant, the record's "from" and an
// outage's start before the attempt that caused them.
func kindOrder(k EventKind) int {
	switch k {
	case EventFrom:
		return 0
	case EventOutageFrom:
		return 1
	case EventAttempt:
		return 2
	}
	return 3
}

// Line says the event in words, as the report and the TUI's timeline
// show it; mask hides secrets in what came from commands and operators.
func (e Event) Line(mask func(string) string) string {
	switch e.Kind {
	case EventAttempt:
		line := fmt.Sprintf("%s › %s — attempt %d: %s", e.Section, e.Title, e.Attempt, e.Status)
		if e.ExitCode != nil {
			line += fmt.Sprintf(", exit %d", *e.ExitCode)
		}
		if d := e.Duration(); d > 0 {
			line += ", " + d.Round(time.Millisecond).String()
		}
		if e.Confirmed != "" && e.Confirmed != "yes" {
			line += fmt.Sprintf(", confirmed with %q", mask(e.Confirmed))
		} else if e.Confirmed == "yes" {
			line += ", confirmed y"
		}
		if e.Text != "" {
			line += " (" + mask(e.Text) + ")"
		}
		return line
	case EventNote:
		return fmt.Sprintf("note on %s by %s: %s", e.Step, mask(e.By), mask(e.Text))
	case EventCheck:
		return fmt.Sprintf("checked by %s: %s", mask(e.By), e.Text)
	case EventBackup:
		return "backup recorded: " + e.Text
	case EventFrom:
		return "deployment starts: running before it: " + e.Text
	case EventTo:
		return "after the deployment: " + e.Text
	case EventRolledBack:
		return "rolled back to " + e.Text
	case EventOutageFrom:
		return "outage starts: " + e.Title
	case EventOutageTo:
		return "outage ends: healthy after " + e.Title
	}
	return string(e.Kind)
}
