package ui

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"planner-tui/ops/runner"
	"planner-tui/ops/session"
)

// TestMain lets the test binary act as the runner's detached supervisor:
// the real session starts jobs by re-executing it.
func TestMain(m *testing.M) {
	if runner.IsSupervisor() {
		os.Exit(runner.SupervisorMain())
	}
	os.Exit(m.Run())
}

// openSession opens the real engine on the test runbook with a temp state
// dir and a temp planner dir.
func openSession(t *testing.T) (*session.Session, string) {
	t.Helper()
	tmp := t.TempDir()
	scratch := tmp + "/x/scratch"
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(tmp+"/planner", 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{
		RunbookPath: "testdata/runbook.md",
		Dir:         tmp + "/planner",
		StateDir:    tmp + "/state",
		Sets:        map[string]string{"TMPDIR_X": tmp + "/x"},
	})
	if err != nil && strings.Contains(err.Error(), "not built yet") {
		// the engine skeleton: the bodies are landing (remove with it)
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, scratch
}

func TestRealSessionRunsAndGuards(t *testing.T) {
	s, scratch := openSession(t)
	d := newDriver(t, engineBackend{s}, 100, 30)
	d.keys("enter") // home: "Say hello"
	d.waitText("$ echo hello-from-echo")
	d.keys("enter")
	v := d.waitText("✓ ok (exit 0)")
	if !strings.Contains(v, "│hello-from-echo") {
		t.Fatalf("output not shown:\n%s", v)
	}

	openCmd(d, &testEngine{rb: s.Runbook()}, idFail)
	d.keys("enter")
	d.waitText("failed, exit 3")

	openCmd(d, &testEngine{rb: s.Runbook()}, idWipe)
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.typ("wrong")
	d.keys("enter")
	d.waitText("nothing ran")
	d.keys("esc")
	d.waitText("cancelled: nothing ran")
	if _, err := os.Stat(scratch); err != nil {
		t.Fatalf("scratch gone without the phrase: %v", err)
	}
	p, err := s.Plan(idWipe, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.typ(p.Confirm)
	d.keys("enter")
	d.waitText("Wipe scratch: ok")
	if _, err := os.Stat(scratch); !os.IsNotExist(err) {
		t.Fatalf("scratch still there: %v", err)
	}
	var ran []string
	for id, cr := range s.Run().Commands {
		if cr.Status == "ok" || cr.Status == "failed" {
			ran = append(ran, id)
		}
	}
	slices.Sort(ran)
	want := []string{idFail, idHello, idWipe}
	if !slices.Equal(ran, want) {
		t.Fatalf("engine recorded %v, want %v", ran, want)
	}
}
