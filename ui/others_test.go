package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/session"
)

// The tail of a command running elsewhere is read at most once a second:
// a read's answer refreshes the screen, which must not ask for the next
// read at once (a busy loop of file reads).
func TestFollowTailAsksAtMostOnceASecond(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	c := m.c
	c.now = time.Now()
	reads := func() int {
		n := 0
		for _, p := range c.pending {
			if _, ok := p.(tailReqMsg); ok {
				n++
			}
		}
		c.pending = nil
		return n
	}
	c.followTail("/x/output.log")
	if n := reads(); n != 1 {
		t.Fatalf("first look: %d reads, want 1", n)
	}
	c.followTail("/x/output.log")
	if n := reads(); n != 0 {
		t.Fatalf("while the read is under way: %d reads, want 0", n)
	}
	delete(c.tailBusy, "/x/output.log") // its answer came back
	c.followTail("/x/output.log")
	if n := reads(); n != 0 {
		t.Fatalf("right after the answer: %d reads, want 0", n)
	}
	c.now = c.now.Add(time.Second)
	c.followTail("/x/output.log")
	if n := reads(); n != 1 {
		t.Fatalf("a second later: %d reads, want 1", n)
	}
}

// `planner-tui runs new` in another process while the screen is open: the
// screen switches to the new current run (the watcher follows it) and says
// so, instead of showing the run that process ended.
func TestScreenFollowsARunMadeCurrentElsewhere(t *testing.T) {
	e := newEngine(t).(*realEngine)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.s.Watch(ctx)
	d := newDriver(t, e, 120, 30)
	first := e.s.Snapshot().Run.ID
	d.waitText("run " + first)

	other, err := session.Open(context.Background(), sessionOptions(filepath.Dir(filepath.Dir(e.scratchDir))))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.NewRun("the night shift"); err != nil {
		t.Fatal(err)
	}
	second := other.Snapshot().Run.ID
	v := d.waitText("run " + second)
	if !strings.Contains(v, "now showing run "+second) {
		t.Errorf("the switch is not said on screen:\n%s", v)
	}
	if strings.Contains(v, "run "+first+" ") {
		t.Errorf("the old run is still shown:\n%s", v)
	}
}
