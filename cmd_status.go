package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

func newStatusCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Progress of the current run, section by section",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				st := runStatus(s)
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), st)
				}
				printStatus(cmd.OutOrStdout(), st)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

type sectionStatus struct {
	ID       string                   `json:"id"`
	Title    string                   `json:"title"`
	Commands int                      `json:"commands"`
	Counts   map[checklist.Status]int `json:"counts"`
	Checks   int                      `json:"checks"`
	Ticked   int                      `json:"ticked"`
}

type statusReport struct {
	Run      string          `json:"run"`
	Title    string          `json:"title"`
	Started  time.Time       `json:"started,omitzero"`
	Running  string          `json:"running,omitempty"`
	Sections []sectionStatus `json:"sections"`
	// Summary is the checklist summary, each item derived from what it
	// leads to (checklist.SummaryItem).
	Summary []summaryGroupJSON `json:"summary,omitempty"`
	Backups []checklist.Backup `json:"backups,omitempty"`
	// Deployment is the deployment record: from, to, the rollback, the
	// statement, the outages (cmd_record.go); absent when the run has none.
	Deployment *deploymentJSON `json:"deployment,omitempty"`
	// From and To are the record's before and after, for scripts that
	// want only those.
	From *checklist.StackState `json:"from,omitempty"`
	To   *checklist.StackState `json:"to,omitempty"`
	// Approvals are the run's requests for approval, newest first
	// (cmd_approve.go); absent when it has none.
	Approvals []*session.ApprovalStatus `json:"approvals,omitempty"`
	// Watchers are the engineers watching the run read-only (planner-tui
	// watch), oldest first; [] when nobody watches.
	Watchers []session.Watcher `json:"watchers"`
}

func runStatus(s *session.Session) statusReport {
	run := s.Run()
	rep := statusReport{Run: run.ID, Title: run.Title, Started: run.Started, Backups: run.Backups}
	for _, sec := range s.Runbook().Sections {
		ss := sectionStatus{ID: sec.ID, Title: sec.Title, Counts: map[checklist.Status]int{}}
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				ss.Commands++
				status := checklist.Pending
				if cr := run.Commands[c.ID]; cr != nil {
					status = cr.Status
					if status == checklist.Running {
						rep.Running = c.ID
					}
				}
				ss.Counts[status]++
			}
			for _, ck := range st.Checks {
				ss.Checks++
				if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
					ss.Ticked++
				}
			}
		}
		if ss.Commands+ss.Checks > 0 {
			rep.Sections = append(rep.Sections, ss)
		}
	}
	rep.Approvals, _ = s.Approvals() // none when the approvals dir cannot be read
	if rep.Watchers, _ = session.Watchers(s.StateDir()); rep.Watchers == nil {
		rep.Watchers = []session.Watcher{}
	}
	rep.Summary = summaryJSON(s.Runbook(), &run)
	if rep.Deployment = deploymentData(s, s.Runbook(), &run); rep.Deployment != nil {
		rep.From, rep.To = rep.Deployment.From, rep.Deployment.To
	}
	return rep
}

func printStatus(w io.Writer, st statusReport) {
	if st.Run == "" {
		fmt.Fprintln(w, "no run yet: the first command you run starts one")
	} else {
		fmt.Fprintf(w, "run %s  %q  started %s\n", st.Run, st.Title, st.Started.Local().Format("2006-01-02 15:04"))
	}
	if st.Deployment != nil && st.Deployment.Statement != "" {
		fmt.Fprintln(w, st.Deployment.Statement)
	}
	if st.Deployment != nil && st.Deployment.Gate != nil {
		fmt.Fprintln(w, st.Deployment.Gate.Line)
	}
	if st.Running != "" {
		fmt.Fprintf(w, "running: %s\n", st.Running)
	}
	for _, sec := range st.Sections {
		fmt.Fprintf(w, "  %-34s commands %2d ok, %d warning, %d failed, %d of %d   checks %d/%d\n", sec.Title,
			sec.Counts[checklist.OK], sec.Counts[checklist.Warning], sec.Counts[checklist.Failed],
			sec.Commands-sec.Counts[checklist.Pending], sec.Commands, sec.Ticked, sec.Checks)
	}
	if len(st.Summary) > 0 {
		fmt.Fprintln(w, "summary:")
		printSummary(w, st.Summary, false)
	}
	for _, a := range st.Approvals {
		fmt.Fprintf(w, "approval %s  %s  %s  (%s)\n", a.ID, a.State, a.CommandID, a.Expires.Local().Format("expires 15:04:05"))
	}
	for _, wa := range st.Watchers {
		fmt.Fprintf(w, "watching: %s (pid %d) since %s\n", wa, wa.PID, wa.Since.Local().Format("15:04"))
	}
	for _, b := range st.Backups {
		fmt.Fprintf(w, "backup %s  %d bytes  sha256 %s  verified %v\n", b.Path, b.Size, b.SHA256, b.Verified)
	}
}
