package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// openChainSession is the real engine on testdata/chain.md, MARK_DIR a
// temp dir holding the scratch dir its destructive command removes.
func openChainSession(t *testing.T) (*realEngine, string) {
	t.Helper()
	tmp := t.TempDir()
	for _, d := range []string{"planner", "marks/scratch"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	waitSupervisors(t, filepath.Join(tmp, "state"))
	s, err := session.Open(context.Background(), session.Options{RunbookPath: "testdata/chain.md", Dir: filepath.Join(tmp, "planner"),
		StateDir: filepath.Join(tmp, "state"), Sets: map[string]string{"MARK_DIR": filepath.Join(tmp, "marks")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &realEngine{engineBackend: engineBackend{s}, s: s, scratchDir: filepath.Join(tmp, "marks", "scratch")}, tmp
}

// selectedStep is the title of the selected step row, "" when a command
// or check is selected.
func (d *driver) selectedStep() string {
	if d.m.proc == nil {
		return ""
	}
	if r, ok := d.m.proc.selected(); ok && r.kind == rowStep {
		return d.m.proc.sec.Steps[r.step].Title
	}
	return ""
}

func (d *driver) wantStep(title string) {
	d.t.Helper()
	if got := d.selectedStep(); got != title {
		d.t.Fatalf("selection on step %q (command %q), want step %q; screen:\n%s", got, d.selectedCmd(), title, d.view())
	}
}

// waitChainEnd runs the loop until no chain runs and nothing is running.
func (d *driver) waitChainEnd(e testBackend) {
	d.t.Helper()
	d.waitFor("the step to end", func(string) bool { return d.m.c.chain == nil && d.m.c.active == nil && e.idle() })
}

func wantStarted(t *testing.T, e testBackend, want ...string) {
	t.Helper()
	if got := e.startedIDs(); !slices.Equal(got, want) {
		t.Fatalf("started %v, want %v", got, want)
	}
}

const (
	chSafe    = "deploy/step-1-build/safe-one"
	chChange  = "deploy/step-1-build/a-change"
	chDefault = "deploy/step-1-build/pick-default"
	chLast    = "deploy/step-1-build/last-safe"
	chWarns   = "deploy/step-2-warns/warns"
	chAfterW  = "deploy/step-2-warns/after-warning"
	chWipe    = "deploy/step-3-destroys/wipe-marks"
	chAfterX  = "deploy/step-3-destroys/after-wipe"
	chValue   = "deploy/step-4-asks/with-a-value"
	chThen    = "deploy/step-4-asks/then"
	chSlow    = "deploy/step-5-slow/slow"
	chNext    = "deploy/step-5-slow/next"
)

// Enter on a step's heading runs its commands one after another: a safe
// one directly, a change after y, an alternative group's first command
// only; the chain shows where it is, and the selection follows it and then
// goes on to the next step's heading.
func TestChainRunsAStep(t *testing.T) {
	e, _ := openChainSession(t)
	d := newDriver(t, e, 120, 40)
	d.m.open(target{sec: e.Runbook().Sections[0], step: -1})
	d.wantStep("Step 1: Build") // opened whole: the first thing to do
	if v := d.view(); !strings.Contains(v, "enter runs the 4 commands still to do") {
		t.Fatalf("the heading does not say what enter does:\n%s", v)
	}
	d.keys("enter")
	v := d.waitText("Run this change?")
	if !strings.Contains(v, "running 2 of 4 in Step 1 · esc stops after this one") {
		t.Errorf("the chain is not shown:\n%s", v)
	}
	wantStarted(t, e, chSafe)
	d.wantSelected(chChange)
	d.keys("y")
	d.waitChainEnd(e)
	wantStarted(t, e, chSafe, chChange, chDefault, chLast)
	d.wantStep("Step 2: Warns")
	if v := d.view(); !strings.Contains(v, "Step 1 done") {
		t.Errorf("the end of the step is not said:\n%s", v)
	}

	// A warning stops the chain; the heading's enter runs what is left.
	d.keys("enter")
	d.waitChainEnd(e)
	v = d.view()
	wantStarted(t, e, chSafe, chChange, chDefault, chLast, chWarns)
	d.wantSelected(chWarns)
	if !strings.Contains(v, "Step 2 stopped at warning") {
		t.Errorf("the stop is not said:\n%s", v)
	}
	d.keys("up", "enter")
	d.waitChainEnd(e)
	wantStarted(t, e, chSafe, chChange, chDefault, chLast, chWarns, chAfterW)
	d.wantStep("Step 3: Destroys")
}

// A declined dialog stops the chain and nothing more runs; the phrase is
// never skipped; a parameter is asked for and the chain goes on after.
func TestChainAsksAndStops(t *testing.T) {
	e, _ := openChainSession(t)
	d := newDriver(t, e, 120, 40)
	d.m.open(findStep(e.Runbook(), "deploy/step-3-destroys"))
	d.keys("enter")
	d.waitText("Confirm destructive command")
	d.keys("esc")
	v := d.waitText("did not run")
	if d.m.c.chain != nil || strings.Contains(v, "running 1 of") {
		t.Fatalf("the chain goes on after esc in its dialog:\n%s", v)
	}
	wantStarted(t, e)
	if _, err := os.Stat(e.scratch()); err != nil {
		t.Fatalf("the scratch dir went without its phrase: %v", err)
	}
	d.wantSelected(chWipe) // where the chain stopped
	d.keys("up", "enter")
	d.waitText("Confirm destructive command")
	d.typ("testdb")
	d.keys("enter")
	d.waitChainEnd(e)
	wantStarted(t, e, chWipe, chAfterX)
	if _, err := os.Stat(e.scratch()); !os.IsNotExist(err) {
		t.Fatalf("the scratch dir is still there: %v", err)
	}

	d.wantStep("Step 4: Asks")
	d.keys("enter")
	d.waitText("Parameters")
	d.typ("v9")
	d.keys("enter")
	d.waitChainEnd(e)
	wantStarted(t, e, chWipe, chAfterX, chValue, chThen)
	if got := e.Run().Commands[chValue]; got == nil || got.Status != checklist.OK {
		t.Fatalf("the parameter's command: %+v", got)
	}
}

// esc while a chain's command runs stops the chain after it (the command
// is not cancelled); esc again goes back as ever.
func TestChainEscStopsAfterTheRunningOne(t *testing.T) {
	e, _ := openChainSession(t)
	d := newDriver(t, e, 120, 40)
	d.m.open(findStep(e.Runbook(), "deploy/step-5-slow"))
	d.keys("enter")
	d.waitText("running 1 of 2 in Step 5 · esc stops after this one")
	d.waitText("esc stop after this") // the key line, once it started
	d.keys("esc")
	v := d.waitText("stops after this one")
	if d.m.proc == nil {
		t.Fatalf("esc left the procedure while the chain ran:\n%s", v)
	}
	d.waitChainEnd(e)
	v = d.view()
	wantStarted(t, e, chSlow)
	if got := e.Run().Commands[chSlow]; got == nil || got.Status != checklist.OK {
		t.Fatalf("the running command did not end as it would have: %+v", got)
	}
	if !strings.Contains(v, "stopped as asked: 1 command still to do in Step 5") {
		t.Errorf("the stop is not said:\n%s", v)
	}
	d.keys("esc")
	if d.m.proc != nil {
		t.Fatalf("esc with no chain did not go back:\n%s", d.view())
	}
}

// space ticks a check and moves to the next one not ticked; after the
// last, to the step's heading when its commands are still to do. ] past
// the last thing to do goes on to the next procedure; [ comes back.
func TestSpaceTicksAndMovesOn(t *testing.T) {
	e, _ := openChainSession(t)
	d := newDriver(t, e, 120, 40)
	verify := e.Runbook().SectionByTitle("Verify")
	d.m.open(target{sec: verify, step: -1})
	d.waitText("First look")
	if r, _ := d.m.proc.selected(); r.kind != rowCheck || r.check.Text != "First look" {
		t.Fatalf("Verify does not open on its first check:\n%s", d.view())
	}
	d.keys("space")
	if r, _ := d.m.proc.selected(); r.kind != rowCheck || r.check.Text != "Second look" {
		t.Fatalf("space did not move to the next check:\n%s", d.view())
	}
	d.keys("space")
	d.wantStep("Checks")
	d.waitFor("both ticked", func(string) bool {
		run := e.Run()
		return len(run.Checks) == 2 && run.Checks["verify/checks/first-look"] != nil && run.Checks["verify/checks/first-look"].Done
	})
	d.keys("enter")
	d.waitChainEnd(e)
	wantStarted(t, e, "verify/checks/verify-it")

	// back to Deploy: [ from Verify's start goes to its last thing to do
	d.m.proc.sel = 0
	d.keys("[")
	if d.m.proc.sec.Title != "Deploy" {
		t.Fatalf("[ did not go back to Deploy:\n%s", d.view())
	}
	d.wantSelected(chNext)
	d.m.proc.Select(target{cmdID: chNext})
	d.keys("]")
	v := d.waitText("nothing left to do after this in Deploy")
	if d.m.proc.sec.Title != "Deploy" {
		t.Fatalf("] went past a procedure with nothing left:\n%s", v)
	}
}

// ] at the end of a procedure a link opened goes back to where the link
// was, at the next thing to do there.
func TestNextPendingReturnsFromALink(t *testing.T) {
	e := newEngine(t)
	d := newDriver(t, e, 120, 40)
	d.m.open(findStep(e.Runbook(), "deploy/step-4-run-database-migrations"))
	d.keys("enter") // the link: Rollback Procedure
	d.waitText("› Rollback Procedure")
	d.wantStep("Step 1: Stop Current Services")
	d.keys("enter")
	d.waitChainEnd(e)
	d.keys("]")
	d.waitText("back to Deploy, where Rollback Procedure was opened from")
	d.wantStep("Step 5: Edit Env")
}

// A command of a chain that ends while the operator reads a dialog of
// their own (help) does not put the next one's dialog over it: the chain
// goes on when it closes.
func TestChainWaitsForTheOperatorsDialog(t *testing.T) {
	e, _ := openChainSession(t)
	d := newDriver(t, e, 120, 40)
	d.m.open(findStep(e.Runbook(), "deploy/step-5-slow"))
	d.keys("enter")
	d.waitText("esc stop after this")
	d.keys("?")
	d.waitFor("Slow to end", func(string) bool {
		cr := e.Run().Commands[chSlow]
		return cr != nil && cr.Status == checklist.OK && d.m.c.active == nil
	})
	if _, ok := d.m.dlg.(*helpDialog); !ok {
		t.Fatalf("the help went away as the chain went on:\n%s", d.view())
	}
	wantStarted(t, e, chSlow)
	d.keys("x") // any other key closes the help
	d.waitChainEnd(e)
	wantStarted(t, e, chSlow, chNext)
}
