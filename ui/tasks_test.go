package ui

import (
	"context"
	"sync/atomic"
	"testing"
)

// waitIdle waits for the task started last to end (after a Stop).
func (ts *tasks) waitIdle() {
	ts.handover.Lock()
	defer ts.handover.Unlock()
	if ts.last != nil {
		<-ts.last.done
	}
}

// Switching streams quickly (the operator holding j on the stack pane)
// never has two running at once: each start waits for the previous to end.
func TestTasksRunOneStreamAtATime(t *testing.T) {
	var ts tasks
	var running, most, ran atomic.Int64
	lastRuns := make(chan struct{})
	for i := range 50 {
		ts.Start(context.Background(), func(ctx context.Context, tk *task) {
			n := running.Add(1)
			defer running.Add(-1)
			ran.Add(1)
			if i == 49 {
				close(lastRuns) // the newest start is never superseded
			}
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			<-ctx.Done()
		})
	}
	<-lastRuns
	ts.Stop()
	ts.waitIdle()
	if most.Load() > 1 {
		t.Fatalf("%d streams ran at once", most.Load())
	}
	if running.Load() != 0 {
		t.Fatalf("%d streams still running after Stop", running.Load())
	}
	if ran.Load() < 1 || ran.Load() > 50 {
		t.Fatalf("%d streams ran", ran.Load())
	}
}

// A stopped stream writes nothing more, even one whose source keeps
// delivering lines after its context ended (a follow that had them
// buffered); the next stream starts only once it has ended.
func TestTasksStoppedStreamWritesNothing(t *testing.T) {
	var ts tasks
	var writes atomic.Int64
	firstEnded := make(chan struct{})
	writing := make(chan struct{})
	ts.Start(context.Background(), func(ctx context.Context, tk *task) {
		defer close(firstEnded)
		tk.do(func() { writes.Add(1) })
		close(writing)
		<-ctx.Done()
		for range 1000 { // lines that come after the cancel
			tk.do(func() { writes.Add(1) })
		}
	})
	<-writing
	second := make(chan bool, 1)
	ts.Start(context.Background(), func(ctx context.Context, tk *task) {
		select {
		case <-firstEnded:
			second <- true
		default:
			second <- false
		}
		tk.do(func() {})
		<-ctx.Done()
	})
	if before := writes.Load(); before != 1 {
		t.Fatalf("%d writes before the switch, want 1", before)
	}
	if !<-second {
		t.Fatal("the second stream started before the first ended")
	}
	if n := writes.Load(); n != 1 {
		t.Fatalf("the stopped stream wrote %d more lines", n-1)
	}
	ts.Stop()
	ts.waitIdle()
}
