package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/envfile"
	"planner-tui/ops/lock"
	"planner-tui/ops/runner"
)

// Environment given to every command besides the runbook variables, so that
// `planner-tui op ...` steps record their artifacts in the run.
const (
	EnvStateDir = "PLANNER_TUI_STATE_DIR"
	EnvRunID    = "PLANNER_TUI_RUN_ID"
	EnvJobDir   = "PLANNER_TUI_JOB_DIR"
	// EnvVars holds the effective runbook variables as a JSON object: a
	// `planner-tui op` step works on the same stack as the session that
	// started it, whatever runbook, --set or --dir that session had.
	EnvVars = "PLANNER_TUI_VARS"
	// EnvConfirmed carries the phrase this session checked into the step,
	// so that `planner-tui op restore` in it does not refuse for want of
	// --confirm. Headless, on its own, op restore still needs --confirm.
	EnvConfirmed = "PLANNER_TUI_CONFIRMED"
)

// ArtifactsFile is written into the job dir by `planner-tui op backup` (and
// any other native op that produces something worth recording).
const ArtifactsFile = "artifacts.json"

// Artifacts are what a native op reports back to the run.
type Artifacts struct {
	Backups []checklist.Backup `json:"backups,omitempty"`
}

// Execution is a command running in the background.
type Execution struct {
	JobID     string
	CommandID string
	LogPath   string

	s      *Session
	job    *runner.Job
	once   sync.Once
	waited chan struct{}
	result checklist.CommandRun
	err    error
}

func (e *Execution) done() bool {
	select {
	case <-e.waited:
		return true
	default:
		return false
	}
}

// Wait blocks until the command ends, records the result in the run and the
// audit log, and returns it. Safe to call from several goroutines.
func (e *Execution) Wait() (checklist.CommandRun, error) {
	e.once.Do(func() {
		res, err := e.job.Wait()
		if err != nil {
			e.err = err
		}
		e.result, e.err = e.s.finish(e.CommandID, e.JobID, res, e.err)
		close(e.waited)
	})
	<-e.waited
	return e.result, e.err
}

// Cancel sends SIGTERM to the command's process group, SIGKILL after a grace.
func (e *Execution) Cancel() error {
	e.s.record(audit.Record{Event: "cancel", RunID: e.s.Run().ID, CommandID: e.CommandID})
	return e.job.Cancel()
}

// Start runs the plan in the background, in a detached supervisor that
// outlives this process. confirmation is the exact phrase for commands that
// need one, "yes" for Change commands, anything for Safe ones. A refusal
// returns *RefusedError, is audited, and runs nothing.
func (s *Session) Start(ctx context.Context, p *Plan, confirmation string, out io.Writer) (*Execution, error) {
	outputCap, err := runner.OutputCapFromEnv()
	if err != nil {
		return nil, err
	}
	a, err := s.admit(p, confirmation, false)
	if err != nil {
		return nil, err
	}
	crashPoint(crashBeforeSupervisor)
	p, cmd := a.plan, a.plan.Command
	spec := runner.Spec{
		JobDir:    a.jobDir,
		Dir:       s.target.Dir,
		Script:    p.Script,
		Env:       a.env,
		VarsFile:  s.store.VarsFile(a.runID),
		Sets:      cmd.Sets,
		Timeout:   cmd.Timeout,
		Secrets:   append(a.secrets, p.secrets...),
		OutputCap: outputCap,
	}
	s.secrets.fillSpec(&spec)
	job, err := runner.Start(ctx, spec, out)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// The supervisor did not start: the command never ran.
		cr := s.run.Command(cmd.ID)
		cr.Status = checklist.Interrupted
		cr.Ended = time.Now().UTC()
		cr.ExitCode = -1
		cr.Error = "never started: " + err.Error()
		code := -1
		saveErr := s.rec.saveEnds(s.run, []audit.Record{{Event: "run.end", RunID: s.run.ID, StepID: s.rec.stepID(cmd.ID), CommandID: cmd.ID, ExitCode: &code, Outcome: "interrupted", Message: cr.Error}})
		return nil, errors.Join(fmt.Errorf("start %s: %w", cmd.ID, err), saveErr)
	}
	e := &Execution{JobID: a.jobID, CommandID: cmd.ID, LogPath: filepath.Join(a.jobDir, runner.OutputFile), s: s, job: job, waited: make(chan struct{})}
	s.running = e
	return e, nil
}

// StartInteractive admits a command that needs the terminal (an editor on
// .env) through the same guards, lock, state and audit as Start, and
// returns the process to run in the foreground; the caller hands it the
// terminal and then calls RecordInteractive with its exit code. editor,
// when set, replaces a literal nano/vi/vim at the start of a line.
func (s *Session) StartInteractive(p *Plan, confirmation, editor string) (*exec.Cmd, error) {
	a, err := s.admit(p, confirmation, true)
	if err != nil {
		return nil, err
	}
	script := a.plan.Script
	if editor != "" && !strings.ContainsAny(editor, "'\"`$;&|") {
		script = editorWord.ReplaceAllString(script, "${1}"+editor+"${3}")
	}
	cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
	cmd.Dir = s.target.Dir
	cmd.Env = append(os.Environ(), a.env...)
	return cmd, nil
}

