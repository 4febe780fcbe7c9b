package session

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/lock"
)

func TestPlanFillsParamsAndMasksSecrets(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if s.EnvWarning() != "" {
		t.Fatalf("the .env was not read: %s", s.EnvWarning())
	}
	p := plan(t, s, idParams, map[string]string{"version": "v1.2.3", "token": secretValue})
	if len(p.Missing) != 0 {
		t.Fatalf("Missing = %v with every parameter given", p.Missing)
	}
	wantScript := `echo "deploying v1.2.3 with token ` + secretValue + `"`
	if p.Script != wantScript {
		t.Errorf("Script = %q, want %q", p.Script, wantScript)
	}
	if strings.Contains(p.Display, secretValue) {
		t.Errorf("Display shows the secret from .env: %q", p.Display)
	}
	if want := `echo "deploying v1.2.3 with token ***"`; p.Display != want {
		t.Errorf("Display = %q, want %q", p.Display, want)
	}
	if got := s.Mask("key=" + secretValue); got != "key=***" {
		t.Errorf("Mask = %q", got)
	}
	if p.Risk != checklist.Safe || p.Confirm != "" || p.Blocked != "" || p.Gate != "" {
		t.Errorf("plan of a safe echo: risk %s confirm %q blocked %q gate %q", p.Risk, p.Confirm, p.Blocked, p.Gate)
	}
	// Running it shows the secret masked in the output too, and the
	// parameters are remembered by the run.
	cr, out := run(t, s, idParams, map[string]string{"version": "v1.2.3", "token": secretValue}, "")
	if cr.Status != checklist.OK || strings.Contains(out, secretValue) || !strings.Contains(out, "deploying v1.2.3 with token ***") {
		t.Errorf("status %s, output %q", cr.Status, out)
	}
	log, err := os.ReadFile(cr.Log)
	if err != nil || strings.Contains(string(log), secretValue) {
		t.Errorf("log %s: %v, %q", cr.Log, err, log)
	}
	// Ordinary parameters are reused; a secret-named one (<token>) is never
	// stored, so it is asked for again.
	if p := plan(t, s, idParams, nil); len(p.Missing) != 1 || p.Missing[0] != "token" || !strings.Contains(p.Script, "v1.2.3") {
		t.Errorf("want version reused and token asked again: missing %v, script %q", p.Missing, p.Script)
	}
	if st, _ := os.ReadFile(filepath.Join(f.state, "runs", s.Run().ID, "state.json")); strings.Contains(string(st), secretValue) {
		t.Errorf("the token is stored in state.json")
	}
}

// A <token> typed as a parameter is masked like the .env secrets, and a
// value that starts with "-" (an option, not a value) is refused.
func TestSecretAndOptionLikeParams(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	p := plan(t, s, idParams, map[string]string{"version": "v1", "token": "tok-very-secret-1"})
	if strings.Contains(p.Display, "tok-very-secret-1") || !strings.Contains(p.Display, "token ***") {
		t.Errorf("Display = %q", p.Display)
	}
	if _, err := s.Plan(idParams, map[string]string{"version": "-f", "token": "x"}); err == nil || !strings.Contains(err.Error(), "option") {
		t.Errorf("a value starting with - was accepted: %v", err)
	}
}

func TestPlanNamesMissingParams(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	tests := []struct {
		params map[string]string
		want   []string
	}{
		{nil, []string{"version", "token"}},
		{map[string]string{"version": "v2"}, []string{"token"}},
	}
	for _, tt := range tests {
		p := plan(t, s, idParams, tt.params)
		if !reflect.DeepEqual(p.Missing, tt.want) {
			t.Errorf("params %v: Missing = %v, want %v", tt.params, p.Missing, tt.want)
		}
		_, err := s.Start(context.Background(), p, "", nil)
		var refused *RefusedError
		if !errors.As(err, &refused) || !strings.Contains(err.Error(), tt.want[0]) {
			t.Errorf("params %v: Start = %v, want a refusal naming %s", tt.params, err, tt.want[0])
		}
	}
}

// An empty value is not "no value": it is refused, not filled from the run.
func TestPlanRefusesEmptyParam(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	_, err := s.Plan(idParams, map[string]string{"token": "abc", "version": ""})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Name != "version" || !strings.Contains(err.Error(), "empty") {
		t.Errorf("Plan with version=\"\": %v, want a ParamError about the empty <version>", err)
	}
}

