// Package ui is the interactive screen of planner-tui: a Bubble Tea v2
// program that walks a runbook, runs its commands through the session engine
// and streams their output. It holds no run state of its own beyond what is
// on screen: the engine owns the run, the guards and the audit.
package ui

import (
	"context"
	"os/exec"

	tea "charm.land/bubbletea/v2"
	"io"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/changes"
	"planner-tui/ops/logscan"
	"planner-tui/ops/monitor"
	"planner-tui/ops/session"
)

// engineCore is what the screen needs from the session besides starting
// commands. Runbook, Snapshot, Actor, Vars, Plan and Mask take no lock
// and do no I/O (Snapshot is an atomic load; Plan is computed from it), so
// Update may call them; every other method takes the operator lock or
// writes the state or the audit log (fsync), so it only ever runs inside a
// tea.Cmd.
type engineCore interface {
	Runbook() *checklist.Runbook
	Snapshot() *session.Snapshot
	Actor() string
	Vars() map[string]string
	Plan(cmdID string, params map[string]string) (*session.Plan, error)
	Mask(text string) string
	ParamChoices(ctx context.Context, name string) ([]session.Choice, error)
	SetCheck(checkID string, done bool) error
	AddNote(stepID, text string) error
	Skip(cmdID string) error
	NewRun(title string) error
	StartInteractive(p *session.Plan, confirmation, editor string) (*exec.Cmd, error)
	RecordInteractive(cmdID string, end session.InteractiveEnd) error
	// AdmitAction admits a change outside the runbook (a container
	// restart) like a command: operator lock, confirmation, audit.
	AdmitAction(kind, subject, what, confirmation string) (*session.Action, error)
}

// Engine is the session as the screen is given it; *session.Session
// satisfies it.
type Engine interface {
	engineCore
	Start(ctx context.Context, p *session.Plan, confirmation string, out io.Writer) (*session.Execution, error)
	Running(ctx context.Context, out io.Writer) *session.Execution
	// Watch follows other processes' writes to the state dir until ctx
	// ends (ui.Run starts it for the screen's lifetime).
	Watch(ctx context.Context)
	// RequestApproval and ApprovalStatus read and write approval files:
	// only in a Cmd (approval.go).
	RequestApproval(p *session.Plan, note string) (*session.ApprovalStatus, error)
	ApprovalStatus(id string) (*session.ApprovalStatus, error)
}

var _ Engine = (*session.Session)(nil)

// job is a command running in the background, as the screens see it.
type job interface {
	CommandID() string
	Wait() (checklist.CommandRun, error)
	Cancel() error
}

// backend is Engine with Start/Running returning jobs, so the screens do not
// depend on the concrete Execution type (and tests can drive real processes
// with a small engine of their own).
type backend interface {
	engineCore
	Start(ctx context.Context, p *session.Plan, confirmation string, out io.Writer) (job, error)
	Running(ctx context.Context, out io.Writer) job
}

type engineBackend struct{ Engine }

// StateDir is the session's state dir, when the engine has one.
func (b engineBackend) StateDir() string {
	if sd, ok := b.Engine.(interface{ StateDir() string }); ok {
		return sd.StateDir()
	}
	return ""
}

type execJob struct{ e *session.Execution }

func (j execJob) CommandID() string                   { return j.e.CommandID }
func (j execJob) Wait() (checklist.CommandRun, error) { return j.e.Wait() }
func (j execJob) Cancel() error                       { return j.e.Cancel() }

func (b engineBackend) Start(ctx context.Context, p *session.Plan, confirmation string, out io.Writer) (job, error) {
	e, err := b.Engine.Start(ctx, p, confirmation, out)
	if err != nil || e == nil {
		return nil, err
	}
	return execJob{e}, nil
}

func (b engineBackend) Running(ctx context.Context, out io.Writer) job {
	if e := b.Engine.Running(ctx, out); e != nil {
		return execJob{e}
	}
	return nil
}

// Options configure the screen.
type Options struct {
	Version string
	// NoColor drops colours (NO_COLOR in the environment does the same).
	NoColor bool
	// Monitor, when set, feeds the status bar, the stack and database
	// panes and the state shown atop emergency playbooks.
	Monitor Monitor
	// Review builds the "Review changes" page's plan (op plan) against a
	// ref, "" for op plan's default target; fresh renders the SQL again.
	// Targets lists the refs offered. Both run in a Cmd; nil: the page
	// says it is not available.
	Review  func(ctx context.Context, ref string, fresh bool) (changes.Plan, error)
	Targets func(ctx context.Context) ([]changes.TargetChoice, error)
	// Watch opens the screen read-only (planner-tui watch; watch.go);
	// WatchNote is flashed when it opens (why the operator cannot see
	// this watcher, say).
	Watch     bool
	WatchNote string
}

