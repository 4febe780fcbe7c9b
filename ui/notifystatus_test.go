package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/notify"
)

func TestNotifyWarning(t *testing.T) {
	tests := []struct {
		name    string
		queued  int
		lastErr string
		want    string
	}{
		{"empty queue", 0, "", ""},
		{"on their way", 2, "", ""},
		{"receiver down", 3, `hook chat (CHAT_URL): Post "…": dial tcp 127.0.0.1:9: connect: connection refused`, "⚠ notify: 3 queued (last: connection refused)"},
		{"an HTTP answer", 1, "hook chat (CHAT_URL): HTTP 503 Service Unavailable", "⚠ notify: 1 queued (last: HTTP 503 Service Unavailable)"},
		{"no colon", 1, "CHAT_URL is not set in the deliverer's environment", "⚠ notify: 1 queued (last: CHAT_URL is not set in the deliverer's …)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notifyWarning(tt.queued, tt.lastErr); got != tt.want {
				t.Errorf("notifyWarning(%d, %q) = %q, want %q", tt.queued, tt.lastErr, got, tt.want)
			}
		})
	}
}

// stateDirEngine is the test engine with a state dir, as the real
// session has.
type stateDirEngine struct {
	*testEngine
	dir string
}

func (e stateDirEngine) StateDir() string { return e.dir }

// While an event waits in the queue after a failed attempt the header
// says so; once the queue is empty the warning goes. The screen reads the
// queue on its tick.
func TestHeaderWarnsOfQueuedNotifications(t *testing.T) {
	dir := t.TempDir()
	q := filepath.Join(dir, "notify", "queue")
	if err := os.MkdirAll(q, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(notify.Item{
		EventID: "01", Event: "run.started", Hook: notify.Hook{Name: "chat", URLEnv: "CHAT_URL"}, Body: "{}",
		Queued: time.Now(), Attempts: 2, LastError: "hook chat (CHAT_URL): dial tcp 127.0.0.1:9: connect: connection refused",
	})
	if err != nil {
		t.Fatal(err)
	}
	item := filepath.Join(q, "01.chat.json")
	if err := os.WriteFile(item, b, 0o600); err != nil {
		t.Fatal(err)
	}
	d := newDriver(t, stateDirEngine{newTestEngine(t), dir}, 160, 30)
	d.waitText("⚠ notify: 1 queued (last: connection refused)")
	if err := os.Remove(item); err != nil {
		t.Fatal(err)
	}
	d.waitFor("the warning to go", func(v string) bool { return !strings.Contains(v, "notify:") })
}
