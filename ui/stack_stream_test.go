package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"planner-tui/ops/docker"
	"planner-tui/ops/monitor"
)

// followsMonitor streams a line per call of out for each container, and
// keeps delivering after its context ended (a follow that had lines
// buffered), counting how many Logs run at once.
type followsMonitor struct {
	snaps         chan monitor.Snapshot
	running, most atomic.Int64
}

func (f *followsMonitor) Snapshots() <-chan monitor.Snapshot { return f.snaps }
func (f *followsMonitor) Refresh()                           {}
func (f *followsMonitor) Restart(context.Context, string) error {
	return nil
}

func (f *followsMonitor) Logs(ctx context.Context, id string, _ int, out func(monitor.LogLine)) error {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
	}
	out(monitor.LogLine{Text: "line from " + id})
	<-ctx.Done()
	for range 100 {
		out(monitor.LogLine{Text: "late line from " + id})
	}
	return ctx.Err()
}

// Moving the stack pane's selection to another container stops the
// previous container's log before the next one's starts: never two
// follows at once, and the lines the stopped one still delivers reach no
// buffer.
func TestStackSwitchStopsThePreviousLog(t *testing.T) {
	mon := &followsMonitor{snaps: make(chan monitor.Snapshot)}
	d := newDriverOpts(t, newEngine(t), 100, 30, monOpts(mon))
	snap := monitor.Snapshot{Project: "p", DockerKnown: true, Containers: []docker.Container{
		{ID: "aaa", Name: "p-web-1", Service: "web", State: "running"},
		{ID: "bbb", Name: "p-db-1", Service: "db", State: "running"},
	}}
	d.send(snapMsg{snap})
	d.keys("s")
	d.waitText("line from aaa")
	st := d.m.page.(*Stack)
	first := st.cl.buf
	d.keys("j")
	d.waitText("line from bbb")
	d.keys("k")
	d.waitText("line from aaa")
	d.keys("esc") // closing the pane stops the last one
	if d.m.page != nil {
		t.Fatal("esc did not close the stack pane")
	}
	d.m.c.streams.Stop()
	d.m.c.streams.waitIdle()
	if n := mon.most.Load(); n != 1 {
		t.Fatalf("%d container logs were followed at once", n)
	}
	total, _ := first.Stats()
	lines, _ := first.Lines(0, total)
	if len(lines) == 0 {
		t.Fatal("the first follow wrote nothing")
	}
	for _, l := range lines {
		if strings.Contains(l, "late line") {
			t.Fatalf("a stopped follow wrote %q", l)
		}
	}
}
