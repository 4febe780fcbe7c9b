package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/docs"
	"planner-tui/ops"
	"planner-tui/ops/audit"
	"planner-tui/ops/lock"
	"planner-tui/ops/runner"
)

// Session is one operator's handle on a runbook and its current run. All
// methods are safe for concurrent use.
//
// It is a facade over parts, each in its own file with only the state it
// needs passed in: planner (plan.go), admission (admission.go, action.go:
// the operator lock, admit, AdmitAction), recorder (recording.go,
// outcome.go, reconcile_audit.go: saves, audit, reconcile), secretBook
// (secrets.go) and choices (choices.go). The Session itself owns the run:
// s.run, s.running and the operator lock are under mu, whose Unlock
// publishes the snapshot (snapshot.go) that every read uses. Writes hold
// mu across their fsyncs; reads (Snapshot, Plan, Run, Vars, Mask,
// EnvWarning, Runbook, Target, AuditErr) never take mu.
type Session struct {
	opts    Options
	runbook *checklist.Runbook
	vars    map[string]string
	target  ops.Target
	store   *checklist.Store
	choices choices
	// planner is the planning part (plan.go): Plan, from the snapshot.
	planner *planner
	// secrets is the secrets part (secrets.go): the masker and what feeds it.
	secrets *secretBook
	actor   audit.Actor
	// rec is the recording part (recording.go): saves, audit, reconcile.
	rec *recorder

	mu   runMutex // Unlock publishes a snapshot (snapshot.go)
	view view
	run  *checklist.Run
	// operator is the operator lock (admission.go), held from the first
	// write until Close; under mu.
	operator operatorLock
	// running is the execution this process started or attached to.
	running *Execution
	// compose is how docker-compose lines run here (compose.go).
	compose      composeSetup
	composeNoted sync.Once
	// deploy tracks the deployment record's background reads (record.go).
	deploy deployRecorder
	// gates is the health gate under way (healthgate.go).
	gates gateRunner
}

// Open loads the runbook, works out the effective variables and the target
// stack, and resumes (or creates) the current run in the state dir.
func Open(ctx context.Context, o Options) (*Session, error) {
	rb, err := loadRunbook(o.RunbookPath)
	if err != nil {
		return nil, err
	}
	s := &Session{opts: o, runbook: rb, actor: audit.CurrentActor()}
	s.mu.publish = s.publishLocked
	s.operator.who = s.actor
	inherited, err := inheritedVars()
	if err != nil {
		return nil, err
	}
	sets, err := applyApprovalSets(rb, o.Sets) // --set approvals.* is policy, not a variable
	if err != nil {
		return nil, err
	}
	s.vars = effectiveVars(rb.Vars, os.LookupEnv, inherited, sets, o.Dir, s.actor.Host)
	composeProjectFromEnvFile(s.vars)
	rb.ApplyVars(s.vars)
	if s.target, err = ops.TargetFromVars(s.vars); err != nil {
		return nil, err
	}
	s.secrets = newSecretBook(s.target.Dir, s.vars)
	s.choices = choices{dir: s.target.Dir, vars: s.vars, runbook: rb}

	stateDir := o.StateDir
	if stateDir == "" {
		if stateDir, err = checklist.DefaultStateDir(); err != nil {
			return nil, err
		}
	}
	if s.store, err = checklist.OpenStore(stateDir); err != nil {
		return nil, err
	}
	s.operator.path = s.store.LockPath()
	// Judged with the names steps assign unknown: a step's TOOL=rm reaches
	// later steps, whatever the front matter says TOOL is.
	s.planner = &planner{runbook: rb, target: s.target.WithStepSet(rb.StepSet()), snapshot: s.Snapshot, masker: s.secrets.Masker, lockPath: s.store.LockPath()}
	if o.Watch {
		s.planner.lockPath = "" // a watcher never probes the lock (Watch reads its holder)
	}
	s.planner.migrations = newMigrationMemo(o.Migrations)
	s.planner.approvals = &approvalMemo{}
	s.rec = &recorder{store: s.store, runbook: rb, actor: s.actor, version: o.Version, mask: s.secrets.Mask, onAudit: o.OnAudit}
	// Each runbook has its own current run: one of another runbook stays
	// current for that runbook, to be resumed when it is opened again.
	run, err := s.store.CurrentFor(rb.Path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, notYours(stateDir, err)
		}
		return nil, fmt.Errorf("resume the current run: %w (start a new one with `planner-tui runs new`)", err)
	}
	if o.ReadOnly {
		if o.Watch {
			if run == nil {
				return nil, fmt.Errorf("no current run of %s in %s: nothing to watch", rb.Path, stateDir)
			}
			// the operator's session settles commands: a watcher shows
			// what is on disk
			s.mu.Lock()
			s.run = run
			s.mu.Unlock() // publishes the first snapshot
			return s, nil
		}
		if run == nil {
			run = emptyRun(rb)
		}
		s.run = run
		return s, s.reconcile()
	}
	ensureWatchersDir(s.store.Dir) // where watchers say they watch (watchers.go)
	if s.rec.log, err = audit.Open(s.store.AuditPath()); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, notYours(stateDir, err)
		}
		return nil, err
	}
	if run == nil {
		if run, err = s.newRun(rb.Title); err != nil {
			return nil, err
		}
		s.record(audit.Record{Event: "run.new", RunID: run.ID, Message: rb.Path})
	}
	s.run = run
	if err := s.reconcile(); err != nil {
		return nil, err
	}
	return s, nil
}

