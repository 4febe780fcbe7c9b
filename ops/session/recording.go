package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/envfile"
	"planner-tui/ops/runner"
)

// recorder is the recording part of a session: it turns results into the
// run's state, saves the run and appends the audit log, and repairs what a
// killed planner-tui left half-written (reconcile, the end-audit marks).
//
// It owns the audit log handle and the last audit error. It does not own
// the run: every method that changes one takes it as an argument, and the
// caller holds the session's run mutex (runMutex) while it does, so that a
// save and its audit records are one write as the snapshot sees it. Those
// saves fsync: no read path may wait for that mutex (reads use the
// snapshot, snapshot.go).
type recorder struct {
	store   *checklist.Store
	runbook *checklist.Runbook
	actor   audit.Actor
	version string
	// mask hides secrets in what is stored (the secrets part's masker).
	mask func(string) string

	logMu sync.Mutex            // guards log (opened by Open, closed by close)
	log   *audit.Log            // nil in a read-only session
	err   atomic.Pointer[error] // the last failure to append to the audit log
	// onAudit is Options.OnAudit: told of each record appended.
	onAudit func(audit.Record)
}

// record appends to the audit log. A failing audit log must not go unseen,
// but it must not stop an operator mid-incident either: the error goes to
// stderr of the headless CLI and to the TUI's error line via Err.
func (r *recorder) record(rec audit.Record) error {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	if r.log == nil {
		return errors.New("no audit log open")
	}
	rec.Actor = r.actor
	rec.Version = r.version
	if err := r.log.Append(rec); err != nil {
		r.err.Store(&err)
		return err
	}
	if r.onAudit != nil {
		r.onAudit(rec)
	}
	return nil
}

// save writes the run's state (atomically, fsync'd). The caller holds the
// run mutex.
func (r *recorder) save(run *checklist.Run) error { return r.store.Save(run) }

// noteErr keeps a failure of work done in the background (settleLater)
// where the screen shows audit failures: it must not go unseen.
func (r *recorder) noteErr(err error) { r.err.Store(&err) }

// Err is the last failure to append to the audit log, or nil.
func (r *recorder) Err() error {
	if e := r.err.Load(); e != nil {
		return *e
	}
	return nil
}

// close closes the audit log.
func (r *recorder) close() error {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	if r.log == nil {
		return nil
	}
	err := r.log.Close()
	r.log = nil
	return err
}

// hasLog says whether records can be written (not a read-only session).
func (r *recorder) hasLog() bool {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	return r.log != nil
}

// applyResult turns a runner result into the command's state and merges
// the variables and artifacts it produced into run; it returns the run.end
// record, which the caller writes after saving (saveEnds).
func (r *recorder) applyResult(run *checklist.Run, cmdID string, cr *checklist.CommandRun, res runner.Result, waitErr error) audit.Record {
	return r.applyScanned(run, cmdID, cr, res, waitErr, nil)
}

// applyScanned is applyResult with the output already scanned (pre, from
// scanFor; nil to scan now).
func (r *recorder) applyScanned(run *checklist.Run, cmdID string, cr *checklist.CommandRun, res runner.Result, waitErr error, pre *outputScan) audit.Record {
	cr.Ended = res.Ended
	if cr.Ended.IsZero() {
		cr.Ended = time.Now().UTC()
	}
	cr.ExitCode = res.ExitCode
	outcome := "ok"
	switch {
	case res.Err != "" || waitErr != nil:
		cr.Status = checklist.Interrupted
		cr.Error = res.Err
		if waitErr != nil {
			cr.Error = strings.TrimSpace(cr.Error + " " + waitErr.Error())
		}
		outcome = "interrupted"
	case res.Canceled:
		cr.Status = checklist.Interrupted
		cr.Error = "cancelled by the operator"
		if res.Signal == "SIGKILL" {
			cr.Error += " (killed with SIGKILL: it did not stop on SIGTERM)"
		}
		outcome = "canceled"
	case res.TimedOut:
		cr.Status = checklist.Failed
		cr.Error = "timed out"
		outcome = "timeout"
	default:
		outcome = r.judge(cmdID, cr, res, pre)
	}
	if res.LogError != "" {
		// The command ran, but its log (or its variables) could not be
		// written whole, e.g. a full disk: say so wherever the result shows.
		cr.Error = strings.TrimSpace(cr.Error + " " + res.LogError)
	}
	for k, v := range res.Vars {
		if envfile.IsSecretKey(k) {
			v = "***" // the value stays in vars.sh (0600) only
		}
		run.Vars[k] = r.mask(v)
	}
	jobDir := r.store.JobDir(run.ID, cr.JobID)
	artifacts := map[string]string{}
	if a, err := readArtifacts(jobDir); err != nil {
		cr.Error = strings.TrimSpace(cr.Error + " artifacts: " + err.Error())
	} else {
		for _, b := range a.Backups {
			run.Backups = append(run.Backups, b)
			artifacts["backup"] = b.Path
			artifacts["backup_size"] = strconv.FormatInt(b.Size, 10)
			artifacts["backup_sha256"] = b.SHA256
			artifacts["backup_verified"] = strconv.FormatBool(b.Verified)
		}
		if g := a.Gate; g != nil {
			gate := *g
			gate.After, gate.Reason = cmdID, r.mask(gate.Reason)
			if run.Deployment == nil {
				run.Deployment = &checklist.DeploymentRecord{}
			}
			run.Deployment.Gate = &gate
			artifacts["gate"] = string(gate.Result)
			if gate.Reason != "" {
				artifacts["gate_reason"] = gate.Reason
			}
		}
	}
	code := cr.ExitCode
	var dur time.Duration
	if !cr.Started.IsZero() {
		dur = cr.Ended.Sub(cr.Started)
	}
	rec := audit.Record{Event: "run.end", RunID: run.ID, StepID: r.stepID(cmdID), CommandID: cmdID, JobID: cr.JobID, ExitCode: &code, DurationMS: dur.Milliseconds(), Outcome: outcome, Message: endMessage(cr)}
	if len(artifacts) > 0 {
		rec.Artifacts = artifacts
	}
	run.KeepAttempt(cmdID, *cr) // a retry must not overwrite this attempt
	// The caller saves the state first, then writes this: a crash in
	// between must not leave a run.end for a result the state lacks (the
	// next start would apply it, and audit it, again).
	return rec
}

