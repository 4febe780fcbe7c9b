package main

import (
	"fmt"
	"os"
	"os/exec"
	"sort"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/docs"
)

func newLintCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [FILE]",
		Short: "Check a runbook; print every problem as FILE:LINE: message",
		Long: `lint parses a Markdown runbook (FILE, else --runbook, else the embedded one) and
prints every problem as FILE:LINE: message. It exits 1 when there are errors
(warnings alone exit 0).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := o.runbook
			if len(args) == 1 {
				path = args[0]
			}
			var src []byte
			if path == "" {
				path, src = docs.RunbookPath, docs.Runbook
			} else {
				b, err := os.ReadFile(path)
				if err != nil {
					return &exitError{code: 1, err: fmt.Errorf("%s:1: cannot read the runbook: %w", path, err)}
				}
				src = b
			}
			errs := 0
			probs := append(checklist.Lint(path, src), missingShells(path, src)...)
			sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
			for _, p := range probs {
				sev := ""
				if p.Severity == checklist.SeverityWarning {
					sev = "warning: "
				} else {
					errs++
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s:%d: %s%s\n", p.Path, p.Line, sev, p.Message)
			}
			if errs > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%s: %d error(s)", path, errs)}
			}
			return nil
		},
	}
}

// missingShells warns about commands written for a shell this machine does
// not have (```zsh without zsh): run would refuse them.
func missingShells(path string, src []byte) []checklist.Problem {
	rb, _, err := checklist.Parse(path, src)
	if err != nil {
		return nil
	}
	var probs []checklist.Problem
	missing := map[string]bool{}
	for _, c := range rb.Commands() {
		if c.Shell == checklist.DefaultShell || c.Shell == "" {
			continue
		}
		if _, seen := missing[c.Shell]; !seen {
			_, err := exec.LookPath(c.Shell)
			missing[c.Shell] = err != nil
		}
		if missing[c.Shell] {
			probs = append(probs, checklist.Problem{Path: path, Line: c.Line, Severity: checklist.SeverityWarning,
				Message: fmt.Sprintf("command %q is written for %s, which is not installed here: run refuses it", c.Title, c.Shell)})
		}
	}
	return probs
}
