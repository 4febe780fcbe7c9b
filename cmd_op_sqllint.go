package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/sqllint"
)

func newOpSQLLintCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sql-lint FILE",
		Short: "Lint migration SQL with PostgreSQL's parser: destructive DDL, long locks, renames",
		Long: `sql-lint parses FILE (- for stdin) with PostgreSQL's own parser (libpg_query,
through pg_query_go v6) and prints one line per finding, FILE:LINE: rule: message.

Destructive (data is lost): ban-drop-table, ban-drop-column, ban-truncate,
delete-without-where, update-without-where.
Warnings (a long lock on an existing table, or the running version breaks):
changing-column-type, set-not-null, adding-not-nullable-field,
adding-field-with-volatile-default, require-concurrent-index-creation,
renaming-table, renaming-column, require-lock-timeout.

Exit 1 when a finding is destructive or FILE does not parse (FILE:LINE: parse
error: ...); exit 3 (a warning) when there are only warnings; 0 when clean.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var b []byte
			var err error
			if name == "-" {
				b, err = io.ReadAll(cmd.InOrStdin())
			} else {
				b, err = os.ReadFile(name)
			}
			if err != nil {
				return err
			}
			fs, err := sqllint.Lint(string(b))
			if pe := (*sqllint.ParseError)(nil); errors.As(err, &pe) {
				return &exitError{code: 1, err: fmt.Errorf("%s:%d: parse error: %s", name, pe.Line, pe.Message)}
			} else if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if fs == nil {
					fs = []sqllint.Finding{}
				}
				if err := writeJSON(out, fs); err != nil {
					return err
				}
			} else {
				for _, f := range fs {
					fmt.Fprintf(out, "%s:%d: %s: %s\n", name, f.Line, f.Rule, f.Message)
				}
			}
			switch {
			case sqllint.AnyDestructive(fs):
				return &exitError{code: 1, err: fmt.Errorf("%s: destructive: %s", name, strings.Join(sqllint.Phrases(fs), ", "))}
			case len(fs) > 0:
				return &exitError{code: checklist.ExitWarning}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	return cmd
}
