package ui

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"planner-tui/checklist"
)

const (
	idHello    = "deploy/step-1-hello/say-hello"
	idFail     = "deploy/step-1-hello/fail-on-purpose"
	idPull     = "deploy/step-2-pull-latest-code/pull-latest-code"
	idCheckout = "deploy/step-2-pull-latest-code/or-checkout-specific-version"
	idWipe     = "deploy/step-3-wipe-scratch/wipe-scratch"
)

func TestHomeShowsSummaryPanesAndSections(t *testing.T) {
	cases := []struct {
		name  string
		w, h  int
		wants []string
	}{
		{"wide side by side", 130, 30, []string{"Pre-Deployment 0/2", "Deployment 0/3", "If Issues Occur 0/2", "[ ] Say hello", "[ ] Pull latest code", "[ ] Execute rollback procedure", "Contact Information", "Overview"}},
		{"narrow tabs", 80, 24, []string{"Pre-Deployment 0/2", "Deployment 0/3", "Sections", "[ ] Say hello", "[ ] Verify test results"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, newEngine(t), tc.w, tc.h)
			v := d.view()
			for _, w := range tc.wants {
				if !strings.Contains(v, w) {
					t.Errorf("home lacks %q:\n%s", w, v)
				}
			}
			checkSize(t, v, tc.w, tc.h)
		})
	}
}

// checkSize asserts the frame fills the terminal exactly: no line wider,
// no more lines.
func checkSize(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(l)); n > w {
			t.Errorf("line %d is %d wide (> %d): %q", i, n, w, l)
		}
	}
}

func TestNarrowTabsReachEverySection(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 80, 24)
	d.keys("g")
	v := d.view()
	for _, sec := range e.Runbook().Sections {
		if !strings.Contains(v, sec.Title) {
			t.Errorf("sections pane lacks %q:\n%s", sec.Title, v)
		}
	}
	// open the last one (Contact Information): its prose shows
	for range e.Runbook().Sections {
		d.keys("j")
	}
	d.keys("enter")
	d.waitText("Slack channel")
}

func TestRunSafeCommandStreamsOutputAndStatus(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	// home: the first item "Say hello" leads to the command of that title
	d.keys("enter")
	d.waitText("$ echo hello-from-echo")
	d.keys("enter")
	d.waitText("✓ Say hello: ok (exit 0)")
	d.keys("up") // the selection went on to the next command: back to it
	v := d.waitText("✓ ok (exit 0)")
	if !strings.Contains(v, "hello-from-echo") {
		t.Fatalf("output not shown:\n%s", v)
	}
	if got := e.startedIDs(); !slices.Equal(got, []string{idHello}) {
		t.Fatalf("started %v, want just %s", got, idHello)
	}
	// back home the summary item derived from the command is done
	d.keys("esc")
	d.waitText("Pre-Deployment 1/2")
}

func TestFailedCommandShowsExitCode(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	d.m.open(findStep(e.Runbook(), "deploy/step-1-hello"))
	d.m.proc.Select(target{cmdID: idFail})
	d.keys("enter")
	v := d.waitText("failed, exit 3")
	if !strings.Contains(v, "about-to-fail") || !strings.Contains(v, "✗ Fail on purpose exit 3") {
		t.Fatalf("failure not shown:\n%s", v)
	}
}

func openCmd(d *driver, e backend, id string) {
	_, t := findCommand(e.Runbook(), id)
	t.cmdID = id
	d.m.open(t)
}

func TestChangeConfirmDefaultsToNo(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idPull)
	d.keys("enter")
	d.waitText("Pick one") // alternatives: pull or checkout
	d.keys("enter")        // the selected one: pull
	d.waitText("(y/N)")
	d.keys("x") // other keys do nothing
	if !strings.Contains(d.view(), "(y/N)") {
		t.Fatal("a stray key closed the dialog")
	}
	d.keys("enter") // enter means No
	d.waitText("not run")
	if got := e.startedIDs(); len(got) != 0 {
		t.Fatalf("enter ran %v", got)
	}
	d.keys("enter")
	d.waitText("Pick one")
	d.keys("enter")
	d.waitText("(y/N)")
	d.keys("y")
	d.waitText("✓ Pull latest code: ok (exit 0)")
	d.m.proc.Select(target{cmdID: idPull}) // the selection went on to the next command
	v := d.waitText("✓ ok (exit 0)")
	if !strings.Contains(v, "│pulled-latest") {
		t.Fatalf("output not shown:\n%s", v)
	}
	if got := e.startedIDs(); !slices.Equal(got, []string{idPull}) {
		t.Fatalf("started %v", got)
	}
}

