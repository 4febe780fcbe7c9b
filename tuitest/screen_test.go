package tuitest

import (
	"strings"
	"testing"
)

// A restart opens the place the last planner-tui showed, with its log wrap
// setting; esc typed fast before q (the terminal's alt+q) is esc, then q.
func TestRestartRestoresTheViewAndEscQQuits(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.Keys("Tab", "w")
	s.WaitText("wrap")
	s.Keys("q")
	if st := s.WaitExit(); st != "0" {
		t.Fatalf("q exited with %s", st)
	}

	s.Restart()
	scr := s.WaitText("TUI Test Runbook", "$ echo about-to-fail; exit 3")
	if !strings.Contains(scr, "wrap") {
		t.Errorf("the wrap setting was not kept:\n%s", scr)
	}
	// esc and q in one write: what a fast typist sends
	s.Keys("?")
	s.WaitText("Marks in the step list")
	s.Keys("Escape", "q")
	if st := s.WaitExit(); st != "0" {
		t.Fatalf("esc q exited with %s", st)
	}
}

// o hands the terminal to the pager (less -R by default) on the full log
// of the selected command; quitting the pager gives the screen back.
func TestPagerOpensTheFullLog(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.Keys("Enter")
	s.WaitText("│about-to-fail", "exit 3", "full log: ")
	s.Keys("o")
	// less shows the file alone: the line at the left edge, no box
	scr := s.WaitFor("the pager", func(scr string) bool {
		return strings.HasPrefix(scr, "about-to-fail\n")
	})
	if strings.Contains(scr, "TUI Test Runbook") {
		t.Fatalf("the screen is still drawn under the pager:\n%s", scr)
	}
	s.Keys("q")
	s.WaitText("TUI Test Runbook", "│about-to-fail")
}
