package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/docker"
	"planner-tui/ops/logscan"
)

func newOpLogsScanCmd(o *options) *cobra.Command {
	var (
		since time.Duration
		file  string
		keep  int
	)
	cmd := &cobra.Command{
		Use:   "logs-scan [SERVICE]",
		Short: "Count error and warning lines in a service's logs (or a file) and show the last ones",
		Long: `logs-scan reads the logs of a compose service (default app), or --file, and counts
the lines that mention error, exception, critical, fatal or traceback (errors) and
warning (warnings), case-insensitively, as grep -ci would; it prints the last
matching lines. Exit 3 (a warning: it ran, something needs a look) when there
are error lines, or when the service's container is not running (its logs say
nothing about the app now); exit 1 when the logs cannot be read.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var (
				r    io.ReadCloser
				what string
				// notRunning says why the logs read are not the app's now
				// (a stopped container's): a warning, not a clean bill.
				notRunning string
			)
			// The session gives the masker: the lines shown may hold secrets.
			oc, err := o.opContext(ctx)
			if err != nil {
				return err
			}
			if file != "" {
				f, err := os.Open(file)
				if err != nil {
					return err
				}
				r, what = f, file
			} else {
				service := "app"
				if len(args) == 1 {
					service = args[0]
				}
				d, err := docker.New(ctx)
				if err != nil {
					return err
				}
				defer d.Close()
				c, err := d.ServiceContainer(ctx, oc.target.Project, service)
				if err != nil {
					return err
				}
				var from time.Time
				if since > 0 {
					from = time.Now().Add(-since)
				}
				if r, err = d.LogStream(ctx, c.ID, from); err != nil {
					return err
				}
				what = "service " + service + " (" + c.Name + ")"
				notRunning = notRunningNote(c)
			}
			defer r.Close()
			s := logscan.New(logscan.DefaultErrorWords, logscan.DefaultWarningWords)
			s.Keep = keep
			res, err := s.Scan(r)
			if err != nil {
				return fmt.Errorf("scan %s: %w", what, err)
			}
			out := cmd.OutOrStdout()
			for _, m := range res.Last {
				kind := "WARN "
				if m.Class == logscan.Error {
					kind = "ERROR"
				}
				fmt.Fprintf(out, "%s %8d  %s\n", kind, m.Line, oc.s.Mask(m.Text))
			}
			fmt.Fprintf(out, "%s: %d lines, %d errors, %d warnings\n", what, res.Lines, res.Errors, res.Warnings)
			if res.Errors > 0 {
				return &exitError{code: checklist.ExitWarning}
			}
			if notRunning != "" {
				return &exitError{code: checklist.ExitWarning, err: errors.New(notRunning)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&since, "since", 0, "only log lines newer than this (e.g. 30m)")
	f.StringVar(&file, "file", "", "scan this file instead of a service's logs")
	f.IntVar(&keep, "last", 20, "how many matching lines to show")
	return cmd
}

// notRunningNote says that a service's container is not running, with its
// state and exit code, or "" when it runs.
func notRunningNote(c docker.Container) string {
	if c.Running() {
		return ""
	}
	note := fmt.Sprintf("%s is %s", c.Name, c.State)
	if c.State == "exited" || c.State == "dead" {
		note += fmt.Sprintf(" (exit code %d)", c.ExitCode)
	}
	return note + ": these are the logs of a container that is not running, not of the app now"
}
