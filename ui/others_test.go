package ui

import (
	"testing"
	"time"
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
