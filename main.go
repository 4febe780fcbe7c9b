// Command planner-tui is an interactive runbook for deploying the planner
// stack: a terminal UI that walks the deployment checklist, runs each step
// in the background, stops before anything destructive until the operator
// types a confirmation, and records every run in an audit log. The same
// runbook can be listed, shown, linted and run headless.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/changes"
	"planner-tui/ops/notify"
	"planner-tui/ops/runner"
	"planner-tui/ops/session"
)

// options are the global flags, shared by every subcommand.
type options struct {
	runbook  string
	dir      string
	stateDir string
	sets     []string
	// notify is the emitter of the last writable session opened
	// (notify.go); deliverInProcess makes it wake a deliverer goroutine
	// (the TUI's) instead of starting a detached one.
	notify           *notify.Emitter
	deliverInProcess bool
	// healthGate: the session watches the app after a deployment's
	// compose up (the TUI, which stays open; see session.Options).
	healthGate bool
	kick       chan struct{}
}

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func main() {
	// A detached step supervisor is this binary re-executed: it must not
	// parse flags or touch the terminal.
	if runner.IsSupervisor() {
		os.Exit(runner.SupervisorMain())
	}
	// So is a detached notification deliverer (ops/notify).
	if notify.IsDeliverer() {
		os.Exit(notify.DelivererMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole CLI on the streams it is given, returning the exit code:
// main passes the process's, tests their own (in process). The commands
// write only to these; the terminal UI opens only when stdin and stdout are
// terminals.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "planner-tui:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "planner-tui:", err)
	return 1
}

func newRootCmd() *cobra.Command {
	o := &options{}
	root := &cobra.Command{
		Use:   "planner-tui",
		Short: "Interactive runbook for deploying the planner stack",
		Long: `planner-tui walks the deployment runbook: the checklist summary as panes, each
step run in the background with its output streaming, typed confirmations before
anything destructive, emergency playbooks and the rollback one key away.

Without a subcommand it opens the terminal UI on the embedded runbook (or
--runbook FILE) and resumes the current run. The other commands work without a
terminal.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd, o)
		},
	}
	// A flag that does not parse is a usage error (64), not a failed
	// command (1): scripts tell "I called it wrong" from "it failed".
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadParam, err: err}
	})
	f := root.PersistentFlags()
	f.StringVar(&o.runbook, "runbook", "", "Markdown runbook to use instead of the embedded one")
	f.StringVar(&o.dir, "dir", "", "the planner directory (overrides PLANNER_DIR; default: the runbook's, else the current directory)")
	f.StringVar(&o.stateDir, "state-dir", "", "where runs, logs, the audit log and the lock live (default $XDG_STATE_HOME/planner-tui)")
	f.StringArrayVar(&o.sets, "set", nil, "override a runbook variable, KEY=VALUE (repeatable)")

	root.AddCommand(
		newListCmd(o), newShowCmd(o), newRunCmd(o), newLintCmd(o),
		newRunsCmd(o), newCancelCmd(o), newStatusCmd(o), newReportCmd(o), newOpCmd(o), newDoctorCmd(o), newAuditCmd(o), newNotifyCmd(o), newVersionCmd(), newManCmd(),
		newDecideCmd(o, true), newDecideCmd(o, false), newWatchCmd(o),
	)
	return root
}

// sessionOptions turns the global flags into session options.
func (o *options) sessionOptions(readOnly bool) (session.Options, error) {
	sets := map[string]string{}
	for _, kv := range o.sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return session.Options{}, fmt.Errorf("--set %q: want KEY=VALUE", kv)
		}
		sets[k] = v
	}
	return session.Options{
		RunbookPath: o.runbook,
		Dir:         o.dir,
		StateDir:    o.stateDir,
		Sets:        sets,
		Version:     version,
		ReadOnly:    readOnly,
		Migrations:  o.migrationCheck(), // a destructive pending migration makes the upgrade destructive
		HealthGate:  o.healthGate,
	}, nil
}

// migrationCheck is the admission's check of pending migrations, its
// rendered SQL kept in the state dir's plan-cache (op plan's) per app image
// and revision: the second start of an upgrade (after a refusal named the
// drop) starts no container. No state dir known: nothing is kept.
func (o *options) migrationCheck() session.MigrationCheck {
	dir := o.stateDir
	if dir == "" {
		dir, _ = checklist.DefaultStateDir()
	}
	if dir != "" {
		dir = filepath.Join(dir, "plan-cache")
	}
	return changes.AdmissionCheck{Dir: dir}.Check
}

// open opens a session; readOnly ones create no run and write nothing.
func (o *options) open(ctx context.Context, readOnly bool) (*session.Session, error) {
	so, err := o.sessionOptions(readOnly)
	if err != nil {
		return nil, err
	}
	if readOnly {
		return session.Open(ctx, so)
	}
	em := o.emitter()
	so.OnAudit = em.Record
	s, err := session.Open(ctx, so)
	if err != nil {
		return nil, err
	}
	em.Bind(s)
	if !o.deliverInProcess && notify.Pending(s.StateDir()) {
		notify.Spawn(s.StateDir()) // what an earlier process left: deliver at the next start
	}
	return s, nil
}

// readOnly runs f on a read-only session (no run created, nothing written)
// and closes it after.
func (o *options) readOnly(cmd *cobra.Command, f func(*session.Session) error) error {
	s, err := o.open(cmd.Context(), true)
	if err != nil {
		return err
	}
	defer s.Close()
	return f(s)
}
