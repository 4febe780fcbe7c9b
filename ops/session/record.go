package session

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/docker"
	"planner-tui/ops/envfile"
	"planner-tui/ops/stackstate"
)

// The deployment record (checklist.DeploymentRecord) is kept by the
// session around the commands of two kinds of procedure, told by their
// section's title:
//
//   - a deployment procedure: a title with "deploy" or "migration" that is
//     not a pre- or post- one ("Standard Deployment Procedure", "Database
//     Migration Procedure"; not "Pre-Deployment Checklist" nor
//     "Post-Deployment Verification", which only look);
//   - the rollback: a title with "rollback".
//
// The first command of a deployment procedure that is not read-only (risk
// above safe) records From before it starts: a backup, a pull or a build
// is where a deployment begins, and what ran before it is what a rollback
// goes back to. Reading the stack takes up to stackstate.Timeout, before
// the command's supervisor starts (Start runs off the UI thread). The app
// image is tagged <repo>:pre-<run id> then, so the rebuild cannot take it.
//
// After each command of a deployment procedure ends, To is read again;
// after a command of the rollback ends ok, RolledBack is set (or
// refreshed). Those reads run in the background (tracked, and waited for
// by Close, so a headless `run` records them before it exits): the end
// of the command is shown at once.
type procKind int

const (
	procOther procKind = iota
	procDeploy
	procRollback
)

// procedureOf is the kind of procedure a command belongs to.
func procedureOf(rb *checklist.Runbook, cmdID string) procKind {
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				if c.ID == cmdID {
					return kindOfTitle(sec.Title)
				}
			}
		}
	}
	return procOther
}

func kindOfTitle(title string) procKind {
	t := strings.ToLower(title)
	switch {
	case strings.Contains(t, "rollback") || strings.Contains(t, "roll back"):
		return procRollback
	case strings.HasPrefix(t, "pre-") || strings.HasPrefix(t, "pre ") || strings.HasPrefix(t, "post-") || strings.HasPrefix(t, "post "):
		return procOther
	case strings.Contains(t, "deploy") || strings.Contains(t, "migration"):
		return procDeploy
	}
	return procOther
}

// deployRecorder tracks the background reads of the stack.
type deployRecorder struct {
	wg sync.WaitGroup
	mu sync.Mutex // one read of To/RolledBack at a time, in order

	addMu  sync.Mutex // orders add against wait: no read starts after Close
	closed bool
}

// add counts a read about to start; false once the session closes.
func (d *deployRecorder) add() bool {
	d.addMu.Lock()
	defer d.addMu.Unlock()
	if d.closed {
		return false
	}
	d.wg.Add(1)
	return true
}

// wait waits for the reads under way and lets no more start (Close).
func (d *deployRecorder) wait() {
	d.addMu.Lock()
	d.closed = true
	d.addMu.Unlock()
	d.wg.Wait()
}

// captureOptions say where the stack is, with the .env values as they are
// now (the database password).
func (s *Session) captureOptions() stackstate.Options {
	o := stackstate.Options{Target: s.target}
	if f, err := envfile.Load(filepath.Join(s.target.Dir, ".env")); err == nil {
		o.Env = f.Map()
	}
	return o
}

// StartDeployment records what runs now as the deployment's From (and
// keeps the app image), unless the run has a record already: the
// explicit "start deployment" action. by names what asked for it.
func (s *Session) StartDeployment(ctx context.Context, by string) error {
	if err := s.writable("start a deployment"); err != nil {
		return err
	}
	if d := s.Snapshot().Run.Deployment; d != nil && d.From != nil {
		return fmt.Errorf("run %s started its deployment at %s already (from %s): start a new run for another", s.Snapshot().Run.ID, d.From.At.Local().Format("15:04:05"), d.From.Label())
	}
	return s.recordFrom(ctx, by)
}

// beforeStart records From when cmd is the first stack-changing command
// of a deployment procedure in the run. A failure to record is audited
// and noted, never a reason not to run the command.
func (s *Session) beforeStart(ctx context.Context, p *Plan) {
	if p == nil || p.Command == nil || p.Risk == checklist.Safe || procedureOf(s.runbook, p.Command.ID) != procDeploy {
		return
	}
	if sn := s.Snapshot(); sn == nil || sn.Run == nil || sn.Run.Deployment != nil {
		return
	}
	if err := s.recordFrom(ctx, p.Command.ID); err != nil {
		s.rec.noteErr(err)
	}
}

