package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuf is a buffer Tail writes to while the test reads it.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Tail prints the last records as lines for people or as JSON lines with
// their line numbers, and with Follow the records appended after.
func TestTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path)
	code := 3
	at := time.Date(2026, 12, 2, 10, 4, 5, 0, time.UTC)
	for _, r := range []Record{
		{Time: at, Event: "run.new", RunID: "r1", Actor: Actor{User: "alice", Host: "prod1"}, Message: "runbook.md"},
		{Time: at, Event: "confirm", RunID: "r1", CommandID: "s/wipe", Actor: Actor{User: "alice", Host: "prod1"}, Confirmation: "planner_production"},
		{Time: at, Event: "run.end", RunID: "r1", StepID: "s", CommandID: "s/wipe", Actor: Actor{User: "alice", Host: "prod1"}, ExitCode: &code, DurationMS: 1500, Outcome: "failed", Message: "fail-if matched"},
	} {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		o    TailOptions
		want []string
	}{
		{name: "last two, for people", o: TailOptions{N: 2, Loc: time.UTC}, want: []string{
			`2026-12-02 10:04:05  alice@prod1  confirm        run r1  s/wipe  confirmed "planner_production"`,
			`2026-12-02 10:04:05  alice@prod1  run.end        run r1  s/wipe  failed, exit 3, 1.5s  — fail-if matched`,
		}},
		{name: "all, JSON lines", o: TailOptions{JSON: true}, want: []string{`{"line":1,`, `{"line":2,`, `{"line":3,`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Tail(context.Background(), path, &b, tt.o); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(got), len(tt.want), b.String())
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("line %d:\n got %s\nwant %s", i+1, got[i], w)
				}
			}
		})
	}

	t.Run("follow", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var b syncBuf
		done := make(chan error, 1)
		go func() {
			done <- Tail(ctx, path, &b, TailOptions{N: 1, Follow: true, JSON: true, Poll: 10 * time.Millisecond})
		}()
		until(t, func() bool { return strings.Contains(b.String(), `"line":3`) })
		if err := l.Append(Record{Event: "note", Message: "appended while followed"}); err != nil {
			t.Fatal(err)
		}
		until(t, func() bool { return strings.Contains(b.String(), "appended while followed") })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("followed:\n%s", b.String())
		}
		var last Line
		if err := json.Unmarshal([]byte(lines[1]), &last); err != nil || last.N != 4 || last.Message != "appended while followed" {
			t.Errorf("last %+v (%v)", last, err)
		}
	})
}

// Check names the first line whose chain breaks, with what is wrong.
func TestCheckFindsTheTamperedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	appendN(t, openLog(t, path), 5, "n")
	rep, err := Check(path)
	if err != nil || !rep.OK || rep.Lines != 5 {
		t.Fatalf("intact log: %+v, %v", rep, err)
	}
	b, _ := os.ReadFile(path)
	b = bytes.Replace(b, []byte(`"n2"`), []byte(`"n2 (edited)"`), 1)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = Check(path)
	if err != nil || rep.OK || rep.Bad != 4 || !strings.Contains(rep.Why, "does not match line 3") {
		t.Fatalf("tampered log: %+v, %v", rep, err)
	}
}

// until polls cond (the condition is the wait) for up to 10 s.
func until(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
