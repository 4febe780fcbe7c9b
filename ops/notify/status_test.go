package notify

import (
	"testing"
	"time"
)

// QueueStatus counts the queued events and says why the newest failed
// attempt failed; an empty or missing queue is none.
func TestQueueStatus(t *testing.T) {
	item := func(id, lastErr string) Item {
		return Item{EventID: id, Event: "run.started", Hook: Hook{Name: "chat", URLEnv: "CHAT_URL"}, Body: "{}", Queued: time.Now(), LastError: lastErr}
	}
	tests := []struct {
		name    string
		items   []Item
		n       int
		lastErr string
	}{
		{"no queue", nil, 0, ""},
		{"on their way", []Item{item("01", ""), item("02", "")}, 2, ""},
		{"receiver down", []Item{item("01", "hook chat (CHAT_URL): dial: connection refused"), item("02", "hook chat (CHAT_URL): HTTP 503 Service Unavailable"), item("03", "")}, 3, "hook chat (CHAT_URL): HTTP 503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			q := newQueue(dir)
			for _, it := range tt.items {
				if err := q.put(it); err != nil {
					t.Fatal(err)
				}
			}
			n, lastErr, err := QueueStatus(dir)
			if err != nil || n != tt.n || lastErr != tt.lastErr {
				t.Fatalf("QueueStatus = %d, %q, %v; want %d, %q", n, lastErr, err, tt.n, tt.lastErr)
			}
		})
	}
}