// Context is what every screen shares (gh-dash style): the engine, sizes,
// styles, keys and the cached run snapshot. Screens read it; only the root
// model writes it.
type Context struct {
	ctx context.Context
	eng backend
	rb  *checklist.Runbook
	run checklist.Run // *snapshot.Run, refreshed by the root when the snapshot changes
	// snapshot is the engine's latest snapshot as of the last sync.
	snapshot *session.Snapshot
	opts     Options
	styles   Styles
	keys     KeyMap
	dark     bool
	noColor  bool
	width    int
	height   int
	now      time.Time

	// active is the command running now (started here or re-attached).
	active *activeJob
	// logs are the output buffers of commands run by this instance, by id.
	logs map[string]*LogBuffer
	// results are outcomes the engine did not record (interactive commands).
	results map[string]checklist.CommandRun
	// mine are the attempts this screen started (or re-attached to), by
	// command id: a record with another job or attempt is another
	// process's run, whatever this screen did before.
	mine map[string]attemptKey
	// launching are the commands this screen is starting now: the engine
	// may publish the run saying running before Start returns.
	launching map[string]bool
	spin      string // current spinner frame
	// tails are the last lines of log files of commands that ran before
	// this screen started, by path; a nil value means "being read".
	tails map[string]*LogBuffer
	// liveTails are tails read while their command ran in another process
	// (read again when it ends); tailBusy are tails being read now.
	liveTails map[string]bool
	tailBusy  map[string]bool
	tailAt    map[string]time.Time // when a live tail was last asked for
	// snap is the latest state of the stack (nil before the first one).
	snap *monitor.Snapshot
	// scanner classifies log lines as errors or warnings.
	scanner *logscan.Scanner
	// wrap is the log panes' wrap setting (w), kept between starts.
	wrap bool
	// stateDir is the engine's state dir ("" when it has none): the run
	// summary writes the report into the run's dir there.
	stateDir string
	// notify is the webhook queue as last read (notifystatus.go).
	notify notifyState
	// chain is the step running as a whole (chain.go), nil for none.
	chain *chain
	// watch is the watcher's state (watch.go), nil unless Options.Watch.
	watch *watchState
	// streams owns the one stream followed now (a container's log): a
	// new one starts once the previous has ended (tasks.go).
	streams tasks
	// owners counts the owner ids handed out (owner.go).
	owners uint64

	// pending are actions the screens asked for during this Update; the
	// root handles them before the next message, so a key typed right
	// after enter cannot slip in before the dialog it opens.
	pending []tea.Msg
}

func (c *Context) emit(m tea.Msg) { c.pending = append(c.pending, m) }

type activeJob struct {
	cmdID   string
	job     job
	buf     *LogBuffer
	started time.Time
}

// status returns the state of a command as the screen shows it.
func (c *Context) status(cmdID string) checklist.CommandRun {
	if c.active != nil && c.active.cmdID == cmdID {
		cr := checklist.CommandRun{Status: checklist.Running, Started: c.active.started}
		if r := c.run.Commands[cmdID]; r != nil && r.Status == checklist.Running && !r.Started.IsZero() {
			cr.Started = r.Started
		}
		return cr
	}
	if r, ok := c.results[cmdID]; ok {
		// Ours until the engine records it (RecordInteractive, in a Cmd):
		// the run still says running for the same job and attempt. A
		// record of another attempt (run again elsewhere, its Ended zero
		// while it runs) is the truth, not our older result.
		if e := c.run.Commands[cmdID]; e == nil || (keyOf(*e) == keyOf(r) && e.Status == checklist.Running) {
			return r
		}
	}
	if r := c.run.Commands[cmdID]; r != nil {
		// Running with no job attached here: another process runs it
		// (its output is followed from the log file); an orphan is
		// settled by the engine's reconcile, not guessed here.
		return *r
	}
	return checklist.CommandRun{Status: checklist.Pending}
}

// attemptKey names one run of a command: its job and attempt number.
type attemptKey struct {
	jobID   string
	attempt int
}

func keyOf(cr checklist.CommandRun) attemptKey { return attemptKey{cr.JobID, cr.Attempt} }

// markMine remembers the run record's current attempt of cmdID as one this
// screen started; call it after the sync that follows the start.
func (c *Context) markMine(cmdID string) {
	if cr := c.run.Commands[cmdID]; cr != nil {
		c.mine[cmdID] = keyOf(*cr)
	}
}

// isMine says whether the run's record of cmdID is an attempt this screen
// started: false for a command it never started, or one run again by
// another process since.
func (c *Context) isMine(cmdID string) bool {
	k, ok := c.mine[cmdID]
	if !ok {
		return false
	}
	cr := c.run.Commands[cmdID]
	return cr == nil || keyOf(*cr) == k
}

// checked says whether a person ticked a manual check in this run (a
// "[x]" in the document does not count: Run.Ticked).
func (c *Context) checked(ch *checklist.Check) bool { return c.run.Ticked(ch) }