func TestPlanRejectsShellInParams(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	for _, bad := range []string{";rm -rf /", "$(id)", "`id`", "a b", "x|y", "v1>out", "a&&b", "'q'", "\"q\"", "a\nb", "*"} {
		_, err := s.Plan(idParams, map[string]string{"version": bad, "token": "t"})
		if err == nil || !strings.Contains(err.Error(), "<version>") {
			t.Errorf("Plan with version=%q: %v, want an error naming <version>", bad, err)
		}
	}
	for _, good := range []string{"v1.2.3", "a1b2c3d", "pre-deploy-20260101-120000.sql", "feature/x", "2026-01-01T10:00:00", "user@host", "a+b=c"} {
		if _, err := s.Plan(idParams, map[string]string{"version": good, "token": "t"}); err != nil {
			t.Errorf("Plan with version=%q: %v", good, err)
		}
	}
}

func TestBlockedWhileAnotherCommandRuns(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	var out syncBuffer
	e, err := s.Start(context.Background(), plan(t, s, idFifo, nil), "", &out)
	if err != nil {
		t.Fatal(err)
	}
	p := plan(t, s, idGreet, nil)
	if !strings.Contains(p.Blocked, "Wait on the fifo") || !strings.Contains(p.Blocked, "one command at a time") {
		t.Errorf("Blocked = %q while the fifo command runs", p.Blocked)
	}
	_, err = s.Start(context.Background(), p, "", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Errorf("Start while another command runs: %v, want *RefusedError", err)
	}
	if cr := s.Run().Commands[idGreet]; cr != nil {
		t.Errorf("the refused command has state %+v", cr)
	}
	if s.Running(context.Background(), nil) != e {
		t.Error("Running does not return the running execution")
	}

	f.release(t, "released-line")
	cr, err := e.Wait()
	if err != nil || cr.Status != checklist.OK {
		t.Fatalf("fifo command: %+v %v", cr, err)
	}
	if !strings.Contains(out.String(), "released-line") {
		t.Errorf("output %q", out.String())
	}
	if p := plan(t, s, idGreet, nil); p.Blocked != "" {
		t.Errorf("still blocked after the command ended: %q", p.Blocked)
	}
	if s.Running(context.Background(), nil) != nil {
		t.Error("Running returns an execution after the command ended")
	}
}

// Start must check "one command at a time" atomically: two Starts racing
// (a double key press in the TUI) may not both run.
func TestConcurrentStartsRunOneCommand(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	const n = 8
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		started []*Execution
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.Plan(idFifo, nil)
			if err != nil {
				t.Error(err)
				return
			}
			e, err := s.Start(context.Background(), p, "", nil)
			var refused *RefusedError
			switch {
			case err == nil:
				mu.Lock()
				started = append(started, e)
				mu.Unlock()
			case !errors.As(err, &refused):
				t.Errorf("Start: %v", err)
			}
		}()
	}
	wg.Wait()
	for _, e := range started {
		e.Cancel()
		e.Wait()
	}
	if len(started) != 1 {
		t.Fatalf("%d of %d concurrent Starts ran the command, want 1", len(started), n)
	}
}

func TestAlternativeBlockedAfterTheOtherRan(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	pa := plan(t, s, idPickA, nil)
	if len(pa.Alternatives) != 2 || pa.Alternatives[0].ID != idPickA || pa.Alternatives[1].ID != idPickB {
		t.Fatalf("Alternatives of %s: %v", idPickA, pa.Alternatives)
	}
	if pb := plan(t, s, idPickB, nil); pb.Blocked != "" {
		t.Fatalf("B blocked before anything ran: %q", pb.Blocked)
	}
	if cr, out := run(t, s, idPickA, nil, ""); cr.Status != checklist.OK || !strings.Contains(out, "picked-a") {
		t.Fatalf("A: %s %q", cr.Status, out)
	}
	pb := plan(t, s, idPickB, nil)
	if !strings.Contains(pb.Blocked, "Pick A") {
		t.Errorf("B's Blocked = %q after A ran OK", pb.Blocked)
	}
	_, err := s.Start(context.Background(), pb, "", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Errorf("Start B after A: %v, want *RefusedError", err)
	}
	if p := plan(t, s, idPickA, nil); p.Blocked != "" {
		t.Errorf("A itself is blocked from running again: %q", p.Blocked)
	}
	if got := s.Run().Choices[idPickA]; got != idPickA {
		t.Errorf("Choices[%s] = %q", idPickA, got)
	}
}

