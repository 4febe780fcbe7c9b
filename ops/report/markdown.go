package report

import (
	"fmt"
	"io"
	"strings"

	"planner-tui/checklist"
)

// Markdown renders the run for a ticket or an incident review: what
// `planner-tui report` prints and the screen's summary writes. Every string
// that came from a command or an operator goes through mask.
func Markdown(w io.Writer, rb *checklist.Runbook, run *checklist.Run, mask func(string) string) {
	fmt.Fprintf(w, "# %s\n\n- run: `%s`\n- runbook: `%s`\n- operator: %s\n- started: %s\n\n",
		mask(run.Title), run.ID, rb.Path, mask(run.Operator), run.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	writeDeploymentMD(w, DeploymentOf(rb, run, mask))
	if sum := Summary(rb, run); len(sum) > 0 {
		fmt.Fprint(w, "## Checklist summary\n\n")
		PrintSummary(w, sum, true)
	}
	writeTimelineMD(w, mask, checklist.Timeline(rb, run))
	for _, sec := range rb.Sections {
		var lines []string
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				cr := run.Commands[c.ID]
				if cr == nil {
					continue
				}
				line := fmt.Sprintf("- %s **%s** — %s", StatusMark(cr), c.Title, cr.Status)
				if Ended(cr.Status) {
					line += fmt.Sprintf(", exit %d", cr.ExitCode)
				}
				if cr.Detail != "" {
					line += " (" + mask(cr.Detail) + ")"
				}
				if !cr.Started.IsZero() && !cr.Ended.IsZero() {
					line += fmt.Sprintf(", %s at %s", cr.Ended.Sub(cr.Started).Round(1e6), cr.Started.UTC().Format("15:04:05"))
				}
				if cr.Confirmed != "" && cr.Confirmed != "yes" {
					line += fmt.Sprintf(", confirmed with %q", cr.Confirmed)
				}
				if cr.Error != "" {
					line += ", " + mask(cr.Error)
				}
				lines = append(lines, line)
			}
			for _, ck := range st.Checks {
				if cs := run.Checks[ck.ID]; cs != nil && cs.Done {
					lines = append(lines, fmt.Sprintf("- [x] %s (%s, %s)", ck.Text, mask(cs.By), cs.At.UTC().Format("15:04:05")))
				}
			}
			for _, n := range run.Notes[st.ID] {
				lines = append(lines, fmt.Sprintf("- note on %s by %s: %s", st.Title, mask(n.By), mask(n.Text)))
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
