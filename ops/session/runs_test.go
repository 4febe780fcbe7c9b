package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// Opening another runbook on the same state dir does not abandon the
// current run: each runbook has its own, and going back resumes it.
func TestRunsBelongToTheirRunbook(t *testing.T) {
	f := newFixture(t)
	a := f.open(t)
	if cr, _ := run(t, a, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("greet: %+v", cr)
	}
	runA := a.Run().ID
	a.Close()

	// Runbook B: another file (same commands, another title).
	src, err := os.ReadFile(f.runbook)
	if err != nil {
		t.Fatal(err)
	}
	rbB := filepath.Join(t.TempDir(), "other.md")
	if err := os.WriteFile(rbB, []byte(strings.Replace(string(src), "title: Session test runbook", "title: Other runbook", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	ob := f.options()
	ob.RunbookPath = rbB
	b, err := Open(context.Background(), ob)
	if err != nil {
		t.Fatal(err)
	}
	runB := b.Run().ID
	if runB == runA {
		t.Fatalf("runbook B got runbook A's run %s", runA)
	}
	// A run of runbook A cannot be resumed from runbook B.
	if err := b.Resume(runA); err == nil || !strings.Contains(err.Error(), "belongs to runbook "+f.runbook) || !strings.Contains(err.Error(), "--runbook") {
		t.Errorf("Resume(run of A) from B: %v, want a refusal naming A's runbook and --runbook", err)
	}
	b.Close()

	a2 := f.open(t)
	if got := a2.Run(); got.ID != runA || got.Commands[idGreet] == nil || got.Commands[idGreet].Status != checklist.OK {
		t.Fatalf("back on runbook A: run %s (greet %+v), want run %s with greet ok", got.ID, got.Commands[idGreet], runA)
	}

	// A new run ends the old one; resume makes it current (and open) again.
	if err := a2.NewRun("second"); err != nil {
		t.Fatal(err)
	}
	second := a2.Run().ID
	runs, err := a2.Runs()
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]checklist.RunSummary{}
	for _, r := range runs {
		state[r.ID] = r
	}
	if r := state[runA]; r.Ended.IsZero() || r.Current || r.Runbook != f.runbook {
		t.Errorf("first run of A after a new run: %+v, want ended, not current, runbook A", r)
	}
	if r := state[second]; !r.Ended.IsZero() || !r.Current {
		t.Errorf("second run of A: %+v, want open and current", r)
	}
	if r := state[runB]; !r.Current || r.Runbook != rbB {
		t.Errorf("run of B: %+v, want still current for B", r)
	}
	if err := a2.Resume(runA); err != nil {
		t.Fatal(err)
	}
	if got := a2.Run(); got.ID != runA || !got.Ended.IsZero() {
		t.Errorf("after resume: run %s ended %v, want %s open", got.ID, got.Ended, runA)
	}
	a2.Close()
	if a3 := f.open(t); a3.Run().ID != runA {
		t.Errorf("next open: run %s, want the resumed %s", a3.Run().ID, runA)
	}
}
