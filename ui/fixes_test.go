package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

func TestSplitAlt(t *testing.T) {
	altQ := tea.KeyPressMsg{Code: 'q', Mod: tea.ModAlt}
	altB := tea.KeyPressMsg{Code: 'b', Mod: tea.ModAlt}
	tests := []struct {
		name    string
		msg     tea.KeyPressMsg
		editing bool
		want    []string
	}{
		{"a plain key", tea.KeyPressMsg{Code: 'q', Text: "q"}, false, []string{"q"}},
		{"esc then q, typed fast", altQ, false, []string{"esc", "q"}},
		{"esc then q in a dialog", altQ, true, []string{"esc", "q"}},
		{"alt+b moves a word back in a text field", altB, true, []string{"alt+b"}},
		{"alt+b outside a text field is esc then b", altB, false, []string{"esc", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, k := range splitAlt(tt.msg, tt.editing) {
				got = append(got, k.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("splitAlt = %q, want %q", got, tt.want)
			}
		})
	}
}

// esc followed fast by q (reported as alt+q) closes the dialog and quits.
func TestEscThenQuickQQuits(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	m.Update(resize(100, 30))
	m.Update(keyMsg("?"))
	if m.dlg == nil {
		t.Fatal("? opened no help")
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Mod: tea.ModAlt})
	if m.dlg != nil {
		t.Fatal("esc did not close the help")
	}
	if !quits(cmd) {
		t.Fatal("q after esc did not quit")
	}
}

// quits runs a Cmd (and the Cmds of a batch) looking for tea.Quit.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	switch msg := cmd().(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if quits(c) {
				return true
			}
		}
	}
	return false
}

func TestNotRunYet(t *testing.T) {
	pull := &checklist.Command{ID: "pull", Title: "Pull latest code"}
	checkout := &checklist.Command{ID: "checkout", Title: "Or checkout specific version", AltOf: "pull"}
	group := []*checklist.Command{pull, checkout}
	status := func(st map[string]checklist.Status) func(string) checklist.CommandRun {
		return func(id string) checklist.CommandRun {
			if s, ok := st[id]; ok {
				return checklist.CommandRun{Status: s}
			}
			return checklist.CommandRun{Status: checklist.Pending}
		}
	}
	tests := []struct {
		name string
		cmd  *checklist.Command
		st   map[string]checklist.Status
		plan *session.Plan
		want string
	}{
		{"nothing ran", checkout, nil, nil, "not run yet: enter runs it"},
		{"the other alternative ran", checkout, map[string]checklist.Status{"pull": checklist.OK}, &session.Plan{Blocked: "an alternative was chosen"},
			"not chosen: the alternative “Pull latest code” was taken"},
		{"blocked", pull, nil, &session.Plan{Blocked: "Sleep a while is running"}, "not run: blocked (Sleep a while is running)"},
		{"it ran, no output kept", pull, map[string]checklist.Status{"pull": checklist.Failed}, nil, "failed, exit 0 (no output was kept)"},
	}
	for _, tt := range tests {
		if got := notRunYet(tt.cmd, group, status(tt.st), tt.plan); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// A picker's rows keep their columns whichever row is selected: moving
// the cursor changes no row's width nor where its detail starts.
func TestPickerDoesNotReflow(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	m.Update(resize(100, 30))
	items := []pickItem{
		{label: "Pull latest code", detail: "echo pulled-latest"},
		{label: "Or checkout specific version with a long title", detail: "echo checked-out-<version>"},
		{label: "x", detail: "short"},
	}
	d := newPicker("Pick one", "", items, false)
	d.bind(m.c)
	detailCol := func() []int {
		var cols []int
		for _, l := range strings.Split(ansi.Strip(d.View()), "\n") {
			if i := strings.Index(l, "echo "); i >= 0 {
				cols = append(cols, ansi.StringWidth(l[:i]))
			}
		}
		return cols
	}
	first := detailCol()
	if len(first) != 2 || first[0] != first[1] {
		t.Fatalf("details do not start in one column: %v\n%s", first, ansi.Strip(d.View()))
	}
	for _, k := range []string{"j", "j"} {
		d.Update(keyMsg(k))
		if got := detailCol(); got[0] != first[0] || got[1] != first[1] {
			t.Fatalf("after %s the columns moved: %v, were %v", k, got, first)
		}
	}
}

// The step list's counter reads as a position, not as progress.
func TestStepListPositionReadsAsPosition(t *testing.T) {
	e := newTestEngine(t)
	m := newModel(e, Options{NoColor: true})
	m.Update(resize(80, 24))
	m.open(findStep(e.Runbook(), "deploy/step-1-hello"))
	m.proc.SetSize(80, 10)
	v := ansi.Strip(m.proc.View())
	if !strings.Contains(v, "Deploy · row 1 of ") {
		t.Fatalf("no position in the step list's title:\n%s", v)
	}
}

// The zoomed output is headed by the command it is the output of.
func TestZoomShowsTheCommand(t *testing.T) {
	e := newTestEngine(t)
	d := newDriver(t, e, 120, 40)
	openCmd(d, e, idHello)
	d.keys("z")
	v := d.view()
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[2], "$ echo hello-from-echo") || !strings.Contains(lines[3], "───") {
		t.Fatalf("the zoomed output is not headed by its command:\n%s", v)
	}
}

func TestElideMiddle(t *testing.T) {
	rows := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	got := elideMiddle(rows, 7)
	want := []string{"a", "b", "  … 4 rows not shown: enlarge the window to see them", "g", "h", "i", "j"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("elideMiddle = %q", got)
	}
	if got := elideMiddle(rows, 10); len(got) != 10 {
		t.Fatalf("rows that fit were cut: %q", got)
	}
}

func TestFlashRows(t *testing.T) {
	if got := flashRows("short", 20); got != nil {
		t.Fatalf("a message that fits: %q", got)
	}
	got := flashRows("refused, nothing ran: the operator lock is held by alice@prod1 pid 4242", 40)
	want := []string{"refused, nothing ran: the operator lock ", "is held by alice@prod1 pid 4242         "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("flashRows = %q, want %q", got, want)
	}
}

// The alternatives picker shows the selected alternative's command whole.
func TestAlternativesPickerShowsTheCommand(t *testing.T) {
	e := newTestEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idPull)
	d.keys("enter")
	d.waitText("Pick one")
	if v := d.view(); !strings.Contains(v, "$ echo pulled-latest") {
		t.Fatalf("no command under the alternatives:\n%s", v)
	}
	d.keys("down")
	if v := d.view(); !strings.Contains(v, "$ echo checked-out-<version>") {
		t.Fatalf("the command does not follow the selection:\n%s", v)
	}
}
