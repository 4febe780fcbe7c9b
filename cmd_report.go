package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

func newReportCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "report",
		Short: "A Markdown report of the current run: what ran, when, results, backups, notes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				writeReport(cmd.OutOrStdout(), s)
				return nil
			})
		},
	}
}

// writeReport renders the run for a ticket or an incident review. Every
// string that came from a command or an operator is masked.
func writeReport(w io.Writer, s *session.Session) {
	run := s.Run()
	rb := s.Runbook()
	fmt.Fprintf(w, "# %s\n\n- run: `%s`\n- runbook: `%s`\n- operator: %s\n- started: %s\n\n",
		s.Mask(run.Title), run.ID, rb.Path, s.Mask(run.Operator), run.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	for _, sec := range rb.Sections {
		var lines []string
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				cr := run.Commands[c.ID]
				if cr == nil {
					continue
				}
				line := fmt.Sprintf("- %s **%s** — %s", statusMark(cr), c.Title, cr.Status)
				if cr.Status == checklist.OK || cr.Status == checklist.Failed {
					line += fmt.Sprintf(", exit %d", cr.ExitCode)
				}
				if !cr.Started.IsZero() && !cr.Ended.IsZero() {
					line += fmt.Sprintf(", %s at %s", cr.Ended.Sub(cr.Started).Round(1e6), cr.Started.UTC().Format("15:04:05"))
				}
				if cr.Confirmed != "" && cr.Confirmed != "yes" {
					line += fmt.Sprintf(", confirmed with %q", cr.Confirmed)
				}
				if cr.Error != "" {
					line += ", " + s.Mask(cr.Error)
				}
				lines = append(lines, line)
			}
			for _, ck := range st.Checks {
				if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
					lines = append(lines, fmt.Sprintf("- [x] %s (%s, %s)", ck.Text, s.Mask(cs.By), cs.At.UTC().Format("15:04:05")))
				}
			}
			for _, n := range run.Notes[st.ID] {
				lines = append(lines, fmt.Sprintf("- note on %s by %s: %s", st.Title, s.Mask(n.By), s.Mask(n.Text)))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(w, "## %s\n\n%s\n\n", sec.Title, strings.Join(lines, "\n"))
		}
	}
	if len(run.Backups) > 0 {
		fmt.Fprintln(w, "## Backups")
		fmt.Fprintln(w)
		for _, b := range run.Backups {
			fmt.Fprintf(w, "- `%s` %d bytes, sha256 `%s`, verified %v, %s\n", b.Path, b.Size, b.SHA256, b.Verified, b.At.UTC().Format("15:04:05"))
		}
	}
}
