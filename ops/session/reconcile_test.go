package session

import (
	"os"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
)

// A command whose supervisor may still be starting (its job dir just made,
// no pid file: the process that started it was killed there) is not
// waited for under the run mutex: the write that takes the lock returns at
// once, and the command is settled as never started once the start grace
// has passed, in the background.
func TestReconcileDoesNotWaitUnderTheMutex(t *testing.T) {
	f := newFixture(t)
	later := f.open(t) // opened before: its Open saw nothing to settle
	dead := f.open(t)
	a, err := dead.admit(plan(t, dead, idGreet, nil), "", false)
	if err != nil {
		t.Fatal(err)
	}
	// The supervisor's job dir, made just now, and nothing in it: as left
	// by a planner-tui killed while it started the supervisor.
	if err := os.MkdirAll(a.jobDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dead.Close()

	start := time.Now()
	if err := later.SetCheck(checkFirst, true); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("taking the lock waited %v for a supervisor that may still start", d)
	}
	waitFor(t, "the command to be settled as never started", 10*time.Second, func() bool {
		cr := later.Snapshot().Run.Commands[idGreet]
		return cr != nil && cr.Status == checklist.Interrupted
	})
	if cr := later.Run().Commands[idGreet]; !strings.HasPrefix(cr.Error, "never started: ") {
		t.Errorf("settled as %+v, want never started", cr)
	}
	if !hasEvent(auditEvents(t, f.state), "run.end", idGreet) {
		t.Error("no run.end for the command that never started")
	}
	if cr, _ := run(t, later, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Errorf("greet after it was settled: %+v", cr)
	}
}
