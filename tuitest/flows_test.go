package tuitest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"planner-tui/internal/tmuxtest"
)

// The home screen shows the runbook's title, the checklist summary as
// panes with their progress, and the sections.
func TestHomeScreen(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.WaitText("Before 0/2", "During 0/2", "[ ] Stream numbered lines", "[ ] Take the stack down",
		"Deploy", "Rollback Procedure", "Emergency Procedures")
}

// Search finds a command and jumps to it; enter runs it; its output
// appears while it still runs, and its exit status shows when it ends.
func TestSearchRunStreams(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Stream numbered lines", `for i in 1 2 3 4 5 6; do echo "line-$i"; sleep 0.1; done`)
	s.WaitText("not run yet")
	s.Keys("Enter")
	// The command waits for the gate after line-6: the lines on the screen
	// were streamed, not shown after the end.
	scr := s.WaitText("│line-1", "│line-6", "running")
	if strings.Contains(scr, "│after-gate") || strings.Contains(scr, "ok (exit") {
		t.Fatalf("the command cannot have finished before the gate:\n%s", scr)
	}
	s.touchGate()
	// An ok end moves the selection on to the next pending command (issue
	// 9's flow); the message says how it ended, and going back up shows
	// the whole output.
	s.WaitText("Stream numbered lines: ok (exit 0)")
	s.Keys("k")
	s.WaitText("│after-gate", "ok (exit 0)")

	// A failing command shows its exit status.
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.Keys("Enter")
	s.WaitText("│about-to-fail", "exit 3")
}

// A destructive command runs only after its exact phrase (the compose
// project, the planner dir's base name) is typed and enter pressed.
func TestDestructiveNeedsExactPhrase(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Take the stack down", "docker-compose down")
	s.Keys("Enter")
	s.WaitText("Confirm destructive command", "To run it, type tuiproj and press enter")

	for _, wrong := range []string{"wrong", "tuipro", "TUIPROJ", "tuiproj "} {
		s.Type(wrong)
		s.WaitText("> " + strings.TrimSpace(wrong))
		s.Keys("Enter")
		s.WaitText("That is not the phrase: nothing ran", "> type the phrase")
		if r := s.records(); len(r) != 0 {
			t.Fatalf("phrase %q: docker-compose ran: %q", wrong, r)
		}
	}
	s.Keys("Escape")
	s.WaitGone("Confirm destructive command")
	if r := s.records(); len(r) != 0 {
		t.Fatalf("after esc: docker-compose ran: %q", r)
	}

	s.Keys("Enter")
	s.WaitText("Confirm destructive command")
	s.Type("tuiproj")
	s.WaitText("> tuiproj")
	s.Keys("Enter")
	s.WaitGone("Confirm destructive command")
	s.WaitText("ok (exit 0)")
	if r := s.records(); !slices.Equal(r, []string{"down"}) {
		t.Fatalf("docker-compose calls after the phrase: %q, want [down]", r)
	}
}

// A change command asks (y/N): enter, n and esc say no and nothing runs;
// y runs it.
func TestChangeAsksYesNo(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Append to the change log", `echo applied >> "$SCRATCH/change.log"`)
	changeLog := filepath.Join(s.scratch, "change.log")
	for _, no := range []string{"Enter", "n", "Escape"} {
		s.Keys("Enter")
		s.WaitText("Run this change?", "Proceed? (y/N)")
		s.Keys(no)
		s.WaitGone("Run this change?")
		if _, err := os.Stat(changeLog); err == nil {
			t.Fatalf("%s in the dialog ran the change", no)
		}
	}
	s.WaitText("not run yet")
	s.Keys("Enter")
	s.WaitText("Run this change?")
	s.Keys("y")
	s.WaitText("ok (exit 0)")
	b, err := os.ReadFile(changeLog)
	if err != nil || string(b) != "applied\n" {
		t.Fatalf("change log after y: %q, %v; want %q", b, err, "applied\n")
	}
}

// e lists the emergency playbooks from anywhere; esc closes the menu.
func TestEmergencyMenu(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.Keys("e")
	s.WaitText("Emergency playbooks", "Service Completely Down", "Database Connection Lost", "Out of Disk Space")
	s.Keys("Escape")
	s.WaitGone("Emergency playbooks")
	s.WaitText("Before 0/2")
}

// q while a command runs asks first (and no keeps it running); q when idle
// exits at once and the process is gone.
func TestQuit(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Stream numbered lines", `for i in 1 2 3 4 5 6; do echo "line-$i"; sleep 0.1; done`)
	s.Keys("Enter")
	s.WaitText("│line-1", "running")
	s.Keys("q")
	s.WaitText("Quit planner-tui", "Stream numbered lines is still running")
	s.Keys("n")
	s.WaitGone("Quit planner-tui")
	if _, exited := s.ExitStatus(); exited {
		t.Fatal("planner-tui exited although quitting was refused")
	}
	s.WaitText("running")
	s.touchGate()
	s.WaitText("Stream numbered lines: ok (exit 0)")

	s.Keys("q")
	pid, ok := s.PID()
	if !ok {
		t.Fatal("no pid for planner-tui")
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		status, exited := s.ExitStatus()
		if exited {
			if status != "0" {
				t.Errorf("planner-tui exited with status %s, want 0", status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("planner-tui still runs %s after q when idle; the screen:\n%s", waitTimeout, s.Capture())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if tmuxtest.ProcessAlive(pid) {
		t.Fatalf("planner-tui (pid %d) is still alive after exiting", pid)
	}
}

// Below 80×24 the screen says so instead of drawing a broken layout; back
// at 120×40 the normal screen returns.
func TestTooSmallWindow(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.Resize(70, 20)
	s.WaitText("needs at least 80×24 (now 70×20)")
	s.Resize(120, 40)
	s.WaitGone("needs at least")
	s.WaitText("TUI Test Runbook", "Before 0/2", "Sections")
}
