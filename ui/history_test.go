package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestHistory(t *testing.T) {
	home := viewKey{}
	step5 := viewKey{Section: "deploy", Row: 9}
	mig := viewKey{Section: "migrations"}
	stack := viewKey{Page: "stack", Section: "deploy", Row: 9}

	var h history
	h.push(home)
	h.push(step5)
	h.push(step5) // the same place twice is kept once
	h.push(stack)
	for _, want := range []viewKey{stack, step5, home} {
		got, ok := h.pop(mig)
		if !ok || got != want {
			t.Fatalf("pop = %+v %v, want %+v", got, ok, want)
		}
	}
	if _, ok := h.pop(mig); ok {
		t.Fatal("pop of an empty history")
	}

	// the place shown now is skipped
	h.push(step5)
	h.push(mig)
	if got, _ := h.pop(mig); got != step5 {
		t.Fatalf("pop skipping the current view = %+v", got)
	}

	// capped: the oldest are forgotten
	h = history{}
	for i := range historyCap + 10 {
		h.push(viewKey{Section: "s", Row: i})
	}
	if len(h.views) != historyCap || h.views[0].Row != 10 {
		t.Fatalf("capped history: %d views, oldest row %d", len(h.views), h.views[0].Row)
	}
}

// esc goes back where the operator came from: a link returns to the step
// it was followed from; s, d, esc, esc returns to where s was pressed.
func TestEscGoesBack(t *testing.T) {
	e := newTestEngine(t)
	d := newDriver(t, e, 120, 40)
	// home → the Deploy section, on Step 4 (a link to the Rollback Procedure)
	d.send(openMsg{t: findStep(e.Runbook(), "deploy/step-4-run-database-migrations")})
	d.pump()
	step4 := d.m.here()
	if step4.Section != "deploy" {
		t.Fatalf("not on Deploy: %+v", step4)
	}
	d.keys("enter") // follow the link
	if d.m.proc == nil || d.m.proc.sec.Title != "Rollback Procedure" {
		t.Fatalf("enter on Step 4 did not follow its link:\n%s", d.view())
	}
	d.keys("esc")
	if got := d.m.here(); got != step4 {
		t.Fatalf("esc after the link: %+v, want Step 4 %+v\n%s", got, step4, d.view())
	}
	// s → d → esc → esc: the stack, then Step 4 again
	d.keys("s", "d")
	if got := d.m.here().Page; got != "database" {
		t.Fatalf("s then d shows %q", got)
	}
	d.keys("esc")
	if got := d.m.here().Page; got != "stack" {
		t.Fatalf("the first esc shows %q, want the stack", got)
	}
	d.keys("esc")
	if got := d.m.here(); got != step4 {
		t.Fatalf("the second esc: %+v, want Step 4 %+v", got, step4)
	}
	d.keys("esc") // and home, where Deploy was opened from
	if d.m.proc != nil || d.m.page != nil {
		t.Fatalf("the last esc did not go home:\n%s", d.view())
	}
}

func newDriverWithState(t *testing.T, e backend, path string) *driver {
	t.Helper()
	d := &driver{t: t, m: newModel(e, Options{NoColor: true}).withUIState(path), msgs: make(chan tea.Msg, 4096)}
	d.send(resize(120, 40))
	d.exec(d.m.Init())
	d.waitFor("the re-attach look-up", func(string) bool { return d.m.attached })
	return d
}

// A restart of planner-tui opens the place the last one showed, with the
// log wrap setting it had.
func TestRestartRestoresTheViewAndWrap(t *testing.T) {
	e := newTestEngine(t)
	path := filepath.Join(t.TempDir(), uiStateName)
	d := newDriverWithState(t, e, path)
	d.send(openMsg{t: findStep(e.Runbook(), "deploy/step-3-wipe-scratch")})
	d.keys("tab", "w") // the output pane, wrap on
	want := d.m.here()
	d.waitFor("the state saved", func(string) bool {
		st, err := loadUIState(path)
		return err == nil && st.View == want && st.Wrap
	})

	d2 := newDriverWithState(t, e, path)
	if got := d2.m.here(); got != want {
		t.Fatalf("after a restart: %+v, want %+v", got, want)
	}
	if !d2.m.proc.log.wrap {
		t.Fatal("the wrap setting was not kept")
	}
	if v := d2.view(); !strings.Contains(v, "Wipe scratch") || !strings.Contains(v, "wrap") {
		t.Fatalf("the restored screen:\n%s", v)
	}

	// a damaged file starts at home, and is replaced
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	d3 := newDriverWithState(t, e, path)
	if d3.m.proc != nil {
		t.Fatal("a damaged state file opened a procedure")
	}
}
