package ui

import (
	"context"
	"os"
	"strings"
	"testing"

	"planner-tui/ops/session"
)

// openOutcomeSession is the real engine on testdata/outcome.md, whose
// commands are judged by more than their exit code.
func openOutcomeSession(t *testing.T) *session.Session {
	t.Helper()
	tmp := t.TempDir()
	if err := os.MkdirAll(tmp+"/planner", 0o755); err != nil {
		t.Fatal(err)
	}
	waitSupervisors(t, tmp+"/state")
	s, err := session.Open(context.Background(), session.Options{
		RunbookPath: "../testdata/outcome.md", Dir: tmp + "/planner", StateDir: tmp + "/state",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A command that ended with a warning shows ⚠, never ✓: in the step list,
// the status line, the flash, and the summary item it stands behind.
func TestWarningCommandNeverShowsTick(t *testing.T) {
	tests := []struct {
		id       string
		row      string   // the command's row in the step list
		want     []string // more that must show
		notShown string
	}{
		{"checks/grep/look-for-errors", "⚠ Look for errors warning",
			[]string{"⚠ warning, exit 0", "exit 0 is in warn-exit", "⚠ Look for errors: warning", "judged by: ok-exit=1 warn-exit=0"}, "✓ Look for errors"},
		{"checks/health/swallowed-health-check", "✗ Swallowed health check exit 0",
			[]string{"✗ failed, exit 0", `output matched fail-if "failed!$": Health check`}, "✓ Swallowed"},
		{"checks/grep/look-for-errors-in-a-clean-log", "✓ Look for errors in a clean log",
			[]string{"✓ ok (exit 1)", "exit 1 is in ok-exit"}, "⚠ Look for errors in"},
	}
	s := openOutcomeSession(t)
	d := newDriver(t, engineBackend{s}, 130, 40)
	// one driver for the table (the driver fails its own test): no subtests
	for _, tt := range tests {
		openCmd(d, engineBackend{s}, tt.id)
		// from the output pane: an ok end keeps the selection there
		d.keys("tab", "enter")
		v := d.waitText(tt.row)
		for _, w := range tt.want {
			if !strings.Contains(v, w) {
				v = d.waitText(w)
			}
		}
		if strings.Contains(v, tt.notShown) {
			t.Errorf("%s: shows %q:\n%s", tt.id, tt.notShown, v)
		}
	}
	// Home: the items behind a warning and a failure are ⚠ and ✗, and
	// neither counts as done.
	d.keys("esc")
	v := d.waitText("[⚠] No errors in logs")
	for _, w := range []string{"[✗] Health checks passing", "After 0/4 ⚠1 ✗1"} {
		if !strings.Contains(v, w) {
			t.Errorf("home lacks %q:\n%s", w, v)
		}
	}
	// A tick on an item that stands for a procedure does not make it done.
	d.keys("j", "space")
	d.waitText("this item is done when what it leads to is")
	if st := s.Run().Checks["summary/after/no-errors-in-logs"]; st != nil {
		t.Errorf("the item was ticked: %+v", st)
	}
	// The summary opened as a procedure shows the same derived states.
	d.m.open(findStep(s.Runbook(), "summary/after"))
	v = d.waitText("Team notified")
	if d.m.proc == nil || !strings.Contains(v, "  [⚠] No errors in logs") || !strings.Contains(v, "  [✗] Health checks passing") {
		t.Errorf("summary as a procedure:\n%s", v)
	}
}
