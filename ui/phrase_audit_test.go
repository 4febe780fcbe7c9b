package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/session"
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
	// the engine's refusal (written by a Cmd, off the update loop) is back
	d.waitText("refused and audited")

	recs, err := audit.Read(filepath.Join(r.s.StateDir(), "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var refusal *audit.Record
	for i := range recs {
		if recs[i].Event == "refuse" && recs[i].CommandID == idWipe {
			refusal = &recs[i]
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

// admitsWrongPhrase is an engine whose admission has a bug: it starts a
// command whatever phrase was typed.
type admitsWrongPhrase struct{ *realEngine }

func (b admitsWrongPhrase) Start(ctx context.Context, p *session.Plan, _ string, out io.Writer) (job, error) {
	return b.realEngine.Start(ctx, p, p.Confirm, out)
}

// If the engine ever admitted a wrong phrase, the screen does not let the
// command run on, nor say "nothing ran": it is cancelled at once (the
// command, a slow rm, never gets to delete), its end is recorded, and the
// screen reports the bug.
func TestWrongPhraseAdmittedIsStoppedAndReported(t *testing.T) {
	tmp := t.TempDir()
	rb := filepath.Join(tmp, "runbook.md")
	const book = "# Drop Runbook\n\n## Marks\n\n### Step 1: Drop Marks\n\n```bash {confirm=\"drop_marks\"}\n" +
		"# Drop marks\nsleep 5; rm -rf \"$MARK_DIR/marks\"\n```\n"
	if err := os.WriteFile(rb, []byte(book), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"planner", "marks"} {
		if err := os.MkdirAll(filepath.Join(tmp, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	waitSupervisors(t, filepath.Join(tmp, "state"))
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"MARK_DIR": tmp}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := admitsWrongPhrase{&realEngine{engineBackend: engineBackend{s}, s: s}}
	const id = "marks/step-1-drop-marks/drop-marks"
	d := newDriver(t, e, 160, 32)
	openCmd(d, e, id)
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.typ("drop_mark")
	d.keys("enter")
	v := d.waitText("BUG: Drop marks was admitted with a wrong phrase")
	if strings.Contains(v, "nothing ran (refused") {
		t.Errorf("the screen says nothing ran:\n%s", v)
	}
	cr := s.Run().Commands[id]
	if cr == nil || cr.Status != checklist.Interrupted || cr.Ended.IsZero() {
		t.Fatalf("the admitted job is not stopped and recorded: %+v", cr)
	}
	if _, err := os.Stat(filepath.Join(tmp, "marks")); err != nil {
		t.Fatalf("the command ran on: %v", err)
	}
	if d.m.c.active != nil {
		t.Fatalf("the screen follows the job as if it were started: %+v", d.m.c.active)
	}
}
