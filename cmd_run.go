package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"planner-tui/checklist"
	"planner-tui/ops/runner"
	"planner-tui/ops/session"
)

// Exit codes of `planner-tui run` (and `cancel`) besides the command's own,
// which is passed through. Ours are in 64-79 (after sysexits.h), a range
// few commands use; a command that does exit there is told apart by the
// "■" line on stderr and by `run --json` (docs/cli-json.md).
const (
	exitBadParam  = 64 // usage: a bad --param (unknown name, empty, invalid, missing) or flag; nothing ran
	exitUnknownID = 65 // no such command (or --choose) in the runbook; nothing ran
	exitRefused   = 66 // a guard refused (phrase, confirmation, lock, another command running); nothing ran
	exitNoExit    = 69 // the command has no exit code: it never started, or its supervisor died
	exitInternal  = 70 // planner-tui could not get as far as running: runbook errors, state dir, ...
)

// runOutcome is what `run --json` prints: how the run ended, in one object.
type runOutcome struct {
	ID string `json:"id"`
	// Outcome is the status the command ended with (ok, warning, failed,
	// interrupted), or, when nothing ran: refused, unknown_id,
	// bad_parameter, error.
	Outcome  string    `json:"outcome"`
	Exit     int       `json:"exit"`                // planner-tui's exit code
	Ran      bool      `json:"ran"`                 // the command started
	ExitCode *int      `json:"exit_code,omitempty"` // the command's own, when it has one
	Reason   string    `json:"reason,omitempty"`    // why nothing ran, or why it was interrupted
	Detail   string    `json:"detail,omitempty"`    // why it ended warning or failed when the exit code alone does not say
	Log      string    `json:"log,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	// Approval is the request id when the outcome is awaiting_approval.
	Approval string `json:"approval,omitempty"`
	// Gate is the health gate watched after the command (run --gate).
	Gate *checklist.HealthGate `json:"gate,omitempty"`
}

func (r *runOutcome) err() error {
	if r.Exit == 0 {
		return nil
	}
	var err error
	if !r.Ran || r.Reason != "" {
		err = errors.New(r.Reason)
	}
	return &exitError{code: r.Exit, err: err}
}

func newRunCmd(o *options) *cobra.Command {
	var (
		confirm string
		yes     bool
		params  []string
		choose  string
		gate    bool
		asJSON  bool
		note    string
	)
	cmd := &cobra.Command{
		Use:   "run [FILE] ID",
		Short: "Run one command headless, streaming its output; exits with its exit code",
		Long: `run runs one command of the runbook (FILE, else --runbook, else the embedded
one) in the current run, streaming its output (secrets masked) to stdout, and
exits with the command's exit code.

Guards: a destructive command runs only with --confirm and its exact phrase
(shown by 'planner-tui show ID'); a change command asks y/N on a terminal and
needs --yes without one. Parameters (<placeholder> words) are given with
--param NAME=VALUE; an unknown name or an empty value is refused. A value
given earlier in the run is reused, but not for a command that needs a
phrase: give it again with --param. The filled command, its risk and phrase
are printed on stderr before it runs (risk is judged on the filled command:
<action>=down is down). For a command with alternatives ("Or ..."), --choose
ID runs the chosen one.

A command the runbook says needs an approval (approvals: in the front
matter, approvals=N on the fence) is refused with "awaiting approval ID"
(exit 75) until another engineer runs 'planner-tui approve ID'; --note says
why, for them. Run it again (with the phrase) once approved.

Exit codes when nothing ran: 64 a bad or missing parameter, 65 no such
command, 66 refused by a guard, 75 awaiting approval; 69 the command has no exit code (never
started, or its supervisor died); 70 planner-tui could not get that far.
Otherwise the command's own exit code, except: 3 when it ended with a
warning (it ran; something needs a look: the 'planner-tui op' convention),
and 1 when it failed with exit 0 (a fail-if matched). With --json the command's output
goes to stderr and stdout gets one JSON object saying which it was
(docs/cli-json.md).

The command runs in a detached supervisor: if this process dies the command
still finishes and its result is recorded for the next start. Ctrl+C cancels
it (SIGTERM to its process group, SIGKILL after a grace period); so does
'planner-tui cancel' from another terminal.`,
		Args: func(_ *cobra.Command, args []string) error {
			switch {
			case len(args) == 2 && !isRunbookFile(args[0]):
				return &exitError{code: exitBadParam, err: fmt.Errorf("run takes one command id, got 2 (%s is not a runbook file)", args[0])}
			case len(args) != 1 && len(args) != 2:
				return &exitError{code: exitBadParam, err: fmt.Errorf("run takes one command id (after a runbook file, if given), got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.runbook, args = args[0], args[1:]
			}
			// One lock for both streams: the runner's goroutine copies the
			// command's output while this one (and the signal handler) say
			// what happens, maybe to the same writer (--json, or a caller
			// that passed one writer for both).
			var mu sync.Mutex
			stdout, errw := lockedWriter{&mu, cmd.OutOrStdout()}, lockedWriter{&mu, cmd.ErrOrStderr()}
			out := io.Writer(stdout)
			if asJSON {
				out = errw // stdout is for the JSON result alone
			}
			res := func() *runOutcome {
				pv, err := parseParams(params)
				if err != nil {
					return &runOutcome{ID: args[0], Outcome: "bad_parameter", Exit: exitBadParam, Reason: err.Error()}
				}
				return runHeadless(cmd.Context(), o, args[0], choose, pv, confirm, yes, note, gate, streams{in: cmd.InOrStdin(), out: out, err: errw})
			}()
			if asJSON {
				if err := writeJSON(stdout, res); err != nil {
					return err
				}
			}
			return res.err()
		},
	}
	f := cmd.Flags()
	f.StringVar(&confirm, "confirm", "", "the exact confirmation phrase of a destructive command")
	f.BoolVar(&yes, "yes", false, "confirm a change command without asking")
	f.StringArrayVar(&params, "param", nil, "a parameter value, NAME=VALUE (repeatable)")
	f.StringVar(&choose, "choose", "", "for a command with alternatives: the id of the one to run")
	f.BoolVar(&asJSON, "json", false, "print the outcome as JSON on stdout (the command's output goes to stderr)")
	f.StringVar(&note, "note", "", "for a command that needs an approval: a note for the approver (why, why now)")
	f.BoolVar(&gate, "gate", false, "after a compose up of the app in a deployment procedure that ended ok, watch the health gate before exiting (exit 1 when it fails, 3 when it cannot tell)")
	return cmd
}

// streams are where a headless run reads its y/N answer, streams the
// command's output (out) and says what it does (err).
type streams struct {
	in       io.Reader
	out, err io.Writer
}

func runHeadless(ctx context.Context, o *options, id, choose string, params map[string]string, confirm string, yes bool, note string, gate bool, st streams) *runOutcome {
	res := &runOutcome{ID: id}
	nothing := func(outcome string, code int, err error) *runOutcome {
		res.Outcome, res.Exit, res.Reason = outcome, code, err.Error()
		return res
	}
	o.healthGate = gate // run --gate: the session watches after a compose up of the app
	s, err := o.open(ctx, false)
	if err != nil {
		return nothing("error", exitInternal, err)
	}
	defer s.Close()
	defer func() {
		// A notification that could not be queued must not go unseen.
		if o.notify != nil && o.notify.Err() != nil {
			fmt.Fprintln(st.err, "planner-tui: notify:", o.notify.Err())
		}
	}()

	rb := s.Runbook()
	c, err := rb.Command(id)
	if err != nil {
		return nothing("unknown_id", exitUnknownID, err)
	}
	res.ID = c.ID
	if choose != "" {
		alt, err := rb.Command(choose)
		if err != nil {
			return nothing("unknown_id", exitUnknownID, fmt.Errorf("--choose: %w", err))
		}
		ok := false
		for _, a := range rb.Alternatives(c.ID) {
			ok = ok || a.ID == alt.ID
		}
		if !ok {
			return nothing("bad_parameter", exitBadParam, fmt.Errorf("--choose %s: not an alternative of %s", alt.ID, c.ID))
		}
		c = alt
		res.ID = c.ID
	}
	if err := session.CheckParams(c, params); err != nil {
		return nothing("bad_parameter", exitBadParam, err)
	}
	plan, err := s.Plan(c.ID, params)
	if err != nil {
		// The command is known: what Plan rejects is a parameter.
		return nothing("bad_parameter", exitBadParam, err)
	}
	printPlan(st.err, plan) // what runs, filled, before it runs
	confirmation := ""
	switch {
	case plan.NeedsPhrase():
		confirmation = confirm
		if plan.Gate != "" {
			fmt.Fprintln(st.err, "planner-tui:", plan.Gate)
		}
	case plan.Risk == checklist.Change:
		if yes {
			confirmation = "yes"
		} else if isTerminal(st.in) {
			if askYesNo(st, fmt.Sprintf("Run %q (%s)?\n%s\n(y/N) ", c.Title, plan.Risk, indent(plan.Display, "  "))) {
				confirmation = "yes"
			}
		}
	}
	if _, err := runner.OutputCapFromEnv(); err != nil {
		return nothing("error", exitInternal, err) // Start would refuse it too, less plainly
	}
	// Said before the command, once: its docker-compose lines may run the
	// compose plugin through a shim (ops/compose).
	if dec, err := s.Compose(); err == nil && dec.Note != "" {
		fmt.Fprintln(st.err, "planner-tui:", dec.Note)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	plan.ApprovalNote = note
	exec, err := s.Start(ctx, plan, confirmation, st.out)
	var awaiting *session.AwaitingApprovalError
	if errors.As(err, &awaiting) {
		res.Approval = awaiting.Status.ID
		return nothing("awaiting_approval", exitAwaitingApproval, awaiting)
	}
	var refused *session.RefusedError
	if errors.As(err, &refused) {
		if len(plan.Missing) > 0 {
			// Start refused (and audited) it; say how to give them.
			return nothing("bad_parameter", exitBadParam, fmt.Errorf("%w (give them with --param NAME=VALUE)", refused))
		}
		return nothing("refused", exitRefused, refused)
	}
	var badParam *session.ParamError
	switch {
	case errors.As(err, &badParam):
		// The state moved between Plan and Start (a value changed).
		return nothing("bad_parameter", exitBadParam, err)
	case err != nil && neverStarted(s.Run(), c.ID):
		// The supervisor did not start: marked and recorded "never started".
		return nothing("interrupted", exitNoExit, err)
	case err != nil:
		// Admission could not get as far as marking the command running (the
		// state could not be saved, the lock could not be read): nothing ran.
		return nothing("error", exitInternal, err)
	}
	res.Ran = true
	fmt.Fprintf(st.err, "▶ %s  [%s, %s]\n", c.Title, c.ID, plan.Risk)
	if w := s.EnvWarning(); w != "" {
		fmt.Fprintln(st.err, "planner-tui: WARNING:", w)
	}
	if err := s.AuditErr(); err != nil {
		// Not a reason to stop an operator mid-incident (a full disk is
		// one), but never silent.
		fmt.Fprintln(st.err, "planner-tui: WARNING: the audit log could not be written:", err)
	}
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(st.err, "\nplanner-tui: cancelling (SIGTERM to the command, SIGKILL after the grace period)")
			_ = exec.Cancel()
		}
	}()
	cr, err := exec.Wait()
	if err != nil {
		fmt.Fprintln(st.err, "planner-tui:", err)
	}
	fmt.Fprintf(st.err, "■ %s: %s (exit %d, %s)  log: %s\n", c.ID, cr.Status, cr.ExitCode, cr.Ended.Sub(cr.Started).Round(1e6), cr.Log)
	if cr.Detail != "" {
		fmt.Fprintf(st.err, "  %s: %s\n", cr.Status, cr.Detail)
	}
	res.Outcome, res.Log, res.Started, res.Ended, res.Reason, res.Detail = string(cr.Status), cr.Log, cr.Started, cr.Ended, cr.Error, cr.Detail
	if cr.ExitCode >= 0 {
		code := cr.ExitCode
		res.ExitCode = &code
	}
	switch {
	case cr.Status == checklist.OK:
		res.Exit = 0
	case cr.Status == checklist.Warning:
		res.Exit = checklist.ExitWarning // ran, something needs a look
	case cr.ExitCode > 0:
		res.Exit = cr.ExitCode
	case cr.ExitCode == 0:
		res.Exit = 1 // failed with exit 0: a failure the runbook detects, not the shell
	default:
		res.Exit = exitNoExit
	}
	if gate && cr.Status == checklist.OK {
		waitGate(ctx, s, res, st)
	}
	return res
}

// waitGate waits for the health gate the command started (run --gate) and
// makes a failed gate exit 1, one that could not tell 3.
func waitGate(ctx context.Context, s *session.Session, res *runOutcome, st streams) {
	if g := s.Snapshot().Run.Deployment; g != nil && g.Gate != nil && g.Gate.Result == checklist.GateRunning {
		fmt.Fprintf(st.err, "planner-tui: health gate: watching the app's /health and the containers for %s\n", checklist.Clock(g.Gate.Window))
	}
	g, err := s.WaitGate(ctx)
	switch {
	case err != nil:
		fmt.Fprintln(st.err, "planner-tui: health gate:", err)
		res.Exit = checklist.ExitWarning
		return
	case g == nil:
		fmt.Fprintln(st.err, "planner-tui: no health gate: the command is no compose up of the app in a deployment procedure, or the gate is off")
		return
	}
	res.Gate = g
	fmt.Fprintln(st.err, "■ "+g.Line(time.Now()))
	switch g.Result {
	case checklist.GatePassed:
	case checklist.GateFailed:
		res.Exit = 1
	default:
		res.Exit = checklist.ExitWarning
	}
}

// neverStarted says whether Start marked the command interrupted (its
// supervisor did not start), as opposed to refusing before marking it.
func neverStarted(run checklist.Run, id string) bool {
	cr := run.Commands[id]
	return cr != nil && cr.Status == checklist.Interrupted
}

func askYesNo(st streams, prompt string) bool {
	fmt.Fprint(st.err, prompt)
	line, _ := bufio.NewReader(st.in).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

// lockedWriter serializes writes to w with a lock it may share.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// isTerminal: r is a terminal (only an *os.File can be one; an injected
// stream never is).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// isRunbookFile says whether run's first of two arguments names a runbook:
// an existing file, or a Markdown name (a missing one is then reported as
// unreadable, not taken for a command id).
func isRunbookFile(arg string) bool {
	if fi, err := os.Stat(arg); err == nil {
		return !fi.IsDir()
	}
	ext := strings.ToLower(filepath.Ext(arg))
	return ext == ".md" || ext == ".markdown"
}
