package session

import (
	"context"
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
	// Gate is the outcome of `planner-tui op health-gate` run as a step:
	// it becomes the deployment record's gate.
	Gate *checklist.HealthGate `json:"gate,omitempty"`
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
	// escalation is the watch for a cancel its supervisor cannot finish
	// (cancel.go).
	escalation sync.Once
	result     checklist.CommandRun
	err        error
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
		e.s.afterEnd(e.CommandID, e.result) // the deployment record (record.go)
		close(e.waited)
	})
	<-e.waited
	return e.result, e.err
}

// Cancel sends SIGTERM to the command's process group, SIGKILL after a
// grace: the supervisor's, or, when the supervisor is dead, this
// process's (escalate, cancel.go). It does not wait: Wait does.
func (e *Execution) Cancel() error {
	e.s.record(audit.Record{Event: "cancel", RunID: e.s.Run().ID, CommandID: e.CommandID})
	if err := e.job.Cancel(); err != nil {
		return err
	}
	e.escalation.Do(func() { go e.escalate() })
	return nil
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
	if err := shellInstalled(p.Command); err != nil {
		return nil, err
	}
	a, err := s.admit(p, confirmation, false)
	if err != nil {
		return nil, err
	}
	s.beforeStart(ctx, a.plan) // the deployment record's From (record.go)
	crashPoint(crashBeforeSupervisor)
	p, cmd := a.plan, a.plan.Command
	spec := runner.Spec{
		JobDir:    a.jobDir,
		Dir:       s.runbook.CommandDir(cmd, s.target.Dir),
		Shell:     cmd.Shell,
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
	var canceled *runner.StartCanceledError
	if errors.As(err, &canceled) {
		return nil, s.startCanceled(a, canceled)
	}
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
		saveErr := s.rec.saveEnds(s.run, []audit.Record{{Event: "run.end", RunID: s.run.ID, StepID: s.rec.stepID(cmd.ID), CommandID: cmd.ID, JobID: cr.JobID, ExitCode: &code, Outcome: "interrupted", Message: cr.Error}})
		return nil, errors.Join(fmt.Errorf("start %s: %w", cmd.ID, err), saveErr)
	}
	e := &Execution{JobID: a.jobID, CommandID: cmd.ID, LogPath: filepath.Join(a.jobDir, runner.OutputFile), s: s, job: job, waited: make(chan struct{})}
	s.running = e
	return e, nil
}

// startCanceled records a command whose start was cancelled (ctx ended
// during the supervisor's handshake): the supervisor was told to stop, but
// bash may have run. It follows the job to its real end, as a cancel does
// (escalating if the supervisor cannot), and records that, not a guessed
// "never started". The error says what was recorded.
func (s *Session) startCanceled(a *admitted, c *runner.StartCanceledError) error {
	cmdID := a.plan.Command.ID
	e := &Execution{JobID: a.jobID, CommandID: cmdID, LogPath: filepath.Join(a.jobDir, runner.OutputFile), s: s, job: c.Job, waited: make(chan struct{})}
	s.mu.Lock()
	s.running = e
	s.mu.Unlock()
	s.record(audit.Record{Event: "cancel", RunID: a.runID, CommandID: cmdID, JobID: a.jobID, Message: "cancelled while its supervisor started: " + c.Err.Error()})
	e.escalation.Do(func() { go e.escalate() })
	cr, err := e.Wait()
	return errors.Join(fmt.Errorf("start %s: %w; recorded as %s %s", cmdID, c, cr.Status, strings.TrimSpace(cr.Error+" "+cr.Detail)), err)
}

