package ui

import (
	"fmt"
	"strings"
	"testing"
)

// Every action emitted during one Update is handled, in order, before the
// next message: an earlier loop handled 16 and dropped the rest.
func TestEmitHandlesEveryActionInOrder(t *testing.T) {
	d := newDriver(t, newEngine(t), 100, 30)
	const n = 40 // more than the old limit of 16
	for i := range n {
		d.m.c.emit(flashMsg{text: fmt.Sprintf("action %d of %d", i+1, n)})
	}
	// the emitted actions are handled right after the message in hand
	d.send(noteReqMsg{stepID: "s", title: "a step"})
	if len(d.m.c.pending) != 0 {
		t.Fatalf("%d actions left pending", len(d.m.c.pending))
	}
	if want := fmt.Sprintf("action %d of %d", n, n); !strings.Contains(d.view(), want) {
		t.Fatalf("the last action's flash %q is not on screen:\n%s", want, d.view())
	}
}
