package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"planner-tui/ops/changes"
)

// These drive each major component in a real tea.Program (teatest) and
// read what a user sees after keys: home, the procedure and its log pane,
// the dialogs, the review and timeline pages, the run summary.

func startProgram(t *testing.T, e backend, o Options, w, h int) *teatest.TestModel {
	t.Helper()
	o.NoColor = true
	tm := teatest.NewTestModel(t, newModel(e, o), teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { tm.Quit() })
	return tm
}

func key1(s string) tea.KeyPressMsg { return keyMsg(s) }

func TestTeatestHomeOpensAProcedure(t *testing.T) {
	tm := startProgram(t, newEngine(t), Options{}, 100, 30)
	waitScreen(t, tm, "Pre-Deployment 0/2", "enter")
	tm.Send(key1("enter"))
	// the procedure: its commands, and the keys of the list
	waitScreen(t, tm, "Step 1: Hello", "echo hello-from-echo", "skip command")
	tm.Send(key1("esc"))
	waitScreen(t, tm, "Pre-Deployment 0/2")
}

func TestTeatestProcedureAndLogPane(t *testing.T) {
	tm := startProgram(t, newEngine(t), Options{}, 100, 30)
	waitScreen(t, tm, "Pre-Deployment 0/2")
	tm.Send(key1("enter"))
	waitScreen(t, tm, "echo hello-from-echo")
	tm.Send(key1("enter"))
	waitScreen(t, tm, "Say hello: ok (exit 0)")
	// ok: the list moved on; back to its output, in the output pane with
	// its own keys, a search found
	tm.Send(key1("up"))
	waitScreen(t, tm, "hello-from-echo")
	tm.Send(key1("tab"))
	waitScreen(t, tm, "filter errors")
	tm.Type("/")
	waitScreen(t, tm, "type to search the log")
	tm.Type("hello-from")
	tm.Send(key1("enter"))
	waitScreen(t, tm, "next match")
}

func TestTeatestDialogs(t *testing.T) {
	tm := startProgram(t, newEngine(t), Options{}, 100, 30)
	waitScreen(t, tm, "Pre-Deployment 0/2")
	// help: a box of keys, its own bottom line, any other key closes it
	tm.Type("?")
	waitScreen(t, tm, "Keys", "any other key closes")
	tm.Type("x")
	waitScreen(t, tm, "Pre-Deployment 0/2")
	// a note: typed, saved, said
	tm.Send(key1("enter"))
	waitScreen(t, tm, "echo hello-from-echo")
	tm.Type("n")
	waitScreen(t, tm, "what happened", "esc cancels")
	tm.Type("checked by hand")
	tm.Send(key1("enter"))
	waitScreen(t, tm, "note saved")
	// a new run is asked for, esc keeps the current one
	tm.Type("N")
	waitScreen(t, tm, "what is this run for?")
	tm.Send(key1("esc"))
	waitScreen(t, tm, "no new run: the current one goes on")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestTeatestReviewPageAndTarget(t *testing.T) {
	review := func(ctx context.Context, ref string, fresh bool) (changes.Plan, error) {
		if ref == "" {
			ref = "origin/main"
		}
		return fakePlan(t, ref), nil
	}
	targets := func(context.Context) ([]changes.TargetChoice, error) {
		return []changes.TargetChoice{{Ref: "origin/main", Label: "origin/main (upstream)"}, {Ref: "v1.2.4", Label: "v1.2.4 (tag)"}}, nil
	}
	tm := startProgram(t, newEngine(t), Options{Review: review, Targets: targets}, 120, 40)
	waitScreen(t, tm, "Pre-Deployment")
	tm.Type("c")
	waitScreen(t, tm, "Review changes", "origin/main", "RATE_LIMIT_PER_MINUTE")
	// the targets come back to the page that asked, which opens its picker
	tm.Send(key1("enter"))
	waitScreen(t, tm, "Review against", "v1.2.4 (tag)")
	tm.Send(key1("down"))
	tm.Send(key1("enter"))
	waitScreen(t, tm, "v1.2.4")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	r, ok := fm.page.(*Review)
	if !ok || r.ref != "v1.2.4" || r.plan == nil || r.plan.Target.Name != "v1.2.4" {
		t.Fatalf("the review page after picking v1.2.4: %#v", fm.page)
	}
}

func TestTeatestTimelineAndRunSummary(t *testing.T) {
	e := openSummarySession(t)
	tm := startProgram(t, e, Options{}, 120, 40)
	waitScreen(t, tm, "Post-Deployment")
	tm.Type("S")
	waitScreen(t, tm, "Run summary", "nothing ran yet", "· Check health")
	tm.Send(key1("esc"))
	tm.Type("t")
	waitScreen(t, tm, "Timeline")
}

// A component runs alone, without the root: the contract is enough for a
// program to size, drive and draw it.
type hostModel struct{ c Component }

func (h hostModel) Init() tea.Cmd { return h.c.Init() }
func (h hostModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		h.c.SetSize(msg.Width, msg.Height)
		return h, nil
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return h, tea.Quit
		}
	}
	_, cmd := h.c.Update(msg)
	return h, cmd
}
func (h hostModel) View() tea.View { return tea.NewView(h.c.View()) }

func TestTeatestLogPaneAlone(t *testing.T) {
	m := newModel(newEngine(t), Options{NoColor: true})
	l := newLogPane(m.c)
	buf := NewLogBuffer(100)
	for _, s := range []string{"starting", "ERROR: boom", "done"} {
		buf.Write([]byte(s + "\n"))
	}
	buf.Close()
	l.SetBuffer(buf, "")
	tm := teatest.NewTestModel(t, hostModel{&l}, teatest.WithInitialTermSize(80, 10))
	waitScreen(t, tm, "starting", "ERROR: boom", "done")
	tm.Type(">") // the next error
	waitScreen(t, tm, "1 of 1")
	tm.Send(key1("ctrl+c"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if !strings.Contains(ansi.Strip(l.View()), "ERROR: boom") {
		t.Fatalf("the pane lost its lines:\n%s", l.View())
	}
}
