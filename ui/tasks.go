package ui

import (
	"context"
	"sync"
)

// tasks owns the lifetime of the stream the screen follows (a container's
// log on the stack pane), after lazydocker's TaskManager: starting a new
// one stops the previous and waits for it to end before the new one runs,
// so two streams never write at once, and a stopped one writes nothing
// more (its writes go through task.do, refused from the moment Start or
// Stop is called). Neither blocks the caller (Update): the wait for the
// previous stream's end happens in a goroutine, and a start superseded
// while it waited never runs.
type tasks struct {
	// handover serialises the hand-over from one task to the next (held
	// while the previous one ends); last is the task started last.
	handover sync.Mutex
	last     *task

	mu  sync.Mutex // seq and cur: held briefly, never while waiting
	seq uint64     // the newest Start or Stop
	cur *task      // the task that may write now (nil: none)
}

// task is one stream under way.
type task struct {
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	stopped bool
}

// do runs f (a write of the stream's output) unless the task was stopped:
// once it is, nothing the task does reaches the screen.
func (t *task) do(f func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	f()
	return true
}

// refuse stops the task's writes and cancels it, without waiting.
func (t *task) refuse() {
	t.mu.Lock()
	t.stopped = true
	t.mu.Unlock()
	t.cancel()
}

// Start stops the current task, waits for it to end and runs f in a new
// goroutine with a context that ends at Stop, at the next Start or with
// parent. f writes through the task it is given (task.do).
func (ts *tasks) Start(parent context.Context, f func(ctx context.Context, t *task)) {
	ts.mu.Lock()
	ts.seq++
	id := ts.seq
	if ts.cur != nil {
		ts.cur.refuse()
		ts.cur = nil
	}
	ts.mu.Unlock()
	go func() {
		ts.handover.Lock()
		defer ts.handover.Unlock()
		if ts.last != nil {
			<-ts.last.done // refused and cancelled: wait for its end
		}
		ctx, cancel := context.WithCancel(parent)
		t := &task{cancel: cancel, done: make(chan struct{})}
		ts.mu.Lock()
		if id != ts.seq {
			// a newer Start or a Stop came while this one waited
			ts.mu.Unlock()
			cancel()
			return
		}
		ts.cur = t
		ts.mu.Unlock()
		ts.last = t
		go func() {
			defer close(t.done)
			defer cancel()
			f(ctx, t)
		}()
	}()
}

// Stop stops the current task (and any start not yet run) without
// waiting for its end: its writes are refused from now on.
func (ts *tasks) Stop() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.seq++
	if ts.cur != nil {
		ts.cur.refuse()
		ts.cur = nil
	}
}
