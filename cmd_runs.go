package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"planner-tui/ops/session"
)

func newRunsCmd(o *options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs in the state dir, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.readOnly(cmd, func(s *session.Session) error {
				runs, err := s.Runs()
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), runs)
				}
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "\tRUN\tTITLE\tSTARTED\tUPDATED\tCOMMANDS")
				for _, r := range runs {
					cur := ""
					if r.Current {
						cur = "*"
					}
					var counts []string
					for st, n := range r.Counts {
						counts = append(counts, fmt.Sprintf("%s %d", st, n))
					}
					sort.Strings(counts)
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cur, r.ID, r.Title,
						r.Started.Local().Format("2006-01-02 15:04"), r.Updated.Local().Format("2006-01-02 15:04"), strings.Join(counts, ", "))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	newRun := &cobra.Command{
		Use:   "new [TITLE]",
		Short: "Start a new run (a deployment, a rollback, an incident) and make it current",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := o.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.Close()
			title := ""
			if len(args) == 1 {
				title = args[0]
			}
			if err := s.NewRun(title); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "new run", s.Run().ID)
			return nil
		},
	}
	cmd.AddCommand(newRun)
	return cmd
}
