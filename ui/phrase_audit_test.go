package ui

import (
	"path/filepath"
	"testing"
	"time"

	"planner-tui/ops/audit"
)

// A wrong phrase typed in the TUI is audited like a headless refusal: a
// "refuse" record with the command id and what was typed, and nothing ran.
func TestWrongPhraseIsAudited(t *testing.T) {
	e := newEngine(t)
	r := e.(*realEngine)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idWipe)
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.typ("planner_productio")
	d.keys("enter")
	d.waitText("not the phrase: nothing ran")

	path := filepath.Join(r.s.StateDir(), "audit.jsonl")
	var refusal *audit.Record
	deadline := time.Now().Add(10 * time.Second)
	for refusal == nil && time.Now().Before(deadline) {
		recs, _ := audit.Read(path)
		for i := range recs {
			if recs[i].Event == "refuse" && recs[i].CommandID == idWipe {
				refusal = &recs[i]
			}
		}
		if refusal == nil {
			time.Sleep(20 * time.Millisecond) // the audit is written by a Cmd, off the update loop
		}
	}
	if refusal == nil {
		t.Fatal("no refuse record for the wrong phrase typed in the TUI")
	}
	if refusal.Confirmation != "planner_productio" || refusal.Outcome != "refused" || refusal.Message == "" {
		t.Errorf("refuse record = %+v, want the typed phrase, outcome refused and the reason", refusal)
	}
	if got := e.startedIDs(); len(got) != 0 {
		t.Fatalf("ran %v on a wrong phrase", got)
	}
}
