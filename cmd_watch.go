package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"planner-tui/ops/monitor"
	"planner-tui/ops/session"
	"planner-tui/ui"
)

// newWatchCmd is `planner-tui watch`: a second engineer opens the
// operator's current run read-only (ops/session/watch_open.go).
func newWatchCmd(o *options) *cobra.Command {
	return &cobra.Command{
		Use:   "watch",
		Short: "Watch the operator's run read-only: the same screens, the output streaming, who drives",
		Long: `Opens the terminal UI on the operator's current run in the state dir, read-only:
the same screens, the running step's output as it streams, the status bar, the
timeline, and who drives (user, host, since). A watcher never takes the
operator lock and cannot run, tick, skip or confirm anything: a key that would
says so. The operator's screen shows who is watching.

A request awaiting approval is shown; a opens it (the filled command, its
risk, what it destroys, who asked and their note) to approve or reject, as
planner-tui approve does (a self-approval is refused).

It needs the operator's state dir (--state-dir, e.g. /var/lib/planner-tui)
readable by your group: in a state dir whose mode gives the group read
(say 2750, group ops), planner-tui makes the run's state, the command output
(masked) and the lock holder group-readable; the audit log and .env never are.
The runbook is the one the operator's run uses (--runbook to pick another
runbook's current run).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWatch(cmd, o)
		},
	}
}

// runWatch opens the read-only screen.
func runWatch(cmd *cobra.Command, o *options) error {
	ctx := cmd.Context()
	dir, err := o.stateDirOrDefault()
	if err != nil {
		return &exitError{code: exitInternal, err: err}
	}
	wd, err := session.WatchedRunbook(dir)
	if err != nil {
		return &exitError{code: exitInternal, err: fmt.Errorf("watch: %w", err)}
	}
	if !isTerminal(cmd.InOrStdin()) || !isTerminal(cmd.OutOrStdout()) {
		return errors.New("watch needs a terminal (stdin and stdout are not one); headless, use planner-tui status --state-dir DIR")
	}
	w := *o // the flags, with the operator's runbook unless one was given
	w.stateDir = dir
	if w.runbook == "" {
		w.runbook = wd.Runbook
	}
	if w.dir == "" && wd.Dir != "" && os.Getenv("PLANNER_DIR") == "" {
		w.dir = wd.Dir // the operator's stack, for the monitor and the filled commands
	}
	so, err := w.sessionOptions(true)
	if err != nil {
		return &exitError{code: exitBadParam, err: err}
	}
	so.Sets = wd.WatchSets(so.Sets) // the commands filled as the operator's are
	so.Watch = true
	so.Migrations = nil // its plan-cache is the operator's
	s, err := session.Open(ctx, so)
	if err != nil {
		return &exitError{code: exitInternal, err: fmt.Errorf("watch: %w", err)}
	}
	defer s.Close()
	leave, presence := session.JoinWatchers(s.StateDir())
	defer leave()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	t := s.Target()
	mon := monitor.Start(mctx, t, nil, monitor.Options{
		EnvFile:        filepath.Join(t.Dir, ".env"),
		CriticalTables: criticalTables(s.Vars()),
	})
	// the review renders into a cache of this user's, not the operator's
	cache, _ := os.UserCacheDir()
	if cache != "" {
		cache = filepath.Join(cache, "planner-tui")
	}
	review, targets := reviewFuncs(t, cache)
	wo := ui.Options{Version: version, NoColor: os.Getenv("NO_COLOR") != "", Monitor: mon, Review: review, Targets: targets, Watch: true}
	if presence != nil {
		wo.WatchNote = "the operator does not see you watching: " + presence.Error()
	}
	return ui.Run(ctx, s, wo)
}
