package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
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
				fmt.Fprintln(tw, "\tRUN\tRUNBOOK\tSTATUS\tTITLE\tSTARTED\tUPDATED\tCOMMANDS")
				for _, r := range runs {
					cur := ""
					if r.Current {
						cur = "*" // the current run of its runbook
					}
					if r.Err != nil {
						fmt.Fprintf(tw, "%s\t%s\t?\tunreadable\t%v\t\t\t\n", cur, r.ID, r.Err)
						continue
					}
					var counts []string
					for st, n := range r.Counts {
						counts = append(counts, fmt.Sprintf("%s %d", st, n))
					}
					sort.Strings(counts)
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cur, r.ID, r.Runbook, runOpenStatus(r), r.Title,
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
	resume := &cobra.Command{
		Use:   "resume ID",
		Short: "Make a run of this runbook its current run again",
		Long: `resume makes run ID the current run of the runbook (--runbook, or the
embedded one): the TUI, run and status then continue it. A run of another
runbook is refused: open that runbook with --runbook to resume it. Each
runbook has its own current run, so opening another runbook never abandons
this one; 'runs' marks the current run of each runbook with *.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := o.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Resume(args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "current run", s.Run().ID)
			return nil
		},
	}
	cmd.AddCommand(newRun, resume, newStartDeploymentCmd(o)) // cmd_record.go
	return cmd
}

// runOpenStatus is "open" until the run is ended, with "running" while one of
// its commands runs.
func runOpenStatus(r checklist.RunSummary) string {
	switch {
	case !r.Ended.IsZero():
		return "ended"
	case r.Counts[checklist.Running] > 0:
		return "open, running"
	}
	return "open"
}