func TestFreshBackupGate(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	p := plan(t, s, idMigrate, nil)
	if p.Gate == "" || p.Confirm != "testdb" || !strings.Contains(p.Gate, "testdb") {
		t.Fatalf("migration without a backup: Gate %q Confirm %q, want the gate and DB_NAME", p.Gate, p.Confirm)
	}
	// Gated: "yes" is not enough, the database name is.
	_, err := s.Start(context.Background(), p, "yes", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("gated migration with \"yes\": %v, want *RefusedError", err)
	}

	cr, _ := run(t, s, idBackup, nil, "yes")
	if cr.Status != checklist.OK {
		t.Fatalf("backup step: %+v", cr)
	}
	run := s.Run()
	if len(run.Backups) != 1 || !run.Backups[0].Verified || run.Backups[0].Path != filepath.Join(f.marks, "b.sql") {
		t.Fatalf("backups after the backup step: %+v", run.Backups)
	}
	p = plan(t, s, idMigrate, nil)
	if p.Gate != "" || p.Confirm != "" {
		t.Errorf("after a verified backup: Gate %q Confirm %q", p.Gate, p.Confirm)
	}
	// The backup is part of the saved run.
	s.Close()
	if p := plan(t, f.open(t), idMigrate, nil); p.Gate != "" {
		t.Errorf("gate back after reopening: %q", p.Gate)
	}
	if !hasEventWithArtifact(auditEvents(t, f.state), idBackup) {
		t.Error("the backup step's run.end record has no backup artifact")
	}
}

func hasEventWithArtifact(recs []audit.Record, cmdID string) bool {
	for _, r := range recs {
		if r.Event == "run.end" && r.CommandID == cmdID && r.Artifacts["backup_verified"] == "true" {
			return true
		}
	}
	return false
}