// newRun makes a run of this runbook current, recording the planner dir
// it is for (a watcher opens the same stack).
func (s *Session) newRun(title string) (*checklist.Run, error) {
	run, err := s.store.NewRun(s.runbook.Path, title, s.actor.String(), s.actor.Host, time.Now())
	if err != nil {
		return nil, err
	}
	run.Dir, run.OperatorVars = s.target.Dir, s.operatorVars()
	if err := s.store.Save(run); err != nil {
		return nil, err
	}
	return run, nil
}

// emptyRun stands for "no run yet" in read-only sessions.
func emptyRun(rb *checklist.Runbook) *checklist.Run {
	return &checklist.Run{
		Runbook:  rb.Path,
		Title:    rb.Title,
		Commands: map[string]*checklist.CommandRun{},
		Checks:   map[string]*checklist.CheckState{},
		Choices:  map[string]string{},
		Params:   map[string]string{},
		Vars:     map[string]string{},
		Notes:    map[string][]checklist.Note{},
	}
}

// loadRunbook reads the embedded runbook or a file and refuses one with
// errors, naming each with file:line.
func loadRunbook(path string) (*checklist.Runbook, error) {
	var (
		rb       *checklist.Runbook
		problems []checklist.Problem
		err      error
	)
	if path == "" {
		rb, problems, err = checklist.Parse(docs.RunbookPath, docs.Runbook)
	} else {
		// The run remembers its runbook by path, and Open starts a new run
		// for another runbook: the same file named from another directory
		// (or relative once, absolute once) must not abandon the run.
		if path, err = filepath.Abs(path); err != nil {
			return nil, fmt.Errorf("runbook: %w", err)
		}
		rb, problems, err = checklist.Load(path)
	}
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, p := range problems {
		if p.Severity == checklist.Error {
			errs = append(errs, fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("runbook has errors (see `planner-tui lint`):\n%s", strings.Join(errs, "\n"))
	}
	return rb, nil
}

// effectiveVars layers the runbook defaults, the environment (same names),
// --set and --dir. HOST is the machine's name, for confirmation phrases.
func effectiveVars(defaults map[string]string, lookup func(string) (string, bool), inherited, sets map[string]string, dir, host string) map[string]string {
	vars := map[string]string{}
	for k, v := range defaults {
		vars[k] = v
		if ev, ok := lookup(k); ok && ev != "" {
			vars[k] = ev
		}
	}
	for _, k := range []string{"PLANNER_DIR", "BASE_URL", "BACKUP_DIR", "DB_HOST", "DB_PORT", "DB_USER", "DB_NAME", "COMPOSE_FILES", "COMPOSE_PROJECT_NAME"} {
		if _, ok := vars[k]; !ok {
			if ev, ok := lookup(k); ok && ev != "" {
				vars[k] = ev
			}
		}
	}
	for k, v := range inherited {
		vars[k] = v
	}
	for k, v := range sets {
		vars[k] = v
	}
	if dir != "" {
		vars["PLANNER_DIR"] = dir
	}
	if d := vars["PLANNER_DIR"]; d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			vars["PLANNER_DIR"] = abs
		}
	}
	if _, ok := vars["HOST"]; !ok && host != "" {
		vars["HOST"] = host
	}
	return vars
}

