package main

import (
	"fmt"
	"os"

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
			for _, p := range checklist.Lint(path, src) {
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