// StartInteractive admits a command that needs the terminal (an editor on
// .env) through the same guards, lock, state and audit as Start, and
// returns the process to run in the foreground; the caller hands it the
// terminal and then calls RecordInteractive with its exit code. editor,
// when set, replaces a literal nano/vi/vim at the start of a line.
func (s *Session) StartInteractive(p *Plan, confirmation, editor string) (*exec.Cmd, error) {
	if err := shellInstalled(p.Command); err != nil {
		return nil, err
	}
	a, err := s.admit(p, confirmation, true)
	if err != nil {
		return nil, err
	}
	s.beforeStart(context.Background(), a.plan)
	script := a.plan.Script
	if editor != "" && !strings.ContainsAny(editor, "'\"`$;&|") {
		script = editorWord.ReplaceAllString(script, "${1}"+editor+"${3}")
	}
	cmd := exec.Command("bash", "-o", "pipefail", "-c", script)
	if sh := a.plan.Command.Shell; sh != "" && sh != checklist.DefaultShell {
		cmd = exec.Command(sh, "-c", script)
	}
	cmd.Dir = s.runbook.CommandDir(a.plan.Command, s.target.Dir)
	cmd.Env = append(os.Environ(), a.env...)
	return cmd, nil
}

// shellInstalled refuses, before anything is recorded, a command written
// for a shell this machine does not have (```zsh without zsh).
func shellInstalled(cmd *checklist.Command) error {
	if cmd == nil || cmd.Shell == "" || cmd.Shell == checklist.DefaultShell {
		return nil
	}
	if _, err := exec.LookPath(cmd.Shell); err != nil {
		return fmt.Errorf("%s: written for %s, which is not installed here (not in PATH): nothing ran", cmd.ID, cmd.Shell)
	}
	return nil
}

var editorWord = regexp.MustCompile(`(?m)^(\s*)(nano|vi|vim|editor)(\s)`)

// finish records a job's result in the run state and the audit log.
func (s *Session) finish(cmdID, jobID string, res runner.Result, waitErr error) (checklist.CommandRun, error) {
	// The step may have rewritten .env, or made secrets of its own: what
	// follows must mask the new values.
	s.secrets.keepStepVars(res.SecretVars)
	s.secrets.refresh()
	// fail-if/warn-if read the whole log: not under the run mutex, which
	// every write (and the watcher) waits for. judge scans again if the
	// command's log is not this one (the run changed meanwhile).
	var pre *outputScan
	if sn := s.Snapshot(); sn != nil && sn.Run != nil && sn.Run.ID != "" {
		pre = s.rec.scanFor(cmdID, filepath.Join(s.store.JobDir(sn.Run.ID, jobID), runner.OutputFile), res)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.run.Command(cmdID)
	if cr.JobID != jobID {
		// A newer attempt replaced this one; leave it alone.
		return *cr, waitErr
	}
	rec := s.rec.applyScanned(s.run, cmdID, cr, res, waitErr, pre)
	if s.running != nil && s.running.JobID == jobID {
		s.running = nil
	}
	saveErr := s.rec.saveEnds(s.run, []audit.Record{rec})
	return *cr, errors.Join(waitErr, saveErr)
}

// reconcile settles commands that were running when the last planner-tui
// stopped (recorder.reconcile).
func (s *Session) reconcile() error {
	// A supervisor still starting (runner.StartPending) is waited for
	// here, before mu: Open's caller (a headless run) must find the
	// command settled, and nothing may wait seconds under mu.
	s.mu.Lock()
	starting := s.rec.startingJobs(s.run)
	s.mu.Unlock()
	for _, dir := range starting {
		runner.NeverStarted(dir)
	}
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
	pending, err := s.rec.reconcile(s.run, s.opts.ReadOnly)
	if len(pending) > 0 {
		go s.settleLater(pending)
	}
	return err
}

// settleLater waits, with mu released, for the supervisors reconcile left
// starting (up to the runner's start grace), then reconciles again if this
// session still drives the run: a command whose supervisor never came is
// settled as never started without blocking every write for seconds.
func (s *Session) settleLater(jobDirs []string) {
	for _, dir := range jobDirs {
		runner.NeverStarted(dir)
	}
	s.mu.Lock()
	defer s.mu.Unlock() // publishes
	if s.operator.held == nil {
		return // not ours to write (closed, or never took the lock)
	}
	if err := s.reconcileLocked(); err != nil {
		s.rec.noteErr(fmt.Errorf("settle commands that never started: %w", err))
	}
}