// inheritedVars are the variables of the session that started this process
// as a step (see EnvVars), or nil.
func inheritedVars() (map[string]string, error) {
	raw := os.Getenv(EnvVars)
	if raw == "" {
		return nil, nil
	}
	var vars map[string]string
	if err := json.Unmarshal([]byte(raw), &vars); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvVars, err)
	}
	return vars, nil
}

func (s *Session) Runbook() *checklist.Runbook { return s.runbook }
func (s *Session) Target() ops.Target          { return s.target }
func (s *Session) Actor() string               { return s.actor.String() }
func (s *Session) StateDir() string            { return s.store.Dir }

// EnvWarning says why secrets may not be masked ("" when .env was read
// whole): no .env, or its bad lines ("/x/.env:7: unterminated ..."). It
// follows the .env as it was at the last command; cheap, no I/O.
func (s *Session) EnvWarning() string { return s.secrets.Warning() }

// Vars returns a copy of the effective variables.
func (s *Session) Vars() map[string]string {
	out := make(map[string]string, len(s.vars))
	for k, v := range s.vars {
		out[k] = v
	}
	return out
}

// Mask replaces secret values in text.
func (s *Session) Mask(text string) string { return s.secrets.Mask(text) }

// AuditErr is the last failure to append to the audit log, or nil.
func (s *Session) AuditErr() error { return s.rec.Err() }

// Run returns a copy of the current run, safe to read anywhere. It is the
// snapshot's (no lock: it never waits for a write's fsync).
func (s *Session) Run() checklist.Run { return s.Snapshot().Run.Clone() }

// Runs lists the runs in the state dir, newest first.
func (s *Session) Runs() ([]checklist.RunSummary, error) { return s.store.Runs() }

// NewRun starts a new run and makes it current. It refuses while a command
// of the current run is still running.
func (s *Session) NewRun(title string) error {
	if err := s.writable("start a new run"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	if id, cr := s.runningLocked(); cr != nil {
		return fmt.Errorf("%s is still running: wait for it or cancel it first", id)
	}
	if title == "" {
		title = s.runbook.Title
	}
	// The new run replaces this one as the runbook's current run: this
	// one ends (`runs resume` reopens it).
	if s.run.Ended.IsZero() && s.run.ID != "" {
		s.run.Ended = time.Now().UTC()
		if err := s.rec.save(s.run); err != nil {
			return err
		}
	}
	run, err := s.newRun(title)
	if err != nil {
		return err
	}
	s.run = run
	s.record(audit.Record{Event: "run.new", RunID: run.ID, Message: title})
	return nil
}

// Resume makes the run with this id the current run of this session's
// runbook. A run of another runbook is refused (open that runbook with
// --runbook to resume it), and so is switching while a command of the
// current run is still running.
func (s *Session) Resume(id string) error {
	if err := s.writable("resume a run"); err != nil {
		return err
	}
	run, err := s.store.Load(id)
	if err != nil {
		return err
	}
	if run.Runbook != s.runbook.Path {
		return fmt.Errorf("run %s belongs to runbook %s, not %s: open it with --runbook %s", id, run.Runbook, s.runbook.Path, run.Runbook)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	if s.run.ID == id {
		return nil
	}
	if cid, cr := s.runningLocked(); cr != nil {
		return fmt.Errorf("%s is still running in run %s: wait for it or cancel it first", cid, s.run.ID)
	}
	// Read again under the lock: another process may have written it.
	if run, err = s.store.Load(id); err != nil {
		return err
	}
	if err := s.store.SetCurrent(id); err != nil {
		return err
	}
	run.Ended = time.Time{} // resumed: open again
	if err := s.rec.save(run); err != nil {
		return err
	}
	s.run = run
	s.running = nil
	s.record(audit.Record{Event: "run.resume", RunID: run.ID, Message: s.runbook.Path})
	return s.reconcileLocked()
}

// SetCheck ticks or unticks a manual check.
func (s *Session) SetCheck(checkID string, done bool) error {
	if err := s.writable("tick a check"); err != nil {
		return err
	}
	if !s.hasCheck(checkID) {
		return fmt.Errorf("no check %q in %s", checkID, s.runbook.Path)
	}
	if err := s.derivedItem(checkID, done); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	s.run.Checks[checkID] = &checklist.CheckState{Done: done, By: s.actor.String(), At: time.Now().UTC()}
	if err := s.rec.save(s.run); err != nil {
		return err
	}
	s.record(audit.Record{Event: "check", RunID: s.run.ID, StepID: checkID, Outcome: map[bool]string{true: "done", false: "undone"}[done]})
	return nil
}

func (s *Session) hasCheck(id string) bool {
	for _, sec := range s.runbook.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Checks {
				if c.ID == id {
					return true
				}
			}
		}
	}
	return false
}

