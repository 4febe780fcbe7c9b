package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/ops/session"
)

// A value from another command is not silently reused for a destructive
// one: the parameter dialog shows it pre-filled with where it came from,
// and enter confirms it before the phrase is asked.
func TestReusedParamIsShownAndConfirmed(t *testing.T) {
	tmp := t.TempDir()
	rb, err := filepath.Abs(filepath.Join("..", "testdata", "risk.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "planner"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"MARK_DIR": tmp}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const show, reset = "filled/commit/show-a-commit", "filled/commit/reset-to-a-commit"
	p, err := s.Plan(show, map[string]string{"commit": "abc123"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.Start(context.Background(), p, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Wait(); err != nil {
		t.Fatal(err)
	}

	e := &realEngine{engineBackend: engineBackend{s}, s: s}
	d := newDriver(t, e, 120, 32)
	openCmd(d, e, reset)
	d.keys("enter")
	v := d.waitText("Parameters")
	for _, w := range []string{"abc123", "<commit> is the value given to " + show} {
		if !strings.Contains(v, w) {
			t.Errorf("parameter dialog lacks %q:\n%s", w, v)
		}
	}
	if got := e.startedIDs(); len(got) != 1 {
		t.Fatalf("started %v before the value was confirmed", got)
	}
	d.keys("enter") // use it again
	v = d.waitText("Confirm destructive command")
	if !strings.Contains(v, "abc123") {
		t.Errorf("phrase dialog does not show the filled command:\n%s", v)
	}
	d.typ("testproj")
	d.keys("enter")
	d.waitText("│fake git reset --hard abc123")
	d.waitIdle(e)
	if cr := s.Run().Commands[reset]; cr == nil || cr.Status != "ok" || cr.Params["commit"] != "abc123" {
		t.Fatalf("reset after confirming the reused commit: %+v\n%s", cr, d.view())
	}
}

// The detail pane shows the plan enter acts on: planned with no values
// given, as advance plans it, so a value taken from an earlier command
// shows as reused (and the filled command and risk are the same).
func TestDetailPaneShowsReusedParam(t *testing.T) {
	tmp := t.TempDir()
	rb, err := filepath.Abs(filepath.Join("..", "testdata", "risk.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "planner"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"MARK_DIR": tmp}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const show, reset = "filled/commit/show-a-commit", "filled/commit/reset-to-a-commit"
	p, err := s.Plan(show, map[string]string{"commit": "abc123"})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.Start(context.Background(), p, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Wait(); err != nil {
		t.Fatal(err)
	}

	e := &realEngine{engineBackend: engineBackend{s}, s: s}
	d := newDriver(t, e, 160, 32)
	openCmd(d, e, reset)
	v := d.waitText("reuses <commit> = abc123")
	if showCmd, _ := findCommand(e.Runbook(), show); showCmd == nil || !strings.Contains(v, "the value given to "+showCmd.Title) {
		t.Errorf("the pane does not name where the value came from:\n%s", v)
	}
	want, err := s.Plan(reset, nil) // what advance plans on enter
	if err != nil {
		t.Fatal(err)
	}
	got := d.m.proc.plan
	if got == nil || got.Display != want.Display || got.Risk != want.Risk || got.Confirm != want.Confirm ||
		len(got.Reused) != len(want.Reused) {
		t.Fatalf("pane plan %+v\ndiffers from advance's %+v", got, want)
	}
}
