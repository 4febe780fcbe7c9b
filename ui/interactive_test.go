package ui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"planner-tui/checklist"
)

// onlyOnPath makes PATH a directory holding bash (the steps' shell) and the
// given scripts, by name, so that the host's own editors are not found.
func onlyOnPath(t *testing.T, scripts map[string]string) string {
	t.Helper()
	bin := t.TempDir()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(bash, filepath.Join(bin, "bash")); err != nil {
		t.Fatal(err)
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("EDITOR", "")
	t.Setenv("VISUAL", "")
	return bin
}

// startEditStep runs the runbook's Update .env step: search, enter,
// and y to its change question.
func startEditStep(t *testing.T, tm *teatest.TestModel) {
	t.Helper()
	waitScreen(t, tm, "Runbook")
	tm.Type("/")
	tm.Type("update .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "nano", "not run yet: enter runs it")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "(y/N)")
	tm.Type("y")
}

// TestEditorPickerWhenEditorMissing: nano is not on this PATH, vim (a tiny
// script that appends two lines) is: the picker offers vim alone, the step
// runs with it (the filled command shown), its stderr and exit code reach
// the output pane, the .env keys it changed are listed with the secret's
// value masked, the run records it with its output, and the choice is kept
// for the run in ui.json.
func TestEditorPickerWhenEditorMissing(t *testing.T) {
	e := newEngine(t).(*realEngine)
	dir := e.s.Vars()["PLANNER_DIR"]
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("SECRET_KEY=old-secret-1234\nLOG_LEVEL=info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	onlyOnPath(t, map[string]string{"vim": "#!/bin/sh\n" +
		"echo 'API_TOKEN=tok-secret-5678' >> \"$1\"\n" +
		"echo 'LOG_LEVEL=debug' >> \"$1\"\n" +
		"echo 'vim: edited with a test editor' >&2\n"})
	m := newModel(e, Options{NoColor: true})
	uiFile := filepath.Join(t.TempDir(), "ui.json")
	m.withUIState(uiFile)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	startEditStep(t, tm)
	waitScreen(t, tm, "Pick an editor", "nano is not on this host", "vim .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Update .env: ok (exit 0)")
	id := interactiveID(t, e)
	cr := waitRecorded(t, e, id)
	tm.Type("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)

	got, err := os.ReadFile(filepath.Join(dir, ".env"))
	if err != nil || !strings.Contains(string(got), "API_TOKEN=tok-secret-5678") {
		t.Fatalf("the picked editor did not edit .env: %q %v", got, err)
	}
	// what the output pane holds
	buf := fm.c.logs[id]
	if buf == nil {
		t.Fatal("no output kept for the editor step")
	}
	total, _ := buf.Stats()
	lines, _ := buf.Lines(0, total)
	pane := strings.Join(lines, "\n")
	for _, want := range []string{
		"$ vim .env",
		"vim: edited with a test editor",
		"exit 0 · ok",
		".env: 1 added, 0 removed, 1 changed (secret values shown as ***)",
		"+ API_TOKEN=***",
		"~ LOG_LEVEL: info → debug",
	} {
		if !strings.Contains(pane, want) {
			t.Errorf("output pane lacks %q:\n%s", want, pane)
		}
	}
	// the run record: the outcome and the same output, masked
	if cr.Status != checklist.OK || cr.ExitCode != 0 || cr.Log == "" {
		t.Fatalf("run record %+v", cr)
	}
	logged, err := os.ReadFile(cr.Log)
	if err != nil || !strings.Contains(string(logged), "+ API_TOKEN=***") || !strings.Contains(string(logged), "$ vim .env") {
		t.Fatalf("recorded output %s: %q %v", cr.Log, logged, err)
	}
	for _, secret := range []string{"tok-secret-5678", "old-secret-1234"} {
		if strings.Contains(pane, secret) || strings.Contains(string(logged), secret) {
			t.Errorf("%s shown unmasked", secret)
		}
	}
	// kept for the run, across a restart
	var st uiState
	waitUntil(t, "ui.json to keep the editor", func() bool {
		b, err := os.ReadFile(uiFile)
		return err == nil && json.Unmarshal(b, &st) == nil && st.Editor.Editor == "vim"
	})
	if st.Editor.Run != e.s.Run().ID {
		t.Fatalf("editor kept for run %q, want %q", st.Editor.Run, e.s.Run().ID)
	}
}

// TestEditorFailureStderrAndRestart: an editor that fails shows its stderr
// and exit code in the output pane and the run's error; after a restart
// the pane shows what it did, never "not run yet". The picked editor is
// remembered: the second start asks no more.
func TestEditorFailureStderrAndRestart(t *testing.T) {
	e := newEngine(t).(*realEngine)
	onlyOnPath(t, map[string]string{"vi": "#!/bin/sh\necho 'vi: E325: ATTENTION swap file found' >&2\nexit 3\n"})
	uiFile := filepath.Join(t.TempDir(), "ui.json")
	m := newModel(e, Options{NoColor: true}).withUIState(uiFile)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	startEditStep(t, tm)
	waitScreen(t, tm, "Pick an editor", "vi .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	// the step is the procedure's last: its summary opens, and says why
	waitScreen(t, tm, "Update .env: failed, exit 3", "Deploy · summary", "✗ Update .env: exited with 3: vi: E325: ATTENTION swap file found")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitScreen(t, tm, "vi: E325: ATTENTION swap file found", "exit 3 · failed")
	id := interactiveID(t, e)
	cr := waitRecorded(t, e, id)
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if cr.Status != checklist.Failed || cr.ExitCode != 3 || cr.Error != "exited with 3: vi: E325: ATTENTION swap file found" {
		t.Fatalf("run record %+v", cr)
	}
	waitUntil(t, "ui.json to keep the editor", func() bool {
		b, err := os.ReadFile(uiFile)
		return err == nil && strings.Contains(string(b), `"editor":"vi"`)
	})

	// a new planner-tui on the same run: the pane shows the recorded
	// output, and running the step again goes straight to vi
	m2 := newModel(e, Options{NoColor: true}).withUIState(uiFile)
	tm2 := teatest.NewTestModel(t, m2, teatest.WithInitialTermSize(120, 40))
	waitScreen(t, tm2, "Update .env", "vi: E325: ATTENTION swap file found", "exit 3 · failed")
	tm2.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm2, "Run again?")
	tm2.Type("y")
	waitScreen(t, tm2, "Run this change?")
	tm2.Type("y")
	waitScreen(t, tm2, "Update .env: failed, exit 3")
	tm2.Type("q")
	fm := tm2.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if fm.dlg != nil {
		t.Fatalf("a dialog is open after the second run: %T", fm.dlg)
	}
	run := e.s.Run()
	if n := len(run.AttemptsOf(id)); n != 2 {
		t.Fatalf("%d attempts recorded, want 2", n)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEditorFromEnvMissing: the embedded runbook's form, ${EDITOR:-nano}
// .env, with $EDITOR naming an editor this host lacks: the picker offers
// nano (on PATH), and the step runs it through $EDITOR, shown filled.
func TestEditorFromEnvMissing(t *testing.T) {
	e := openRunbookSession(t, "# Env Runbook\n\n## Deploy\n\n### Step 1: Env\n\n```bash\n# Update .env\n${EDITOR:-nano} .env\n```\n")
	onlyOnPath(t, map[string]string{"nano": "#!/bin/sh\necho 'FEATURE_X=on' >> \"$1\"\n"})
	t.Setenv("EDITOR", "code --wait")
	tm := teatest.NewTestModel(t, newModel(e, Options{NoColor: true}), teatest.WithInitialTermSize(120, 40))
	startEditStep(t, tm)
	waitScreen(t, tm, "Pick an editor", "code --wait is not on this host", "nano .env")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "Update .env: ok (exit 0)", "$ nano .env", ".env: 1 added", "+ FEATURE_X=on")
	cr := waitRecorded(t, e, interactiveID(t, e))
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if cr.Status != checklist.OK {
		t.Fatalf("run record %+v", cr)
	}
}

// TestChainGoesOnAfterAnEditorStep: a step run whole (enter on its
// heading) waits while the editor step's editor is looked for, hands it
// the terminal, and goes on with the next command after it, instead of
// ending the chain as if the editor step had not run.
func TestChainGoesOnAfterAnEditorStep(t *testing.T) {
	e := openRunbookSession(t, "# Chain Edit\n\n## Standard Deployment Procedure\n\n### Step 1: Edit\n\n"+
		"```bash\n# First\necho one\n```\n\n```bash\n# Edit env\n${EDITOR:-nano} .env\n```\n\n```bash\n# Third\necho three\n```\n")
	onlyOnPath(t, map[string]string{"vim": "#!/bin/sh\necho 'LOG_LEVEL=debug' >> \"$1\"\n"})
	t.Setenv("EDITOR", "vim")
	m := newModel(e, Options{NoColor: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	waitScreen(t, tm, "Chain Edit")
	tm.Type("/")
	tm.Type("first")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "not run yet: enter runs it")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyUp}) // the step's heading
	waitScreen(t, tm, "enter runs the 3 commands still to do")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitScreen(t, tm, "(y/N)") // the editor step changes a file
	tm.Type("y")
	waitScreen(t, tm, "Third: ok")
	tm.Type("q")
	tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	for _, id := range []string{"first", "edit-env", "third"} {
		if cr := e.s.Run().Commands["standard-deployment-procedure/step-1-edit/"+id]; cr.Status != checklist.OK {
			t.Errorf("%s: %+v, want ok", id, cr)
		}
	}
}
