package tuitest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// headless starts `planner-tui run ID` on the screen's runbook, planner dir
// and state dir, as an operator in another terminal would.
func (s *tui) headless(id string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	s.t.Helper()
	argv := append([]string{"run", id, "--runbook", s.runbook, "--dir", s.proj, "--state-dir", s.state, "--set", "SCRATCH=" + s.scratch}, args...)
	cmd := exec.Command(binPath, argv...)
	cmd.Env = []string{"HOME=" + s.root, "LANG=C.UTF-8", "PATH=" + s.path}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			s.touchGate()
			cmd.Wait()
		}
	})
	return cmd, &out
}

// A headless run while the screen is open shows on the screen: running
// with its output, then its result; enter on it does not run it again
// without asking (blocked while it runs, a y/N question after).
func TestHeadlessRunShowsInTheScreen(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.openCommand("Stream numbered lines", `for i in 1 2 3 4 5 6; do echo "line-$i"; sleep 0.1; done`)
	s.WaitText("not run yet")

	cmd, out := s.headless("deploy/step-1-stream/stream-numbered-lines")
	// The other process is named when its run is first seen: in a flash,
	// which may be gone by the time its output is read on a loaded host.
	s.WaitText("was started by", "driven by")
	// It waits for the gate after line-6: running, its output read from
	// its log file.
	s.WaitText("running in another process", "│line-6", "driven by")
	s.Keys("Enter")
	s.WaitText("blocked:")
	if n := jobCount(t, s.state); n != 1 {
		t.Fatalf("%d jobs after enter on a command running elsewhere, want 1", n)
	}

	s.touchGate()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("headless run: %v\n%s", err, out)
	}
	s.WaitText("ok (exit 0)", "│after-gate")
	s.WaitGone("driven by")

	s.Keys("Enter")
	s.WaitText("Run again?", "already ran outside this screen", "ok, exit 0")
	s.Keys("n")
	s.WaitText("not run again")
	if n := jobCount(t, s.state); n != 1 {
		t.Fatalf("%d jobs after declining to run again, want 1", n)
	}

	// Asked and answered yes: it runs again, here.
	s.Keys("Enter")
	s.WaitText("Run again?")
	s.Keys("y")
	s.WaitText("│line-6")
	s.touchGate()
	s.WaitFor("the second run to end", func(scr string) bool {
		return jobCount(t, s.state) == 2 && strings.Contains(scr, "ok (exit 0)") && !strings.Contains(scr, "running")
	})
}

// jobCount is how many jobs (command starts) the state dir holds.
func jobCount(t *testing.T, state string) int {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(state, "runs", "*", "jobs", "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			n++
		}
	}
	return n
}
