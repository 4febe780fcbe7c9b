package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/ops/report"
	"planner-tui/ops/session"
)

// summaryRunbook is a procedure of three commands: ok, a warning (its
// output matches warn-if), and a skipped one in between.
const summaryRunbook = "# Summary Runbook\n\n## Post-Deployment Verification\n\n" +
	"### Step 1: Health\n\n```bash\n# Check health\necho healthy\n```\n\n" +
	"### Step 2: Metrics\n\n```bash\n# Check metrics\necho metrics\n```\n\n" +
	"### Step 3: Logs\n\n```bash {warn-if=\"slow\"}\n# Check logs\necho 'request slow: 2.5s'\n```\n"

const (
	idHealth  = "post-deployment-verification/step-1-health/check-health"
	idMetrics = "post-deployment-verification/step-2-metrics/check-metrics"
	idLogs    = "post-deployment-verification/step-3-logs/check-logs"
)

func openSummarySession(t *testing.T) *realEngine {
	t.Helper()
	return openRunbookSession(t, summaryRunbook)
}

// openRunbookSession opens the real engine on a runbook given as text, with
// an empty planner dir and a state dir of its own.
func openRunbookSession(t *testing.T, text string) *realEngine {
	t.Helper()
	tmp := t.TempDir()
	rb := filepath.Join(tmp, "runbook.md")
	if err := os.WriteFile(rb, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(tmp, "planner"), 0o755); err != nil {
		t.Fatal(err)
	}
	waitSupervisors(t, filepath.Join(tmp, "state"))
	s, err := session.Open(context.Background(), session.Options{RunbookPath: rb, Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &realEngine{engineBackend: engineBackend{s}, s: s}
}

// TestSummaryAfterLastCommand: when the procedure's last command ends, its
// summary opens: each command with its honest mark and duration, what
// warned and why, the note written; w writes the report into the run dir,
// the same Markdown as `planner-tui report --format md`, its path shown
// whole; esc goes back to the procedure.
func TestSummaryAfterLastCommand(t *testing.T) {
	e := openSummarySession(t)
	d := newDriver(t, e, 200, 40)
	openCmd(d, e, idHealth)
	d.keys("enter")
	d.waitText("✓ Check health: ok")
	if strings.Contains(d.view(), "· summary") {
		t.Fatalf("the summary opened before the last command:\n%s", d.view())
	}
	d.keys("x") // skip the metrics
	d.waitText("skipped Check metrics")
	d.keys("n")
	d.typ("latency looked high")
	d.keys("enter")
	d.waitText("note saved")
	openCmd(d, e, idLogs)
	d.keys("enter")
	v := d.waitText("Post-Deployment Verification · summary")
	for _, want := range []string{
		"2 ran: 1 ✓ ok, 1 ⚠ warning, 0 ✗ failed",
		"1 ↷ skipped",
		"✓ Check health",
		"↷ Check metrics",
		"⚠ Check logs",
		"Failed or warned",
		"⚠ Check logs: output matched warn-if",
		"Notes",
		"latency looked high",
		"took ",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("summary lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "✓ Check logs") || strings.Contains(v, "✓ Check metrics") {
		t.Errorf("a ✓ on a command that warned or was skipped:\n%s", v)
	}

	d.keys("w")
	path := filepath.Join(e.s.StateDir(), "runs", e.s.Run().ID, "report.md")
	v = d.waitText("report written: " + path)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	run := e.s.Run()
	var want bytes.Buffer
	report.Markdown(&want, e.s.Runbook(), &run, e.s.Mask)
	if string(got) != want.String() {
		t.Fatalf("report.md differs from planner-tui report --format md:\n--- file\n%s\n--- report\n%s", got, want.String())
	}
	for _, line := range []string{"Check logs** — warning", "latency looked high", "Check metrics** — skipped"} {
		if !strings.Contains(string(got), line) {
			t.Errorf("report lacks %q:\n%s", line, got)
		}
	}

	d.keys("esc")
	v = d.waitFor("the procedure again", func(v string) bool { return !strings.Contains(v, "· summary") })
	if !strings.Contains(v, "Check logs") {
		t.Fatalf("esc did not go back to the procedure:\n%s", v)
	}
}

// TestSummaryKey: S shows the summary of the procedure shown, and of the
// whole run from home; esc goes back where S was pressed. It is in help.
func TestSummaryKey(t *testing.T) {
	e := openSummarySession(t)
	d := newDriver(t, e, 120, 40)
	d.keys("S")
	v := d.waitText("Run summary")
	if !strings.Contains(v, "nothing ran yet") || !strings.Contains(v, "· Check health") {
		t.Fatalf("the run summary before anything ran:\n%s", v)
	}
	d.keys("esc")
	d.waitFor("home", func(v string) bool { return !strings.Contains(v, "Run summary") })

	openCmd(d, e, idHealth)
	d.keys("enter")
	d.waitText("✓ Check health: ok")
	d.keys("S")
	v = d.waitText("Post-Deployment Verification · summary")
	if !strings.Contains(v, "1 ran: 1 ✓ ok") || !strings.Contains(v, "2 not run") {
		t.Fatalf("procedure summary:\n%s", v)
	}
	d.keys("esc")
	v = d.waitFor("the procedure", func(v string) bool { return !strings.Contains(v, "· summary") })
	if !strings.Contains(v, "$ echo metrics") {
		t.Fatalf("esc did not go back to the procedure where S was pressed:\n%s", v)
	}
	d.keys("?")
	if v := d.waitText("help"); !strings.Contains(v, "S") || !strings.Contains(v, "summary, report") {
		t.Fatalf("S is not in help:\n%s", v)
	}
}

// TestSummaryAfterSkippingTheLast: skipping the last command ends the
// procedure too; what never ran says so.
func TestSummaryAfterSkippingTheLast(t *testing.T) {
	e := openSummarySession(t)
	d := newDriver(t, e, 120, 40)
	openCmd(d, e, idHealth)
	d.keys("enter")
	d.waitText("✓ Check health: ok")
	openCmd(d, e, idLogs)
	d.keys("x")
	v := d.waitText("Post-Deployment Verification · summary")
	for _, want := range []string{"↷ Check logs", "· Check metrics", "not run", "1 ran: 1 ✓ ok", "1 ↷ skipped", "1 not run"} {
		if !strings.Contains(v, want) {
			t.Errorf("summary lacks %q:\n%s", want, v)
		}
	}
}
