package tuitest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitExit waits until planner-tui has exited and returns its status.
func (s *tui) waitExit() string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		if status, exited := s.exitStatus(); exited {
			return status
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("planner-tui still runs after %s; the screen:\n%s", waitTimeout, s.capture())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// relaunch starts planner-tui again, on the same state dir, in a new tmux
// server on the same socket (the first one ended with it).
//
// The first server exits when planner-tui does, but not at once: a
// new-session that reaches it while it shuts down fails with "server
// exited unexpectedly". So wait until no server answers on the socket, and
// start again if the new session still met the dying one.
func (s *tui) relaunch() {
	s.t.Helper()
	os.Remove(s.exitFile)
	deadline := time.Now().Add(waitTimeout)
	for exec.Command(tmuxPath, "-S", s.sock, "list-sessions").Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("the first tmux server still runs %s after planner-tui exited", waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	args := []string{"-u", "-S", s.sock, "-f", filepath.Join(s.root, "tmux.conf"), "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", filepath.Join(s.root, "launch.sh")}
	for try := 1; ; try++ {
		out, err := exec.Command(tmuxPath, args...).CombinedOutput()
		if err == nil {
			return
		}
		if try == 3 || !strings.Contains(string(out), "server exited unexpectedly") {
			s.t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
	}
}

// A restart opens the place the last planner-tui showed, with its log wrap
// setting; esc typed fast before q (the terminal's alt+q) is esc, then q.
func TestRestartRestoresTheViewAndEscQQuits(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.keys("Tab", "w")
	s.waitText("wrap")
	s.keys("q")
	if st := s.waitExit(); st != "0" {
		t.Fatalf("q exited with %s", st)
	}

	s.relaunch()
	scr := s.waitText("TUI Test Runbook", "$ echo about-to-fail; exit 3")
	if !strings.Contains(scr, "wrap") {
		t.Errorf("the wrap setting was not kept:\n%s", scr)
	}
	// esc and q in one write: what a fast typist sends
	s.keys("?")
	s.waitText("Marks in the step list")
	s.keys("Escape", "q")
	if st := s.waitExit(); st != "0" {
		t.Fatalf("esc q exited with %s", st)
	}
}

// o hands the terminal to the pager (less -R by default) on the full log
// of the selected command; quitting the pager gives the screen back.
func TestPagerOpensTheFullLog(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.keys("Enter")
	s.waitText("│about-to-fail", "exit 3", "full log: ")
	s.keys("o")
	// less shows the file alone: the line at the left edge, no box
	scr := s.waitFor("the pager", func(scr string) bool {
		return strings.HasPrefix(scr, "about-to-fail\n")
	})
	if strings.Contains(scr, "TUI Test Runbook") {
		t.Fatalf("the screen is still drawn under the pager:\n%s", scr)
	}
	s.keys("q")
	s.waitText("TUI Test Runbook", "│about-to-fail")
}