func TestDestructiveNeedsTheExactPhrase(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idWipe)
	scratch := e.scratch()
	d.keys("enter")
	v := d.waitText("Confirm destructive command")
	for _, w := range []string{"planner_production", "Destroys:", "DESTRUCTIVE", `rm -rf "$TMPDIR_X/scratch"`} {
		if !strings.Contains(v, w) {
			t.Errorf("modal lacks %q:\n%s", w, v)
		}
	}
	d.keys("enter") // no phrase
	d.waitText("not the phrase: nothing ran")
	d.typ("planner_productio")
	d.keys("enter") // wrong phrase
	d.waitText("not the phrase: nothing ran")
	d.typ("y")
	d.keys("enter")
	d.typ("planner_production")
	d.keys("esc") // cancel with the right phrase typed
	d.waitText("cancelled: nothing ran")
	if got := e.startedIDs(); len(got) != 0 {
		t.Fatalf("ran %v before the phrase was confirmed", got)
	}
	if _, err := os.Stat(scratch); err != nil {
		t.Fatalf("scratch dir gone before confirmation: %v", err)
	}
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.typ("planner_production")
	d.keys("enter")
	d.waitIdle(e)
	d.waitText("✓ Wipe scratch: ok")
	if _, err := os.Stat(scratch); !os.IsNotExist(err) {
		t.Fatalf("scratch dir still there after the confirmed run: %v", err)
	}
}

func TestParametersFormWithChoices(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, idCheckout)
	d.keys("enter")        // an alternative's row runs it: no picker
	d.waitText("v1.2.3")   // the tags of the planner dir's git repository
	d.keys("down", "down") // pick the second listed value
	picked := d.m.dlg.(*paramsDialog).inputs[0].Value()
	if picked != "v1.2.2" && picked != "v1.2.3" {
		t.Fatalf("picking filled in %q", picked)
	}
	d.keys("enter")
	d.waitText("(y/N)")
	d.keys("y")
	d.waitText("│checked-out-" + picked)
}

func TestEmergencyMenuFiltersAndOpens(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	d.keys("e")
	v := d.waitText("Emergency playbooks")
	for _, w := range []string{"Service Completely Down", "Database Connection Lost", "Out of Disk Space"} {
		if !strings.Contains(v, w) {
			t.Errorf("menu lacks %q", w)
		}
	}
	d.typ("disk")
	v = d.view()
	if strings.Contains(v, "Service Completely Down") || !strings.Contains(v, "Out of Disk Space") {
		t.Fatalf("filter did not filter:\n%s", v)
	}
	d.keys("enter")
	v = d.waitText("Emergency Procedures")
	if !regexp.MustCompile(`▌Out of Disk Space`).MatchString(v) {
		t.Fatalf("step not selected:\n%s", v)
	}
}

func TestSearchJumpsToCommand(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	d.keys("/")
	d.waitText("Search the runbook")
	d.typ("rm -rf") // matches the script, not only titles
	d.keys("enter")
	v := d.waitText("▌  · Wipe scratch")
	if !strings.Contains(v, "DESTRUCTIVE") {
		t.Fatalf("detail of the found command not shown:\n%s", v)
	}
}

func TestRollbackKeyOpensRollback(t *testing.T) {
	d := newDriver(t, newEngine(t), 100, 30)
	d.keys("r")
	d.waitText("Step 1: Stop Current Services")
}

func TestSpaceTicksCheck(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	d.keys("j", "space") // "Verify test results"
	d.waitText("[x] Verify test results")
	d.waitText("Pre-Deployment 1/2")
	if !e.Run().Checks["deployment-checklist-summary/pre-deployment/verify-test-results"].Done {
		t.Fatal("engine not told")
	}
}

func TestTooSmallMessage(t *testing.T) {
	d := newDriver(t, newEngine(t), 70, 20)
	if v := d.view(); !strings.Contains(v, "planner-tui needs at least 80×24 (now 70×20)") {
		t.Fatalf("no too-small message:\n%s", v)
	}
	d.send(resize(80, 24))
	v := d.view()
	if strings.Contains(v, "needs at least") || !strings.Contains(v, "Pre-Deployment") {
		t.Fatalf("not back after resize:\n%s", v)
	}
	checkSize(t, v, 80, 24)
}

func TestCancelAsksAndDefaultsToNo(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, "deploy/step-1-hello/sleep-a-while")
	d.keys("enter")
	d.waitFor("running", func(string) bool { return d.m.c.active != nil })
	d.keys("ctrl+c")
	d.waitText("Cancel the running step")
	d.keys("enter")
	d.waitText("the step keeps running")
	if e.idle() {
		t.Fatal("enter cancelled the step")
	}
	d.keys("q")
	d.waitText("keeps running in the background")
	d.keys("n")
	d.keys("ctrl+c")
	d.waitText("(y/N)")
	d.keys("y")
	d.waitIdle(e)
	d.waitText("interrupted")
}