var editorWord = regexp.MustCompile(`(?m)^(\s*)(nano|vi|vim|editor)(\s)`)

// admitted is a command that passed the guards and is marked running.
type admitted struct {
	plan    *Plan
	runID   string
	jobID   string
	jobDir  string   // "" for interactive commands
	env     []string // what the command sees besides our environment
	secrets []string // the .env values to mask, read just now
}

// admit re-plans (state may have moved since the caller planned), checks
// the confirmation and every guard, takes the operator lock, marks the
// command running in the saved state and audits it. A refusal is audited
// and returns *RefusedError.
func (s *Session) admit(p *Plan, confirmation string, interactive bool) (*admitted, error) {
	// .env may have changed since the last command (a rotated secret).
	secrets := s.secrets.refresh()
	fresh, err := s.Plan(p.Command.ID, p.given)
	if err != nil {
		return nil, err
	}
	// The phrase is checked against what the operator was shown, too: a
	// wrong phrase is refused even if the state moved so that the fresh
	// plan would not ask for one (the TUI sends a wrong phrase here to
	// have it audited, and it must never run).
	shownPhrase := p.Confirm
	p = fresh
	cmd := p.Command
	if s.opts.ReadOnly {
		return nil, errors.New("read-only session: cannot run commands")
	}
	shownConfirmation := s.secrets.Mask(confirmation)
	refuse := func(reason string) (*admitted, error) {
		s.record(audit.Record{Event: "refuse", RunID: s.Run().ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: s.secrets.Mask(reason)})
		return nil, &RefusedError{CommandID: cmd.ID, Reason: reason}
	}
	switch {
	case len(p.Missing) > 0:
		return refuse("missing parameters: " + strings.Join(p.Missing, ", "))
	case p.Blocked != "":
		return refuse(p.Blocked)
	case p.reusedRefusal() != "":
		return refuse(p.reusedRefusal())
	case shownPhrase != "" && confirmation != shownPhrase:
		if confirmation == "" {
			return refuse(fmt.Sprintf("%s command: type %q to confirm (it destroys %s)", p.Risk, shownPhrase, p.Destroys))
		}
		return refuse(fmt.Sprintf("the confirmation %q does not match %q", shownConfirmation, shownPhrase))
	case p.NeedsPhrase() && confirmation != p.Confirm:
		if confirmation == "" {
			return refuse(fmt.Sprintf("%s command: type %q to confirm (it destroys %s)", p.Risk, p.Confirm, p.Destroys))
		}
		return refuse(fmt.Sprintf("the confirmation %q does not match %q", shownConfirmation, p.Confirm))
	case !p.NeedsPhrase() && p.Risk == checklist.Change && confirmation != "yes":
		return refuse("change command: not confirmed (answer y, or --yes headless)")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			s.record(audit.Record{Event: "lock.refused", RunID: s.run.ID, CommandID: cmd.ID, Outcome: "refused", Message: err.Error()})
			return nil, &RefusedError{CommandID: cmd.ID, Reason: err.Error()}
		}
		return nil, err
	}
	// Plan checked this with mu released since (and taking the lock may
	// have reloaded the run): another Start may have begun a command.
	if blocked := s.blockedLocked(cmd); blocked != "" {
		s.record(audit.Record{Event: "refuse", RunID: s.run.ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: blocked})
		return nil, &RefusedError{CommandID: cmd.ID, Reason: blocked}
	}

	// Restored if the state cannot be saved: a command that never started
	// must not stay "running" in memory and block every other one.
	before := s.run.Clone()
	cr := s.run.Command(cmd.ID)
	cr.Attempt++
	a := &admitted{plan: p, runID: s.run.ID, secrets: secrets}
	if interactive {
		a.jobID = "interactive"
	} else {
		a.jobID, a.jobDir = s.newJobLocked(cmd.ID, cr.Attempt)
	}
	*cr = checklist.CommandRun{
		Status:    checklist.Running,
		JobID:     a.jobID,
		Attempt:   cr.Attempt,
		Started:   time.Now().UTC(),
		Params:    keptParams(p.Params),
		Confirmed: shownConfirmation,
	}
	if a.jobDir != "" {
		cr.Log = filepath.Join(a.jobDir, runner.OutputFile)
	}
	if alts := s.runbook.Alternatives(cmd.ID); len(alts) > 1 {
		s.run.Choices[alts[0].ID] = cmd.ID
	}
	for k, v := range keptParams(p.Params) {
		s.run.Params[k] = v
	}
	if err := s.store.Save(s.run); err != nil {
		*s.run = before
		return nil, err
	}
	confirmed := ""
	if p.NeedsPhrase() {
		confirmed = confirmation
		s.record(audit.Record{Event: "confirm", RunID: s.run.ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Message: p.Destroys})
	}
	a.env = s.commandEnv(cmd, a.jobDir, confirmed)
	msg := ""
	if interactive {
		msg = "interactive: the command has the terminal"
	}
	s.record(audit.Record{Event: "run.start", RunID: s.run.ID, StepID: s.rec.stepID(cmd.ID), CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Message: msg})
	return a, nil
}

