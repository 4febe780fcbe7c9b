package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/docker"
	"planner-tui/ops/report"
	"planner-tui/ops/session"
)

// newOpUseKeptImageCmd is the rollback's fast path: the app image that
// ran before the deployment was kept as <image>:pre-<run id> when the run
// recorded its start; this points the app service's image name at it
// again, so that `compose up -d` starts it without a rebuild.
func newOpUseKeptImageCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "use-kept-image",
		Short: "Point the app service's image at the one kept before this run's deployment (rollback without a rebuild)",
		Long: `use-kept-image reads the run's deployment record (the run it runs in as a step, else
the current run), finds the app image kept before the deployment (<image>:pre-<run id>),
checks it is the image that ran then, and tags it with the service's image name again
(for example planner_app). The next "compose up -d" starts it: no rebuild, no network.
It changes no container itself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			oc, err := o.opContext(cmd.Context())
			if err != nil {
				return err
			}
			run, err := recordRun(oc.s)
			if err != nil {
				return err
			}
			d := run.Deployment
			if d == nil || d.From == nil {
				return fmt.Errorf("run %s has no deployment record: no image was kept; rebuild instead", run.ID)
			}
			app, ok := d.From.Images[oc.target.AppService]
			if d.From.KeptImage == "" || !ok {
				why := d.From.Errors["kept image"] + d.From.Errors["images"]
				return fmt.Errorf("run %s kept no image of service %s before the deployment (%s); rebuild instead", run.ID, oc.target.AppService, strings.TrimSpace(why))
			}
			if app.Tag == "" || strings.HasPrefix(app.Tag, "sha256:") {
				return fmt.Errorf("service %s ran image %s, not a named image: compose cannot be pointed at it; rebuild instead", oc.target.AppService, app.ID)
			}
			dc, err := docker.New(cmd.Context())
			if err != nil {
				return err
			}
			defer dc.Close()
			in, err := dc.API().ImageInspect(cmd.Context(), d.From.KeptImage)
			if err != nil {
				return fmt.Errorf("kept image %s: %w (removed since? rebuild instead)", d.From.KeptImage, err)
			}
			if in.ID != app.ID {
				return fmt.Errorf("kept image %s is %s, but %s ran %s before the deployment: it was re-tagged since; rebuild instead", d.From.KeptImage, in.ID, oc.target.AppService, app.ID)
			}
			if err := dc.API().ImageTag(cmd.Context(), d.From.KeptImage, app.Tag); err != nil {
				return fmt.Errorf("tag %s as %s: %w", d.From.KeptImage, app.Tag, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is again the image that ran before the deployment: %s (version %s, commit %s)\n",
				app.Tag, report.ShortID(app.ID), d.From.Label(), report.ShortID(d.From.Commit))
			fmt.Fprintln(cmd.OutOrStdout(), "start the services (compose up -d) to run it: no rebuild needed")
			return nil
		},
	}
}

// recordRun is the run whose deployment record an op reads: the one it
// runs in as a step (the session gives its state dir and run id), else
// the current run.
func recordRun(s *session.Session) (*checklist.Run, error) {
	dir, id := os.Getenv(session.EnvStateDir), os.Getenv(session.EnvRunID)
	if dir != "" && id != "" {
		st, err := checklist.OpenStore(dir)
		if err != nil {
			return nil, err
		}
		return st.Load(id)
	}
	run := s.Run()
	if run.ID == "" {
		return nil, fmt.Errorf("no run yet: nothing was kept")
	}
	return &run, nil
}
