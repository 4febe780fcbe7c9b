package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
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
	d.keys("down", "x") // the selection moved on to Step 2's heading: skip its command
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
	d.waitText("report written: " + path)
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
	if !strings.Contains(v, "▌Step 2: Metrics") {
		t.Fatalf("esc did not go back to the procedure where S was pressed (on Step 2, where the flow moved on to):\n%s", v)
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

// TestEntryOutcome: a command's line in the summary says its outcome as
// the run has it: a ✓ only for ok, the exit code once it ended.
func TestEntryOutcome(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC)
	cmd := &checklist.Command{Title: "Build"}
	tests := []struct {
		name     string
		cr       checklist.CommandRun
		attempts int
		mark     string
		want     string
	}{
		{"not run", checklist.CommandRun{Status: checklist.Pending}, 0, "·", "not run"},
		{"ok", checklist.CommandRun{Status: checklist.OK, Started: t0, Ended: t0.Add(90 * time.Second)}, 1, "✓", "ok, exit 0 · 1:30"},
		{"warning", checklist.CommandRun{Status: checklist.Warning, ExitCode: 3, Started: t0, Ended: t0.Add(2 * time.Second)}, 1, "⚠", "warning, exit 3 · 2.0s"},
		{"failed twice", checklist.CommandRun{Status: checklist.Failed, ExitCode: 2, Started: t0, Ended: t0.Add(time.Second)}, 2, "✗", "failed, exit 2 · 1.0s · 2 attempts"},
		{"skipped", checklist.CommandRun{Status: checklist.Skipped}, 0, "↷", "skipped"},
		{"interrupted", checklist.CommandRun{Status: checklist.Interrupted, Started: t0, Ended: t0.Add(time.Second)}, 1, "!", "interrupted · 1.0s"},
		{"running", checklist.CommandRun{Status: checklist.Running, Started: t0}, 1, "▶", "running · 5.0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := summaryEntry{cmd: cmd, cr: tt.cr, attempts: tt.attempts}
			if got := entryOutcome(e, t0.Add(5*time.Second)); got != tt.want {
				t.Errorf("entryOutcome = %q, want %q", got, tt.want)
			}
			if got := summaryMark(tt.cr.Status); got != tt.mark {
				t.Errorf("mark = %q, want %q", got, tt.mark)
			}
		})
	}
}

// TestSummaryThenOnToTheNextProcedure: ] on the summary a procedure's end
// opened goes on to the next procedure with work left, as ] at the end of
// the procedure itself does; esc from there goes back to where the flow was.
func TestSummaryThenOnToTheNextProcedure(t *testing.T) {
	e := openRunbookSession(t, "# Two Procedures\n\n## Environment Verification\n\n"+
		"### Step 1: Look\n\n```bash\n# First look\necho one\n```\n\n```bash\n# Second look\necho two\n```\n\n"+
		"## Standard Deployment Procedure\n\n### Step 1: Deploy\n\n```bash\n# Deploy it\necho deployed\n```\n")
	d := newDriver(t, e, 160, 40)
	openCmd(d, e, "environment-verification/step-1-look/first-look")
	d.keys("enter")
	d.waitText("✓ First look: ok")
	d.keys("enter") // the flow moved on to the second command
	d.waitText("Environment Verification · summary")
	d.keys("]")
	v := d.waitText("on to Standard Deployment Procedure")
	if strings.Contains(v, "· summary") || !strings.Contains(v, "Deploy it") {
		t.Fatalf("] on the summary did not go on to the next procedure:\n%s", v)
	}
}

// TestRollbackFromTheSummary: r on a procedure's summary opens the
// rollback (the end of a deployment is where it is decided).
func TestRollbackFromTheSummary(t *testing.T) {
	e := openRunbookSession(t, "# Two Procedures\n\n## Standard Deployment Procedure\n\n"+
		"### Step 1: Deploy\n\n```bash\n# First\necho one\n```\n\n```bash\n# Second\necho two\n```\n\n"+
		"## Rollback Procedure\n\n### Step 1: Back\n\n```bash\n# Go back\necho back\n```\n")
	d := newDriver(t, e, 160, 40)
	openCmd(d, e, "standard-deployment-procedure/step-1-deploy/first")
	d.keys("enter")
	d.waitText("✓ First: ok")
	d.keys("enter")
	d.waitText("Standard Deployment Procedure · summary")
	d.keys("r")
	v := d.waitText("› Rollback Procedure")
	if strings.Contains(v, "· summary") {
		t.Fatalf("r on the summary did not open the rollback:\n%s", v)
	}
}