func TestStartRefusalsRunNothing(t *testing.T) {
	tests := []struct {
		name, id, confirmation, marker, reason string
	}{
		{"destructive, wrong phrase", idWipe, "wipe-scratc", "wiped", `does not match "wipe-scratch"`},
		{"destructive, no phrase", idWipe, "", "wiped", `type "wipe-scratch"`},
		{"destructive, yes", idWipe, "yes", "wiped", `does not match`},
		{"change, not confirmed", idTouch, "", "changed", "not confirmed"},
		{"change, y instead of yes", idTouch, "y", "changed", "not confirmed"},
		{"gated, phrase of another db", idMigrate, "prod", "", `does not match "testdb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.open(t)
			_, err := s.Start(context.Background(), plan(t, s, tt.id, nil), tt.confirmation, nil)
			var refused *RefusedError
			if !errors.As(err, &refused) {
				t.Fatalf("Start = %v, want *RefusedError", err)
			}
			if refused.CommandID != tt.id || !strings.Contains(refused.Reason, tt.reason) {
				t.Errorf("refusal %q, want it to say %q", err, tt.reason)
			}
			if tt.marker != "" && f.exists(tt.marker) {
				t.Errorf("the refused command ran: %s exists", tt.marker)
			}
			if cr := s.Run().Commands[tt.id]; cr != nil {
				t.Errorf("the refused command has state %+v", cr)
			}
			if _, err := os.Stat(filepath.Join(f.state, "runs", s.Run().ID, "jobs")); err == nil {
				t.Error("a job dir was created for a refused command")
			}
			recs := auditEvents(t, f.state)
			if !hasEvent(recs, "refuse", tt.id) {
				t.Errorf("no refuse record in the audit log: %+v", recs)
			}
			if hasEvent(recs, "run.start", tt.id) {
				t.Error("a refused command has a run.start record")
			}
		})
	}
}

func TestRightConfirmationRuns(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if err := os.MkdirAll(filepath.Join(f.marks, "scratch"), 0o700); err != nil {
		t.Fatal(err)
	}
	p := plan(t, s, idWipe, nil)
	if p.Risk != checklist.Destructive || p.Confirm != "wipe-scratch" {
		t.Fatalf("wipe: risk %s confirm %q", p.Risk, p.Confirm)
	}
	cr, _ := run(t, s, idWipe, nil, "wipe-scratch")
	if cr.Status != checklist.OK || !f.exists("wiped") || f.exists("scratch") || cr.Confirmed != "wipe-scratch" {
		t.Errorf("wipe with the phrase: %+v, wiped %v, scratch %v", cr, f.exists("wiped"), f.exists("scratch"))
	}
	cr, _ = run(t, s, idTouch, nil, "yes")
	if cr.Status != checklist.OK || !f.exists("changed") {
		t.Errorf("change with yes: %+v", cr)
	}
	recs := auditEvents(t, f.state)
	if !hasEvent(recs, "confirm", idWipe) || hasEvent(recs, "confirm", idTouch) {
		t.Errorf("confirm records: want one for the destructive command only")
	}
}

func TestVariablesCarryOverAndSurviveReopen(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if cr, _ := run(t, s, idSetStamp, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("set: %+v", cr)
	}
	if got := s.Run().Vars["STAMP"]; got != "stamp-42" {
		t.Errorf("run vars STAMP = %q", got)
	}
	if _, out := run(t, s, idEchoStamp, nil, ""); !strings.Contains(out, "stamp is stamp-42") {
		t.Errorf("the next command does not see STAMP: %q", out)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := f.open(t)
	if s2.Run().ID != s.Run().ID {
		t.Fatalf("a new session did not resume the run: %s vs %s", s2.Run().ID, s.Run().ID)
	}
	if _, out := run(t, s2, idEchoStamp, nil, ""); !strings.Contains(out, "stamp is stamp-42") {
		t.Errorf("a new session's command does not see STAMP: %q", out)
	}
}

func TestSkipCheckNotePersist(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if err := s.Skip(idGreet); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCheck(checkFirst, true); err != nil {
		t.Fatal(err)
	}
	if err := s.AddNote(stepGreet, "greeted with "+secretValue); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func() error{
		func() error { return s.Skip("no/such/command") },
		func() error { return s.SetCheck("no/such/check", true) },
		func() error { return s.AddNote("no/such/step", "x") },
		func() error { return s.AddNote(stepGreet, "   ") },
	} {
		if bad() == nil {
			t.Error("a bad id or an empty note was accepted")
		}
	}
	s.Close()

	run := f.open(t).Run()
	if cr := run.Commands[idGreet]; cr == nil || cr.Status != checklist.Skipped {
		t.Errorf("skip lost: %+v", cr)
	}
	if cs := run.Checks[checkFirst]; cs == nil || !cs.Done || cs.By == "" {
		t.Errorf("check lost: %+v", cs)
	}
	notes := run.Notes[stepGreet]
	if len(notes) != 1 || notes[0].Text != "greeted with ***" {
		t.Errorf("notes = %+v, want one, secret masked", notes)
	}
	recs := auditEvents(t, f.state)
	for _, ev := range []string{"skip", "check", "note"} {
		found := false
		for _, r := range recs {
			found = found || r.Event == ev
			if strings.Contains(r.Message, secretValue) {
				t.Errorf("audit record %s shows the secret", r.Event)
			}
		}
		if !found {
			t.Errorf("no %s record", ev)
		}
	}
}

func TestReadOnlySessionWritesNothing(t *testing.T) {
	f := newFixture(t)
	o := f.options()
	o.ReadOnly = true
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if id := s.Run().ID; id != "" {
		t.Errorf("read-only session has run %q", id)
	}
	if _, err := s.Start(context.Background(), plan(t, s, idGreet, nil), "", nil); err == nil {
		t.Error("read-only session started a command")
	}
	for what, change := range map[string]func() error{
		"Skip":     func() error { return s.Skip(idGreet) },
		"SetCheck": func() error { return s.SetCheck(checkFirst, true) },
		"AddNote":  func() error { return s.AddNote(stepGreet, "x") },
		"NewRun":   func() error { return s.NewRun("x") },
	} {
		if change() == nil {
			t.Errorf("read-only session: %s succeeded", what)
		}
	}
	s.Close()
	var files []string
	filepath.WalkDir(f.state, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("read-only session wrote %v", files)
	}
}

func TestLockHeldNamesHolderAndCloseReleases(t *testing.T) {
	f := newFixture(t)
	first := f.open(t)
	if cr, _ := run(t, first, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("first: %+v", cr)
	}
	second := f.open(t)
	p := plan(t, second, idGreet, nil)
	if !strings.Contains(p.Blocked, first.Actor()) {
		t.Errorf("Plan while another session holds the lock: Blocked = %q, want the holder %s", p.Blocked, first.Actor())
	}
	_, err := second.Start(context.Background(), p, "", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("second session Start: %v, want *RefusedError", err)
	}
	holder := lockHolder(t, f.state)
	if !strings.Contains(err.Error(), holder.User+"@"+holder.Host) || !strings.Contains(err.Error(), "pid") {
		t.Errorf("refusal %q does not name the holder %s", err, holder)
	}
	audited := false
	for _, r := range auditEvents(t, f.state) {
		audited = audited || (r.Event == "refuse" || r.Event == "lock.refused") && r.CommandID == idGreet && strings.Contains(r.Message, holder.User+"@"+holder.Host)
	}
	if !audited {
		t.Error("no audit record of the refusal naming the holder")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, held, _ := lock.Read(filepath.Join(f.state, "lock")); held {
		t.Error("lock still held after Close")
	}
	if cr, _ := run(t, second, idGreet, nil, ""); cr.Status != checklist.OK || cr.Attempt != 2 {
		t.Errorf("second session after the first closed: %+v", cr)
	}
}

func lockHolder(t *testing.T, stateDir string) lock.Holder {
	t.Helper()
	h, held, err := lock.Read(filepath.Join(stateDir, "lock"))
	if err != nil || !held {
		t.Fatalf("lock not held: %v", err)
	}
	return h
}

// A new session resumes a command that a previous (dead) session started:
// Running follows it and Wait records its end.
func TestRunningReattaches(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if _, err := s.Start(context.Background(), plan(t, s, idFifo, nil), "", nil); err != nil {
		t.Fatal(err)
	}
	s.Close() // the first session goes away; its command runs on

	s2 := f.open(t)
	if got := s2.Run().Commands[idFifo]; got == nil || got.Status != checklist.Running {
		t.Fatalf("new session: state %+v, want running", got)
	}
	var out syncBuffer
	e := s2.Running(context.Background(), &out)
	if e == nil || e.CommandID != idFifo {
		t.Fatalf("Running = %v", e)
	}
	f.release(t, "after-reattach")
	cr, err := e.Wait()
	if err != nil || cr.Status != checklist.OK {
		t.Fatalf("reattached Wait: %+v %v", cr, err)
	}
	waitFor(t, "the followed output", 5*time.Second, func() bool { return strings.Contains(out.String(), "after-reattach") })
	s2.Close()
	if cr := f.open(t).Run().Commands[idFifo]; cr.Status != checklist.OK {
		t.Errorf("saved state %+v", cr)
	}
}

// A read-only session (list, show, status) opened on a state dir with a run
// sees that run but does not change it.
func TestReadOnlySessionLeavesARunAlone(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if cr, _ := run(t, s, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatal(cr.Status)
	}
	s.Close()
	statePath := filepath.Join(f.state, "runs", s.Run().ID, "state.json")
	before, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	o := f.options()
	o.ReadOnly = true
	ro, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Run().ID != s.Run().ID || ro.Run().Commands[idGreet].Status != checklist.OK {
		t.Errorf("read-only session does not show the current run")
	}
	ro.Skip(idGreet)
	ro.SetCheck(checkFirst, true)
	ro.AddNote(stepGreet, "x")
	after, _ := os.ReadFile(statePath)
	if string(before) != string(after) {
		t.Errorf("read-only session changed %s", statePath)
	}
}

// The run is tied to its runbook by path: the same file named relative to
// the working directory or absolute is the same runbook and the same run.
func TestSameRunbookByRelativeOrAbsolutePath(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if cr, _ := run(t, s, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatal(cr.Status)
	}
	s.Close()
	rel, err := filepath.Rel(mustGetwd(t), f.runbook)
	if err != nil || filepath.IsAbs(rel) {
		t.Fatalf("no relative path to %s: %v", f.runbook, err)
	}
	o := f.options()
	o.RunbookPath = rel
	s2, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Run().ID != s.Run().ID {
		t.Errorf("opening %s started run %s; the current run is %s", rel, s2.Run().ID, s.Run().ID)
	}
	if cr := s2.Run().Commands[idGreet]; cr == nil || cr.Status != checklist.OK {
		t.Errorf("the run's state is gone: %+v", cr)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// A screen that has run nothing yet holds no lock; a headless run in
// another session finishes meanwhile. When the screen then ticks a check,
// it must not write back its older copy of the run over that result.
func TestIdleSessionDoesNotOverwriteAnotherSessionsResult(t *testing.T) {
	f := newFixture(t)
	idle := f.open(t)

	other := f.open(t)
	cr, _ := run(t, other, "say-hello", nil, "")
	if cr.Status != checklist.OK {
		t.Fatalf("say-hello: %+v", cr)
	}
	other.Close()

	if err := idle.SetCheck("checklist/announce-the-test", true); err != nil {
		t.Fatal(err)
	}
	idle.Close()

	again := f.open(t)
	got := again.Run()
	if c := got.Commands["basics/greet/say-hello"]; c == nil || c.Status != checklist.OK {
		t.Errorf("the other session's result was lost: %+v", got.Commands["basics/greet/say-hello"])
	}
	if c := got.Checks["checklist/announce-the-test"]; c == nil || !c.Done {
		t.Errorf("the tick was lost: %+v", got.Checks)
	}
}

// When the chosen alternative failed, the other one may still be needed
// (the downgrade failed: restore instead), but only with the typed phrase.
func TestOtherAlternativeAfterAFailureNeedsThePhrase(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if err := os.WriteFile(filepath.Join(f.marks, "fail-a"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if cr, _ := run(t, s, idPickA, nil, ""); cr.Status != checklist.Failed {
		t.Fatalf("A: %s, want failed", cr.Status)
	}
	pb := plan(t, s, idPickB, nil)
	if pb.Blocked != "" || !pb.NeedsPhrase() || !strings.Contains(pb.Gate, "Pick A") {
		t.Fatalf("B after A failed: blocked %q, confirm %q, gate %q", pb.Blocked, pb.Confirm, pb.Gate)
	}
	var refused *RefusedError
	if _, err := s.Start(context.Background(), pb, "", nil); !errors.As(err, &refused) {
		t.Fatalf("B ran without the phrase: %v", err)
	}
	if cr, out := run(t, s, idPickB, nil, pb.Confirm); cr.Status != checklist.OK || !strings.Contains(out, "picked-b") {
		t.Fatalf("B with the phrase: %s %q", cr.Status, out)
	}
}

// The operator's $EDITOR replaces a literal nano/vi/vim at the start of a line.
func TestEditorReplacesLiteralEditor(t *testing.T) {
	cases := []struct{ editor, script, want string }{
		{"vim", "nano .env", "vim .env"},
		{"code -w", "  nano .env\n", "  code -w .env\n"},
		{"vim", "echo nano is nice", "echo nano is nice"},
	}
	for _, tc := range cases {
		if got := editorWord.ReplaceAllString(tc.script, "${1}"+tc.editor+"${3}"); got != tc.want {
			t.Errorf("EDITOR=%q on %q = %q, want %q", tc.editor, tc.script, got, tc.want)
		}
	}
}

// A step that rotates a secret in .env (the Security Incident playbook
// does) must not leave the new value unmasked for the steps after it.
func TestRotatedSecretIsMaskedInLaterSteps(t *testing.T) {
	f := newFixture(t)
	rb := filepath.Join(t.TempDir(), "rotate.md")
	src := "# Rotate\n\n## Incident\n\n### Rotate\n\n```bash\n# Rotate the key\n" +
		"sed -i 's/^SECRET_KEY=.*/SECRET_KEY=brand-new-rotated-key-42/' .env\n\n" +
		"# Show the key\ngrep SECRET_KEY .env\n```\n"
	if err := os.WriteFile(rb, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	s := f.open(t)
	p := plan(t, s, "rotate-the-key", nil)
	if cr, _ := run(t, s, "rotate-the-key", nil, p.Confirm); cr.Status != checklist.OK {
		t.Fatalf("rotation: %+v", cr)
	}
	cr, out := run(t, s, "show-the-key", nil, "")
	if cr.Status != checklist.OK || strings.Contains(out, "brand-new-rotated-key-42") || !strings.Contains(out, "SECRET_KEY=***") {
		t.Fatalf("after rotation: %s %q", cr.Status, out)
	}
	if got := s.Mask("old " + secretValue + " new brand-new-rotated-key-42"); strings.Contains(got, secretValue) || strings.Contains(got, "brand-new") {
		t.Errorf("Mask after rotation = %q", got)
	}
}
