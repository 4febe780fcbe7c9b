package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/report"
	"planner-tui/ops/session"
)

// The deployment record as status, report and their JSON give it:
// ops/report owns it, so that the screen's report is the same.
type deploymentJSON = report.Deployment

// deploymentData is the run's record with what came from the stack
// masked; nil when the run has none.
func deploymentData(s *session.Session, rb *checklist.Runbook, run *checklist.Run) *deploymentJSON {
	return report.DeploymentOf(rb, run, s.Mask)
}

// newStartDeploymentCmd is the explicit "start deployment" action: it
// records what runs now as the current run's deployment "from" (and keeps
// the app image), as the first stack-changing command of a deployment
// procedure would.
func newStartDeploymentCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "start-deployment",
		Short: "Record what runs now as the current run's deployment \"from\" (commit, images, revision, backup) and keep the app image",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := o.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.StartDeployment(cmd.Context(), "runs start-deployment"); err != nil {
				return err
			}
			run := s.Run()
			d := run.Deployment
			if d == nil || d.From == nil {
				return fmt.Errorf("run %s: the deployment's start was not recorded", run.ID)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "run %s: %s\n", run.ID, d.Statement(time.Local))
			for _, k := range slices.Sorted(maps.Keys(d.From.Errors)) {
				fmt.Fprintf(cmd.ErrOrStderr(), "not read: %s: %s\n", k, s.Mask(d.From.Errors[k]))
			}
			return nil
		},
	}
}
