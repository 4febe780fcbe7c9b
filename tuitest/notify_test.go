package tuitest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// The screen delivers its notifications itself while it is open: opening
// it starts a run (run.started), and a failing command reaches a receiver
// on 127.0.0.1 as command.failed, in that order.
func TestNotificationsFromTheScreen(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("X-Planner-Event"))
		mu.Unlock()
	}))
	defer rcv.Close()
	events := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(got)
	}
	s := startEnv(t, []string{"PLANNER_NOTIFY_URL=" + rcv.URL, "PLANNER_NOTIFY_FORMAT=slack"})
	s.openCommand("Fail with three", "echo about-to-fail; exit 3")
	s.Keys("Enter")
	s.WaitText("│about-to-fail", "exit 3")
	for deadline := time.Now().Add(waitTimeout); len(events()) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %q, want run.started and command.failed", events())
		}
	}
	if e := events(); !slices.Equal(e, []string{"run.started", "command.failed"}) {
		t.Errorf("the receiver got %q", e)
	}
}
