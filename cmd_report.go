package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/report"
	"planner-tui/ops/session"
)

func newReportCmd(o *options) *cobra.Command {
	var asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "A report of the current run for the change ticket: the deployment record, the timeline of every attempt, results, backups, notes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "md", "markdown":
			case "json":
				asJSON = true
			default:
				return fmt.Errorf("--format %q: want md or json", format)
			}
			if asJSON && cmd.Flags().Changed("format") && format != "json" {
				return fmt.Errorf("--json and --format %s: pick one", format)
			}
			return o.readOnly(cmd, func(s *session.Session) error {
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), reportData(s))
				}
				writeReport(cmd.OutOrStdout(), s)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md (Markdown, for the change ticket) or json (schema in docs/cli-json.md)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: the same as --format json")
	return cmd
}

// reportJSON is `report --json`: the run's commands that were touched,
// ticked checks, notes, the derived checklist summary and backups. Every
// string that came from a command or an operator is masked.
type reportJSON struct {
	Run      string             `json:"run"`
	Title    string             `json:"title"`
	Runbook  string             `json:"runbook"`
	Operator string             `json:"operator"`
	Started  time.Time          `json:"started,omitzero"`
	Commands []reportCommand    `json:"commands"`
	Checks   []reportCheck      `json:"checks"`
	Notes    []reportNote       `json:"notes"`
	Summary  []summaryGroupJSON `json:"summary"`
	Backups  []checklist.Backup `json:"backups"`
	// Deployment, From and To: the deployment record (as in status --json).
	Deployment *deploymentJSON       `json:"deployment,omitempty"`
	From       *checklist.StackState `json:"from,omitempty"`
	To         *checklist.StackState `json:"to,omitempty"`
	// Timeline is the run's story in time order, every attempt kept.
	Timeline []checklist.Event `json:"timeline"`
}

type reportCommand struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Section   string    `json:"section"`
	Status    string    `json:"status"` // pending, running, ok, warning, failed, skipped, interrupted
	ExitCode  *int      `json:"exit_code,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Error     string    `json:"error,omitempty"`
	Started   time.Time `json:"started,omitzero"`
	Ended     time.Time `json:"ended,omitzero"`
	Confirmed string    `json:"confirmed,omitempty"`
	// Attempts counts the attempts of the command (each is in the timeline).
	Attempts int `json:"attempts,omitempty"`
}

type reportCheck struct {
	ID   string    `json:"id"`
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

type reportNote struct {
	Step string    `json:"step"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

func reportData(s *session.Session) reportJSON {
	run := s.Run()
	rb := s.Runbook()
	rep := reportJSON{Run: run.ID, Title: s.Mask(run.Title), Runbook: rb.Path, Operator: s.Mask(run.Operator), Started: run.Started,
		Commands: []reportCommand{}, Checks: []reportCheck{}, Notes: []reportNote{}, Summary: summaryJSON(rb, &run), Backups: run.Backups}
	if rep.Summary == nil {
		rep.Summary = []summaryGroupJSON{}
	}
	if rep.Backups == nil {
		rep.Backups = []checklist.Backup{}
	}
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				cr := run.Commands[c.ID]
				if cr == nil {
					continue
				}
				rc := reportCommand{ID: c.ID, Title: c.Title, Section: sec.Title, Status: string(cr.Status),
					Detail: s.Mask(cr.Detail), Error: s.Mask(cr.Error), Started: cr.Started, Ended: cr.Ended, Confirmed: s.Mask(cr.Confirmed)}
				if ended(cr.Status) {
					code := cr.ExitCode
					rc.ExitCode = &code
				}
				rc.Attempts = len(run.AttemptsOf(c.ID))
				rep.Commands = append(rep.Commands, rc)
			}
			for _, ck := range st.Checks {
				if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
					rep.Checks = append(rep.Checks, reportCheck{ID: ck.ID, Text: ck.Text, By: s.Mask(cs.By), At: cs.At})
				}
			}
			for _, n := range run.Notes[st.ID] {
				rep.Notes = append(rep.Notes, reportNote{Step: st.ID, By: s.Mask(n.By), At: n.At, Text: s.Mask(n.Text)})
			}
		}
	}
	if rep.Deployment = deploymentData(s, rb, &run); rep.Deployment != nil {
		rep.From, rep.To = rep.Deployment.From, rep.Deployment.To
	}
	rep.Timeline = maskedTimeline(s, checklist.Timeline(rb, &run))
	return rep
}

// maskedTimeline masks what came from commands and operators.
func maskedTimeline(s *session.Session, ev []checklist.Event) []checklist.Event {
	out := make([]checklist.Event, len(ev))
	for i, e := range ev {
		e.Text, e.By, e.Confirmed = s.Mask(e.Text), s.Mask(e.By), s.Mask(e.Confirmed)
		out[i] = e
	}
	return out // never nil: JSON has [] for no events
}

// writeReport renders the run for a ticket or an incident review
// (report.Markdown: the screen writes the same).
func writeReport(w io.Writer, s *session.Session) {
	run := s.Run()
	report.Markdown(w, s.Runbook(), &run, s.Mask)
}
