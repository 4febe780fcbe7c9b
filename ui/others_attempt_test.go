package ui

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// A command this screen ran, run again later by another process (a
// headless `planner-tui run`), is "ran elsewhere" again: the screen says
// so, shows that run's log, and asks before running it once more. (This
// screen's session lets the lock go first, as it does when it closes: while
// it holds the lock no other process can run anything.)
func TestRunAgainElsewhereAfterRunningHere(t *testing.T) {
	e := newEngine(t).(*realEngine)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go e.s.Watch(ctx)
	d := newDriver(t, e, 120, 32)
	openCmd(d, e, idHello)
	d.keys("enter")
	d.waitText("✓ Say hello: ok")
	d.waitIdle(e)
	if err := e.s.Close(); err != nil { // the lock goes
		t.Fatal(err)
	}

	other, err := session.Open(context.Background(), sessionOptions(filepath.Dir(filepath.Dir(e.scratchDir))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	p, err := other.Plan(idHello, nil)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := other.Start(context.Background(), p, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := ex.Wait()
	if err != nil || cr.Attempt != 2 {
		t.Fatalf("headless run: %+v %v", cr, err)
	}
	d.waitText("Say hello ran elsewhere")
	d.m.proc.Select(target{cmdID: idHello})
	d.waitFor("the other run's log in the pane", func(string) bool {
		return d.m.proc.log.buf != nil && d.m.proc.log.buf == d.m.c.tails[cr.Log]
	})
	if err := other.Close(); err != nil { // the headless run exits
		t.Fatal(err)
	}
	d.waitFor("the lock to go", func(string) bool {
		sn := d.m.c.snapshot
		return sn != nil && sn.Holder == nil
	})
	d.keys("enter")
	v := d.waitText("Run again?")
	if !strings.Contains(v, "already ran outside this screen") {
		t.Fatalf("the question does not say why:\n%s", v)
	}
	d.keys("n")
	d.waitText("not run again")
	if got := other.Run().Commands[idHello]; got.Attempt != 2 {
		t.Fatalf("ran again without asking: %+v", got)
	}
}

// The result this screen holds for a command the engine has not recorded
// yet (an interactive one) answers only for its own job and attempt: a
// later attempt another process runs (Ended still zero) shows as running,
// not as the older ✓.
func TestStatusPrefersNewerAttemptElsewhere(t *testing.T) {
	t0 := time.Now()
	mineOK := checklist.CommandRun{Status: checklist.OK, JobID: "interactive", Attempt: 1, Started: t0, Ended: t0.Add(time.Second)}
	tests := []struct {
		name   string
		record *checklist.CommandRun
		want   checklist.Status
	}{
		{"not recorded at all", nil, checklist.OK},
		{"recording under way", &checklist.CommandRun{Status: checklist.Running, JobID: "interactive", Attempt: 1, Started: t0}, checklist.OK},
		{"recorded as failed", &checklist.CommandRun{Status: checklist.Failed, JobID: "interactive", Attempt: 1, Started: t0, Ended: t0.Add(time.Second)}, checklist.Failed},
		{"running again elsewhere", &checklist.CommandRun{Status: checklist.Running, JobID: "job-2", Attempt: 2, Started: t0.Add(time.Minute)}, checklist.Running},
		{"ran again elsewhere, earlier clock", &checklist.CommandRun{Status: checklist.Failed, JobID: "job-2", Attempt: 2, Started: t0, Ended: t0}, checklist.Failed},
	}
	for _, tt := range tests {
		m := newModel(newTestEngine(t), Options{NoColor: true})
		c := m.c
		const id = "deploy/step-5-edit-env/update-env"
		c.results[id] = mineOK
		c.mine[id] = keyOf(mineOK)
		if tt.record != nil {
			c.run.Commands = map[string]*checklist.CommandRun{id: tt.record}
		}
		if got := c.status(id).Status; got != tt.want {
			t.Errorf("%s: status %s, want %s", tt.name, got, tt.want)
		}
	}
}