// AddNote adds a free-text note to a step.
func (s *Session) AddNote(stepID, text string) error {
	if err := s.writable("add a note"); err != nil {
		return err
	}
	st, err := s.runbook.Step(stepID)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return errors.New("empty note")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	s.run.Notes[st.ID] = append(s.run.Notes[st.ID], checklist.Note{By: s.actor.String(), At: time.Now().UTC(), Text: s.secrets.Mask(text)})
	if err := s.rec.save(s.run); err != nil {
		return err
	}
	s.record(audit.Record{Event: "note", RunID: s.run.ID, StepID: st.ID, Message: s.secrets.Mask(text)})
	return nil
}

// Skip marks a command skipped in this run.
func (s *Session) Skip(cmdID string) error {
	if err := s.writable("skip a command"); err != nil {
		return err
	}
	cmd, err := s.runbook.Command(cmdID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		return err
	}
	cr := s.run.Command(cmd.ID)
	if cr.Status == checklist.Running {
		return fmt.Errorf("%s is running", cmd.ID)
	}
	cr.Status = checklist.Skipped
	cr.Ended = time.Now().UTC()
	if err := s.rec.save(s.run); err != nil {
		return err
	}
	s.record(audit.Record{Event: "skip", RunID: s.run.ID, CommandID: cmd.ID})
	return nil
}

// writable refuses changes in a read-only session: it may be showing the
// current run of another operator, whose state it must not overwrite.
func (s *Session) writable(what string) error {
	if s.opts.ReadOnly {
		return fmt.Errorf("read-only session: cannot %s", what)
	}
	return nil
}

// Close releases the operator lock. Commands still running go on.
func (s *Session) Close() error {
	s.gates.stop()  // a gate under way records that it stopped watching
	s.deploy.wait() // the deployment record's reads take the mutex
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	errs = append(errs, s.operator.release())
	errs = append(errs, s.rec.close())
	return errors.Join(errs...)
}

// record appends to the audit log (recorder.record).
func (s *Session) record(r audit.Record) error { return s.rec.record(r) }

// lockedOutLocked says who holds the operator lock when another session
// does ("" when this one holds it or nobody does). mu is held.
func (s *Session) lockedOutLocked() string {
	if s.operator.held != nil {
		return ""
	}
	h, held, err := lock.Read(s.store.LockPath())
	if err != nil || !held {
		return ""
	}
	return (&lock.HeldError{Holder: h}).Error()
}

// runningLocked returns the command of the run still marked running.
func (s *Session) runningLocked() (string, *checklist.CommandRun) { return runningIn(s.run) }

// Running returns the execution of a command still running (possibly
// started by a previous planner-tui that died; its output is then followed
// from the log file), or nil.
func (s *Session) Running(ctx context.Context, out io.Writer) *Execution {
	if s.opts.ReadOnly {
		// attaching would record the command's end: the operator's to do
		return nil
	}
	s.mu.Lock()
	if s.running != nil && !s.running.done() {
		e := s.running
		s.mu.Unlock()
		return e
	}
	id, cr := s.runningLocked()
	if cr == nil || s.lockedOutLocked() != "" {
		// (a command another process runs and follows is its to record:
		// the snapshot shows it, the watcher its end)
		s.mu.Unlock()
		return nil
	}
	jobDir := s.store.JobDir(s.run.ID, cr.JobID)
	s.mu.Unlock()

	job, err := runner.Attach(ctx, jobDir, out)
	if err != nil {
		return nil
	}
	e := &Execution{JobID: cr.JobID, CommandID: id, LogPath: filepath.Join(jobDir, "output.log"), s: s, job: job, waited: make(chan struct{})}
	s.mu.Lock()
	s.running = e
	s.mu.Unlock()
	return e
}