func readArtifacts(jobDir string) (Artifacts, error) {
	var a Artifacts
	b, err := os.ReadFile(filepath.Join(jobDir, ArtifactsFile))
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("%s: %w", filepath.Join(jobDir, ArtifactsFile), err)
	}
	return a, nil
}

// endMessage is what a run.end record says besides the outcome: the error,
// and why a command that ran to its end is a warning or failed (a fail-if
// match, an exit code in warn-exit): the audit log must say why, not only
// what.
func endMessage(cr *checklist.CommandRun) string {
	switch {
	case cr.Detail == "":
		return cr.Error
	case cr.Error == "":
		return cr.Detail
	}
	return cr.Error + ": " + cr.Detail
}

// reconcile settles the commands of run that were running when the last
// planner-tui stopped: finished ones get their recorded result, ones whose
// supervisor died without a result are interrupted, live ones stay
// running; and it writes the run.end records a planner-tui killed between
// saving an end and auditing it never wrote. The caller holds the run
// mutex and the operator lock (or is read-only: then nothing is written).
//
// It does not wait under that mutex for a supervisor still starting (the
// job dir is younger than the runner's start grace, no pid file yet): such
// a command stays running and its job dir is returned in pending, for the
// caller to wait on with the mutex released (Session.settleLater).
func (r *recorder) reconcile(run *checklist.Run, readOnly bool) (pending []string, err error) {
	var recs []audit.Record
	for id, cr := range run.Commands {
		if cr.Status != checklist.Running {
			continue
		}
		if cr.JobID == "interactive" {
			// Its process had our terminal and died with us (or we
			// cannot tell): it did not finish under our eyes.
			recs = append(recs, r.applyResult(run, id, cr, runner.Result{ExitCode: -1, Err: "planner-tui stopped while the command had the terminal"}, nil))
			continue
		}
		jobDir := r.store.JobDir(run.ID, cr.JobID)
		res, ok, err := runner.ReadResult(jobDir)
		switch {
		case err != nil:
			return pending, fmt.Errorf("result of %s: %w", id, err)
		case ok:
			recs = append(recs, r.applyResult(run, id, cr, res, nil))
		case runner.Alive(jobDir):
			// Still running: it stays so.
		case runner.StartPending(jobDir):
			// Its supervisor may still be starting: not waited for here.
			pending = append(pending, jobDir)
		default:
			// Never started (planner-tui died before the supervisor ran
			// the command), or the supervisor died; it may also have
			// written its result and exited since we looked.
			why := runner.NeverStarted(jobDir)
			if res, ok, err := runner.ReadResult(jobDir); err == nil && ok {
				recs = append(recs, r.applyResult(run, id, cr, res, nil))
			} else if runner.Alive(jobDir) {
				// It started while we looked: it stays running.
			} else if why != "" {
				recs = append(recs, r.applyResult(run, id, cr, runner.Result{ExitCode: -1, Err: "never started: " + why}, nil))
			} else {
				recs = append(recs, r.applyResult(run, id, cr, runner.Result{ExitCode: -1, Err: "the supervisor died before the command finished"}, nil))
			}
		}
	}
	if readOnly {
		return pending, nil
	}
	// Ends saved by a planner-tui that died before auditing them.
	missing := r.missingEnds(run)
	if len(recs) == 0 && len(missing) == 0 {
		return pending, nil
	}
	return pending, r.saveEnds(run, append(missing, recs...))
}

// startingJobs are the job dirs of run's commands whose supervisor may
// still be starting (runner.StartPending).
func (r *recorder) startingJobs(run *checklist.Run) []string {
	var dirs []string
	for _, cr := range run.Commands {
		if cr.Status == checklist.Running && cr.JobID != "" && cr.JobID != "interactive" {
			if dir := r.store.JobDir(run.ID, cr.JobID); runner.StartPending(dir) {
				dirs = append(dirs, dir)
			}
		}
	}
	return dirs
}

// saveEnds saves the run with the commands of recs marked as not yet
// audited, then writes the run.end records and clears the marks (in
// memory: the next save writes them cleared; until then the next start
// finds them in the audit log). A crash between the save and the audit
// leaves the marks, and the next start writes what is missing.
func (r *recorder) saveEnds(run *checklist.Run, recs []audit.Record) error {
	for _, rc := range recs {
		if cr := run.Commands[rc.CommandID]; cr != nil {
			cr.EndAudit = rc.Outcome
			if cr.EndAudit == "" {
				cr.EndAudit = string(cr.Status)
			}
		}
	}
	if err := r.save(run); err != nil {
		return err
	}
	crashPoint(crashAfterSave)
	for _, rc := range recs {
		if r.record(rc) == nil {
			if cr := run.Commands[rc.CommandID]; cr != nil {
				cr.EndAudit = ""
			}
		}
	}
	return nil
}

func (r *recorder) stepID(cmdID string) string {
	if st := r.runbook.StepOf(cmdID); st != nil {
		return st.ID
	}
	return ""
}
