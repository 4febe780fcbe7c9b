package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"planner-tui/checklist"
)

// These flows run the model in a real tea.Program (renderer, input parsing,
// Cmd goroutines) and read what it writes to the terminal.

func waitScreen(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func TestProgramRunsACommandEndToEnd(t *testing.T) {
	e := newEngine(t)
	tm := teatest.NewTestModel(t, newModel(e, Options{NoColor: true}), teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Pre-Deployment 0/2", "Say hello")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "echo hello-from-echo")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Say hello: ok (exit 0)")
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if st := fm.c.status(idHello); st.Status != "ok" || st.ExitCode != 0 {
		t.Fatalf("final status %+v", st)
	}
	// ok: the selection went on to the next command
	if r, ok := fm.proc.selected(); !ok || r.kind != rowCmd || r.cmd.ID != "deploy/step-1-hello/count-lines" {
		t.Fatalf("selection after ok: %+v", r)
	}
}

func TestProgramTooSmallAndBack(t *testing.T) {
	tm := teatest.NewTestModel(t, newModel(newEngine(t), Options{NoColor: true}), teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Pre-Deployment")
	tm.Send(tea.WindowSizeMsg{Width: 70, Height: 20})
	waitScreen(t, tm, "needs at least 80×24 (now 70×20)")
	tm.Send(tea.WindowSizeMsg{Width: 90, Height: 26})
	waitScreen(t, tm, "Pre-Deployment")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestProgramDestructiveOnlyWithPhrase(t *testing.T) {
	e := newEngine(t)
	tm := teatest.NewTestModel(t, newModel(e, Options{NoColor: true}), teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Pre-Deployment")
	tm.Type("/")
	waitScreen(t, tm, "Search the runbook")
	tm.Type("command wipe")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "DESTRUCTIVE")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Confirm destructive command")
	tm.Type("nope")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "nothing ran")
	tm.Type("planner_production")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Wipe scratch: ok")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if got := e.startedIDs(); len(got) != 1 || got[0] != idWipe {
		t.Fatalf("started %v", got)
	}
}

var _ = bytes.Contains

// TestProgramInteractiveCommandGetsTheTerminal runs the `nano .env` step with
// $EDITOR pointing at a script: the program hands over the terminal, the
// editor runs in the planner dir, and the screen comes back with the result.
func TestProgramInteractiveCommandGetsTheTerminal(t *testing.T) {
	e := newEngine(t).(*realEngine)
	dir := e.s.Vars()["PLANNER_DIR"]
	editor := t.TempDir() + "/editor.sh"
	if err := os.WriteFile(editor, []byte("#!/bin/sh\necho \"edited $1\" > edited.txt\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := newModel(e, Options{NoColor: true})
	m.editor = editor
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Pre-Deployment")
	tm.Type("/")
	tm.Type("update .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "$ nano .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "(y/N)")
	tm.Type("y")
	waitScreen(t, tm, "Update .env: ok (exit 0)")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	got, err := os.ReadFile(filepath.Join(dir, "edited.txt"))
	if err != nil || string(got) != "edited .env\n" {
		t.Fatalf("editor did not run in the planner dir: %q %v", got, err)
	}
	// recorded in the run state and the audit log like any command
	id := interactiveID(t, e)
	cr := waitRecorded(t, e, id)
	if cr.Status != checklist.OK || cr.ExitCode != 0 || cr.Started.IsZero() || cr.Ended.Before(cr.Started) {
		t.Fatalf("run state of the editor step: %+v", cr)
	}
	var events []string
	for _, r := range auditEvents(t, e.s.StateDir()) {
		if r["command_id"] == id {
			events = append(events, fmt.Sprint(r["event"], " ", r["command"], " ", r["outcome"]))
		}
	}
	if strings.Join(events, "|") != "run.start nano .env <nil>|run.end <nil> ok" {
		t.Fatalf("audit of the editor step: %q", events)
	}
}

func interactiveID(t *testing.T, e backend) string {
	t.Helper()
	for _, sec := range e.Runbook().Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				if c.Interactive {
					return c.ID
				}
			}
		}
	}
	t.Fatal("no interactive command in the test runbook")
	return ""
}

// waitRecorded polls the engine until the command has a final state.
func waitRecorded(t *testing.T, e *realEngine, id string) checklist.CommandRun {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if cr := e.s.Run().Commands[id]; cr != nil && (cr.Status == checklist.OK || cr.Status == checklist.Failed) {
			return *cr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not recorded in the run: %+v", id, e.s.Run().Commands[id])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestInteractiveFailureRecorded: an editor that exits 4 is a failed step
// with exit code 4, in the run and on screen.
func TestInteractiveFailureRecorded(t *testing.T) {
	e := newEngine(t).(*realEngine)
	editor := t.TempDir() + "/editor.sh"
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nexit 4\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := newModel(e, Options{NoColor: true})
	m.editor = editor
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitScreen(t, tm, "Pre-Deployment")
	tm.Type("/")
	tm.Type("update .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "$ nano .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "(y/N)")
	tm.Type("y")
	waitScreen(t, tm, "Update .env: failed, exit 4")
	cr := waitRecorded(t, e, interactiveID(t, e))
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if cr.Status != checklist.Failed || cr.ExitCode != 4 {
		t.Fatalf("recorded %+v, want failed with exit 4", cr)
	}
}
