package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"planner-tui/ops/monitor"
	"planner-tui/ops/notify"
	"planner-tui/ui"
)

// runTUI opens the terminal UI on the current run.
func runTUI(cmd *cobra.Command, o *options) error {
	ctx := cmd.Context()
	if !isTerminal(cmd.InOrStdin()) || !isTerminal(cmd.OutOrStdout()) {
		return errors.New(`the terminal UI needs a terminal (stdin and stdout are not one).
Headless, use:
  planner-tui list [--json]            the runbook and the run's status
  planner-tui show ID                  one command: script, risk, confirmation phrase
  planner-tui run ID [--confirm PHRASE] [--yes] [--param NAME=VALUE]
  planner-tui status | report | runs   the current run`)
	}
	// Notifications are delivered by a goroutine of this process while the
	// screen is open; what is left when it closes, by a detached deliverer.
	o.deliverInProcess, o.kick = true, make(chan struct{}, 1)
	o.healthGate = true // the screen stays open to watch the app after compose up
	s, err := o.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.Close()
	// the stack watcher lives as long as the screen
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, _ := notify.SettingsFromEnv(os.Getenv) // a bad value: its default (the emitter keeps the error)
	d := &notify.Deliverer{StateDir: s.StateDir(), Settings: st, Getenv: os.Getenv, Kick: o.kick}
	delivered := make(chan struct{})
	go func() { defer close(delivered); d.Run(mctx, false) }()
	defer func() {
		cancel()
		<-delivered
		if notify.Pending(s.StateDir()) {
			notify.Spawn(s.StateDir())
		}
	}()
	t := s.Target()
	mon := monitor.Start(mctx, t, nil, monitor.Options{
		EnvFile:        filepath.Join(t.Dir, ".env"), // read at each check: the password may change mid-deploy
		CriticalTables: criticalTables(s.Vars()),
	})
	review, targets := reviewFuncs(t, s.StateDir())
	return ui.Run(ctx, s, ui.Options{Version: version, NoColor: os.Getenv("NO_COLOR") != "", Monitor: mon, Review: review, Targets: targets})
}