func TestLogScrollBackCountsNewLines(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	openCmd(d, e, "deploy/step-1-hello/slow-output")
	d.keys("enter")
	d.waitText("slow-30")
	d.keys("tab", "up", "up", "up")
	d.waitText("new lines ↓")
	first := d.m.proc.log.top
	d.waitIdle(e)
	// once the command ended, nothing is new: the lines are "below"
	v := d.waitFor("count of all the lines below", func(v string) bool {
		m := regexp.MustCompile(`(\d+) more lines below ↓`).FindStringSubmatch(v)
		if len(m) < 2 {
			return false
		}
		n, _ := strconv.Atoi(m[1])
		return n > 100 && !strings.Contains(v, "new lines")
	})
	if d.m.proc.log.top != first {
		t.Fatalf("the window moved while scrolled back:\n%s", v)
	}
	d.keys("G")
	d.waitText("│slow-400")
	// search in the log
	d.keys("/")
	d.typ("slow-12")
	d.keys("enter")
	v = d.waitText("/slow-12 (n/N)")
	if !strings.Contains(v, "slow-12") {
		t.Fatalf("search did not jump:\n%s", v)
	}
}

func TestNoColorHasNoColours(t *testing.T) {
	d := newDriver(t, newEngine(t), 100, 30)
	raw := d.m.View().Content
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(raw, -1) {
		for _, p := range strings.Split(m[1], ";") {
			n, _ := strconv.Atoi(p)
			if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 107) {
				t.Fatalf("colour SGR %q with NO_COLOR", m[0])
			}
		}
	}
}

func TestReattachesToRunningCommand(t *testing.T) {
	e := newTestEngine(t)
	first := newDriver(t, e, 100, 30)
	openCmd(first, e, "deploy/step-1-hello/slow-output")
	first.keys("enter")
	first.waitText("│slow-5")
	// a new screen on the same engine, as after planner-tui was restarted
	e.detach()
	second := newDriver(t, e, 100, 30)
	second.waitText("re-attached to Slow output")
	second.keys("tab") // watching its output: the selection stays when it ends
	v := second.waitText("│slow-400")
	if !strings.Contains(v, "Slow output") {
		t.Fatalf("not opened at the running command:\n%s", v)
	}
	second.waitIdle(e)
	second.waitText("✓ ok")
}

func TestRunbookWithoutSummaryShowsSections(t *testing.T) {
	e := newTestEngine(t)
	rb, _, err := checklist.Parse("inline.md", []byte("# Small\n\n## First\n\nSome text.\n\n## Second\n\n```bash\n# Hi\necho hi\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	e.rb = rb
	d := newDriver(t, e, 80, 24)
	v := d.view()
	if !strings.Contains(v, "Sections 2") || !strings.Contains(v, "First") || !strings.Contains(v, "Second") {
		t.Fatalf("sections not shown:\n%s", v)
	}
	d.keys("j", "enter")
	d.waitText("· Hi  safe")
	d.keys("j")
	d.waitText("$ echo hi")
}

func TestStatusBarAndNotes(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 100, 30)
	if !strings.Contains(d.view(), "stack: not monitored") {
		t.Fatal("status bar does not say the stack is not monitored")
	}
	openCmd(d, e, idHello)
	d.keys("n")
	d.waitText("Note on Step 1: Hello")
	d.typ("looked fine")
	d.keys("enter")
	d.waitText("note (1)")
	if n := e.Run().Notes["deploy/step-1-hello"]; len(n) != 1 || n[0].Text != "looked fine" {
		t.Fatalf("engine notes = %+v", n)
	}
}

// The summary panes go side by side when their longest item fits whole,
// else two to a row: the embedded runbook's four groups at 120 columns
// make a 2×2 grid, where "Backup environment configuration ›" is whole.
func TestSummaryColumns(t *testing.T) {
	tests := []struct {
		width, panes, longest, want int
	}{
		{130, 4, 20, 4},  // short items: all four in a row
		{120, 4, 44, 2},  // the embedded runbook: 2×2
		{120, 3, 44, 2},  // three groups: 2 + 1
		{120, 2, 70, 2},  // two never stack
		{110, 4, 23, 4},  // 27 a pane minus borders is enough
		{110, 4, 24, 2},  // one cell short
		{120, 1, 200, 1}, // one group: one column
	}
	for _, tt := range tests {
		if got := summaryColumns(tt.width, tt.panes, tt.longest); got != tt.want {
			t.Errorf("summaryColumns(%d, %d, %d) = %d, want %d", tt.width, tt.panes, tt.longest, got, tt.want)
		}
	}
}