// recordFrom reads the stack and stores it as From, if the run has no
// record yet.
func (s *Session) recordFrom(ctx context.Context, by string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*stackstate.Timeout)
	defer cancel()
	o := s.captureOptions()
	d, derr := docker.New(ctx)
	if derr == nil {
		defer d.Close()
		o.Docker = d
	}
	st := stackstate.Capture(ctx, o)
	runID := s.Run().ID
	if app, ok := st.Images[s.target.AppService]; ok && d != nil && app.ID != "" {
		ref := stackstate.KeptTag(app.Tag, runID)
		if err := stackstate.KeepImage(ctx, d, app.ID, ref); err != nil {
			st.SetError("kept image", err)
		} else {
			st.KeptImage = ref
			// Older runs' kept tags beyond the newest few go (best effort).
			repo, _, _ := strings.Cut(ref, ":pre-")
			if _, err := stackstate.PruneKept(ctx, d, repo, ref); err != nil {
				s.rec.noteErr(err)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Held already when a command started it (admit took it).
	if err := s.lockLocked(); err != nil {
		return err
	}
	if s.run.ID != runID || s.run.Deployment != nil {
		return nil // recorded meanwhile, or another run now
	}
	st.Backup = firstVerifiedBackup(s.run)
	before := s.run.Clone()
	s.run.Deployment = &checklist.DeploymentRecord{StartedBy: by, From: st}
	if err := s.rec.save(s.run); err != nil {
		*s.run = before
		return fmt.Errorf("record the deployment's start: %w", err)
	}
	// The command goes in the artifacts, not CommandID: a command's own
	// records stay run.start, confirm, run.end.
	a := s.maskAll(stateArtifacts(st))
	a["started_by"] = by
	s.record(audit.Record{Event: "deploy.from", RunID: s.run.ID, Message: "before the deployment: " + st.Label(), Artifacts: a})
	return nil
}

// maskAll masks the values of m in place (a reason read from the stack
// could quote a secret).
func (s *Session) maskAll(m map[string]string) map[string]string {
	for k, v := range m {
		m[k] = s.secrets.Mask(v)
	}
	return m
}

// afterEnd reads the stack again in the background after a command of a
// deployment procedure or of the rollback ended (see procKind).
func (s *Session) afterEnd(cmdID string, cr checklist.CommandRun) {
	s.gateAfter(cmdID, cr) // the health gate (healthgate.go)
	kind := procedureOf(s.runbook, cmdID)
	if kind == procOther || s.opts.ReadOnly {
		return
	}
	sn := s.Snapshot()
	if sn == nil || sn.Run == nil || sn.Run.Deployment == nil || sn.Run.Deployment.From == nil {
		return
	}
	rolledBack := sn.Run.Deployment.RolledBack != nil
	switch {
	case kind == procDeploy && rolledBack:
		return // To is the deployment's; a deploy command after the rollback is not one
	case kind == procRollback && !rolledBack && cr.Status != checklist.OK:
		return
	}
	runID := sn.Run.ID
	if !s.deploy.add() {
		return
	}
	go func() {
		defer s.deploy.wg.Done()
		s.deploy.mu.Lock()
		defer s.deploy.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 2*stackstate.Timeout)
		defer cancel()
		st := stackstate.Capture(ctx, s.captureOptions())
		if err := s.storeAfter(runID, cmdID, kind, cr, st); err != nil {
			s.rec.noteErr(err)
		}
	}()
}

// storeAfter stores a read taken after cmdID ended: as To, or as the
// rollback's state.
func (s *Session) storeAfter(runID, cmdID string, kind procKind, cr checklist.CommandRun, st *checklist.StackState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.run.Deployment
	if s.run.ID != runID || d == nil || d.From == nil || s.operator.held == nil {
		return nil
	}
	before := s.run.Clone()
	if d.From.Backup == nil {
		d.From.Backup = firstVerifiedBackup(s.run)
	}
	event, msg := "deploy.to", ""
	if kind == procRollback {
		if d.RolledBack == nil {
			d.RolledBack = &checklist.Rollback{}
		}
		if cr.Status == checklist.OK {
			d.RolledBack.At, d.RolledBack.By = cr.Ended, cmdID
		}
		d.RolledBack.State = st
		event = "deploy.rolled-back"
	} else {
		d.To = st
	}
	msg = d.Statement(nil)
	if err := s.rec.save(s.run); err != nil {
		*s.run = before
		return fmt.Errorf("record the stack after %s: %w", cmdID, err)
	}
	a := s.maskAll(stateArtifacts(st))
	a["after"] = cmdID
	s.record(audit.Record{Event: event, RunID: s.run.ID, Message: msg, Artifacts: a})
	return nil
}

// firstVerifiedBackup is the run's first verified backup: the one taken
// before the deployment changed the database (a restore's own fresh
// backup comes later).
func firstVerifiedBackup(run *checklist.Run) *checklist.BackupRef {
	for _, b := range run.Backups {
		if b.Verified {
			return &checklist.BackupRef{Path: b.Path, SHA256: b.SHA256}
		}
	}
	return nil
}

// stateArtifacts is a stack state as audit artifacts.
func stateArtifacts(st *checklist.StackState) map[string]string {
	a := map[string]string{
		"commit": st.Commit, "tag": st.Tag, "branch": st.Branch, "app_version": st.AppVersion,
		"revision": st.Revision, "env_sha256": st.EnvHash, "kept_image": st.KeptImage,
	}
	for svc, im := range st.Images {
		a["image."+svc] = im.ID
		a["image_tag."+svc] = im.Tag
	}
	if st.Backup != nil {
		a["backup"], a["backup_sha256"] = st.Backup.Path, st.Backup.SHA256
	}
	for part, why := range st.Errors {
		a["error."+part] = why
	}
	for k, v := range a {
		if v == "" {
			delete(a, k)
		}
	}
	return a
}