// keptParams are the parameters worth keeping in the run's state: not the
// secret ones (a <token> is asked for again rather than stored).
func keptParams(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if !envfile.IsSecretKey(k) {
			out[k] = v
		}
	}
	return out
}

// lockLocked takes the operator lock on first use and keeps it.
func (s *Session) lockLocked() error {
	if s.lock != nil {
		return nil
	}
	l, err := lock.Acquire(s.store.LockPath(), lock.Holder{
		User: s.actor.User, Host: s.actor.Host, PID: os.Getpid(), Since: time.Now().UTC(),
		Purpose: s.run.Title,
	})
	if err != nil {
		return err
	}
	s.lock = l
	// Until now another process may have written the run (a headless run,
	// a second screen): start from what is on disk, so that no write of
	// ours puts back an older state over theirs. From here on only this
	// session writes it.
	if run, err := s.store.Load(s.run.ID); err == nil {
		s.run = run
	}
	return s.reconcileLocked()
}

// commandEnv is what a command sees on top of planner-tui's environment:
// the runbook variables its script reads (and no others: docker-compose
// prefers the environment to .env when it substitutes, so exporting DB_HOST
// everywhere would override the stack's own settings), this binary first on
// PATH, and, for `planner-tui op` steps, the effective variables and where
// to report artifacts.
func (s *Session) commandEnv(cmd *checklist.Command, jobDir, confirmed string) []string {
	env := make([]string, 0, len(cmd.Uses)+5)
	for _, k := range cmd.Uses {
		if v, ok := s.vars[k]; ok {
			env = append(env, k+"="+v)
		}
	}
	path := os.Getenv("PATH")
	if exe, err := os.Executable(); err == nil && !strings.HasSuffix(exe, ".test") {
		path = filepath.Dir(exe) + string(os.PathListSeparator) + path
	}
	if bin := os.Getenv("PLANNER_TUI_BIN"); bin != "" {
		path = filepath.Dir(bin) + string(os.PathListSeparator) + path
	}
	vars, _ := json.Marshal(s.vars)
	// The phrase was checked by admit: `planner-tui op restore` in the step
	// reads it instead of refusing. Every other step gets it empty, so a
	// confirmation never leaks into steps (or shells) that were not
	// confirmed through the environment they inherit.
	return append(env,
		"PATH="+path,
		EnvVars+"="+string(vars),
		EnvStateDir+"="+s.store.Dir,
		EnvRunID+"="+s.run.ID,
		EnvJobDir+"="+jobDir,
		EnvConfirmed+"="+confirmed,
	)
}

// finish records a job's result in the run state and the audit log.
func (s *Session) finish(cmdID, jobID string, res runner.Result, waitErr error) (checklist.CommandRun, error) {
	// The step may have rewritten .env, or made secrets of its own: what
	// follows must mask the new values.
	s.secrets.keepStepVars(res.SecretVars)
	s.secrets.refresh()
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.run.Command(cmdID)
	if cr.JobID != jobID {
		// A newer attempt replaced this one; leave it alone.
		return *cr, waitErr
	}
	rec := s.rec.applyResult(s.run, cmdID, cr, res, waitErr)
	if s.running != nil && s.running.JobID == jobID {
		s.running = nil
	}
	saveErr := s.rec.saveEnds(s.run, []audit.Record{rec})
	return *cr, errors.Join(waitErr, saveErr)
}

// reconcile settles commands that were running when the last planner-tui
// stopped (recorder.reconcile).
func (s *Session) reconcile() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reconcileLocked()
}

// reconcileLocked is reconcile with mu held. While another process holds
// the operator lock it changes nothing: that process follows its commands
// and records their ends itself.
func (s *Session) reconcileLocked() error {
	if s.lockedOutLocked() != "" {
		return nil
	}
	return s.rec.reconcile(s.run, s.opts.ReadOnly)
}

// newJobLocked names a job dir that no job of the run has used: the
// command's last id part and its attempt, bumped past any existing dir (a
// changed runbook can map two commands to the same name).
func (s *Session) newJobLocked(cmdID string, attempt int) (id, dir string) {
	for n := attempt; ; n++ {
		id = fmt.Sprintf("%s-%d", jobSlug(cmdID), n)
		dir = s.store.JobDir(s.run.ID, id)
		// Any error but "exists" ends the search: ENOENT is the free
		// name; anything else (jobs/ not a directory) makes the runner
		// fail with a clear error rather than this loop spin.
		if _, err := os.Lstat(dir); err != nil {
			return id, dir
		}
	}
}

// jobSlug keeps the last part of a command id: readable and short enough
// for a directory name.
func jobSlug(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 40 {
		id = id[:40]
	}
	return id
}
