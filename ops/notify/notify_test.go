package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

const testRunbook = `---
title: Notify unit runbook
summary: Checklist
rollback: Rollback Procedure
---

# Notify unit runbook

## Checklist

### Deployment
- [ ] [Deploy](#deployment-procedure)

### If Issues Occur
- [ ] [Roll back](#rollback-procedure)

## Deployment Procedure

### Stop and start

` + "```bash" + `
# Stop the stack
docker compose stop
` + "```" + `

` + "```bash" + `
# Wait for it
planner-tui op wait-healthy
` + "```" + `

## Rollback Procedure

### Go back

` + "```bash" + `
# Check out the old version
git checkout v1
` + "```" + `
`

func parse(t *testing.T) *checklist.Runbook {
	t.Helper()
	rb, _, err := checklist.Parse("unit.md", []byte(testRunbook))
	if err != nil {
		t.Fatal(err)
	}
	return rb
}

// Which audit records make which events, and what the run finishing
// carries: the versions and the outage window from the deployment record.
func TestDerive(t *testing.T) {
	rb := parse(t)
	stop, wait, back := "deployment-procedure/stop-and-start/stop-the-stack", "deployment-procedure/stop-and-start/wait-for-it", "rollback-procedure/go-back/check-out-the-old-version"
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	run := &checklist.Run{ID: "r1", Commands: map[string]*checklist.CommandRun{
		stop: {Status: checklist.OK, Started: t0, Ended: t0.Add(2 * time.Second)},
		wait: {Status: checklist.Failed, Started: t0.Add(5 * time.Second), Ended: t0.Add(65 * time.Second)},
	}, Deployment: &checklist.DeploymentRecord{From: &checklist.StackState{AppVersion: "1.2.2"}, To: &checklist.StackState{AppVersion: "1.2.3"}}}
	seen := map[string]bool{}
	d := &deriver{rb: rb, run: func(string) *checklist.Run { return run },
		outputTail: func(string, string) []string { return []string{"last line"} },
		once: func(r, e string) bool {
			if seen[r+e] {
				return false
			}
			seen[r+e] = true
			return true
		}}
	three := 3
	tests := []struct {
		name string
		rec  audit.Record
		want []string
		// wait is the status the wait command has in the run by then.
		wait checklist.Status
	}{
		{"a new run", audit.Record{Event: "run.new", RunID: "r1"}, []string{"run.started"}, ""},
		{"the deployment's from", audit.Record{Event: "deploy.from", RunID: "r1", Artifacts: map[string]string{"app_version": "1.2.2"}}, []string{"deployment.started"}, ""},
		{"a change confirmed with yes", audit.Record{Event: "confirm", Confirmation: "yes"}, nil, ""},
		{"a phrase typed", audit.Record{Event: "confirm", CommandID: stop, Confirmation: "testproj", Message: "the stack's containers"}, []string{"destructive.confirmed"}, ""},
		{"a failure", audit.Record{Event: "run.end", RunID: "r1", CommandID: wait, JobID: "j1", Outcome: "failed", ExitCode: &three}, []string{"command.failed"}, ""},
		{"a cancel is no failure", audit.Record{Event: "run.end", RunID: "r1", CommandID: wait, Outcome: "canceled"}, nil, ""},
		{"a gate that starts", audit.Record{Event: "deploy.gate", Artifacts: map[string]string{"result": "running"}}, nil, ""},
		{"a gate that passed", audit.Record{Event: "deploy.gate", Artifacts: map[string]string{"result": "passed"}}, nil, ""},
		{"a gate that could not tell", audit.Record{Event: "deploy.gate", Artifacts: map[string]string{"result": "unknown"}}, nil, ""},
		{"a gate that failed", audit.Record{Event: "deploy.gate", Message: "health gate failed: app: /health 503", Artifacts: map[string]string{"result": "failed", "reason": "app: /health 503"}}, []string{"gate.failed"}, ""},
		{"approvals", audit.Record{Event: "approval.requested", CommandID: stop}, []string{"approval.requested"}, ""},
		{"the rollback's first command", audit.Record{Event: "run.start", RunID: "r1", CommandID: back}, []string{"rollback.started"}, ""},
		{"and its second: once a run", audit.Record{Event: "run.start", RunID: "r1", CommandID: back}, nil, ""},
		{"a deploy command's start", audit.Record{Event: "run.start", RunID: "r1", CommandID: stop}, nil, ""},
		{"the end that completes the checklist", audit.Record{Event: "run.end", RunID: "r1", CommandID: wait, Outcome: "ok"}, []string{"run.finished"}, checklist.OK},
		{"finished once", audit.Record{Event: "check", RunID: "r1"}, nil, checklist.OK},
	}
	var all []Event
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wait != "" {
				run.Commands[wait].Status = tt.wait
			}
			evs := d.derive(tt.rec)
			var names []string
			for _, e := range evs {
				names = append(names, e.Event)
				if e.Audit.Event != tt.rec.Event {
					t.Errorf("%s derived from %s says audit %s", e.Event, tt.rec.Event, e.Audit.Event)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("events %q, want %q", names, tt.want)
			}
			all = append(all, evs...)
		})
	}
	fin := all[len(all)-1]
	if fin.Event != "run.finished" || fin.Deployment == nil || fin.Deployment.From != "1.2.2" || fin.Deployment.To != "1.2.3" ||
		len(fin.Deployment.Outages) != 1 || fin.Deployment.Outages[0].Duration != "1m5s" {
		t.Errorf("run.finished %+v deployment %+v", fin, fin.Deployment)
	}
	if !strings.Contains(fin.Summary, "deployed 1.2.2 → 1.2.3") {
		t.Errorf("summary %q", fin.Summary)
	}
}

// A Slack payload is text plus blocks with fields; both shapes pass every
// string through the mask.
func TestBodies(t *testing.T) {
	code := 1
	ev := maskEvent(Event{Event: "command.failed", Summary: `"Migrate" failed (exit 1)`, Title: "Migrate", RunID: "r1", Outcome: "failed", ExitCode: &code,
		Reason: "password=hunter22 in the log", Output: []string{"connecting with hunter22"}}, func(s string) string { return strings.ReplaceAll(s, "hunter22", "***") })
	for _, format := range []string{"generic", "slack"} {
		b, err := Body(format, ev)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "hunter22") {
			t.Errorf("%s body has the secret: %s", format, b)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if format == "slack" {
			if m["text"] != `command.failed: "Migrate" failed (exit 1)` || !strings.Contains(string(b), `"fields":[`) || !strings.Contains(string(b), `*Outcome*\nfailed, exit 1`) {
				t.Errorf("slack body %s", b)
			}
		} else if m["event"] != "command.failed" || m["run_id"] != "r1" {
			t.Errorf("generic body %s", b)
		}
	}
}

// receiver is a webhook on 127.0.0.1 that answers with the status its
// status func gives (200 when nil) and keeps the bodies it accepted.
type receiver struct {
	mu     sync.Mutex
	bodies []string
	status func() int
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		st := 200
		if r.status != nil {
			st = r.status()
		}
		if st == 200 {
			r.mu.Lock()
			r.bodies = append(r.bodies, string(b))
			r.mu.Unlock()
		}
		w.WriteHeader(st)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bodies)
}

// The deliverer posts in order, retries a failing hook with backoff
// without skipping ahead, and drops an event after the last attempt with
// a notify.dropped audit record.
func TestDeliverRetriesInOrderAndDrops(t *testing.T) {
	dir := t.TempDir()
	q := newQueue(dir)
	r := newReceiver(t)
	fails := 2
	var mu sync.Mutex
	r.status = func() int {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			return 503
		}
		return 200
	}
	env := map[string]string{"U": r.srv.URL, "DEAD": "http://127.0.0.1:1/T0/secret-path"}
	getenv := func(k string) string { return env[k] }
	for i, name := range []string{"a", "b", "c"} {
		if err := q.put(Item{EventID: "0" + string(rune('1'+i)), Event: name, Hook: Hook{Name: "h", URLEnv: "U"}, Body: `{"n":"` + name + `"}`}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.put(Item{EventID: "04", Event: "lost", RunID: "r1", Hook: Hook{Name: "dead", URLEnv: "DEAD"}, Body: `{}`}); err != nil {
		t.Fatal(err)
	}
	var recs []audit.Record
	d := &Deliverer{StateDir: dir, Getenv: getenv, Settings: Settings{Retries: 3, Backoff: 20 * time.Millisecond, Timeout: time.Second},
		Audit: func(rec audit.Record) error { recs = append(recs, rec); return nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Run(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := r.got(); !slices.Equal(got, []string{`{"n":"a"}`, `{"n":"b"}`, `{"n":"c"}`}) {
		t.Errorf("received %q", got)
	}
	if len(recs) != 1 || recs[0].Event != "notify.dropped" || recs[0].RunID != "r1" || !strings.Contains(recs[0].Message, "after 3 attempt(s)") {
		t.Errorf("audit records %+v", recs)
	}
	if strings.Contains(recs[0].Message, "secret-path") {
		t.Errorf("the dropped record names the URL: %s", recs[0].Message)
	}
	if Pending(dir) {
		t.Error("queue not empty")
	}
	if _, err := os.Stat(filepath.Join(dir, "notify", "queue")); err != nil {
		t.Error(err)
	}
}

// Backoff doubles, capped at 32 times the first wait.
func TestBackoff(t *testing.T) {
	s := Settings{Backoff: time.Second}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 6: 32 * time.Second, 20: 32 * time.Second} {
		if got := s.backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// The TUI's deliverer runs for the screen's life: a kick after an item is
// queued gets it posted at once, and it stops with its context.
func TestDelivererGoroutineIsKicked(t *testing.T) {
	dir := t.TempDir()
	r := newReceiver(t)
	kick := make(chan struct{}, 1)
	d := &Deliverer{StateDir: dir, Getenv: func(string) string { return r.srv.URL }, Kick: kick,
		Settings: Settings{Retries: 3, Backoff: time.Second, Timeout: time.Second}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, false) }()
	if err := newQueue(dir).put(Item{EventID: "01", Event: "run.started", Hook: Hook{Name: "h", URLEnv: "U"}, Body: `{}`}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	kick <- struct{}{}
	for len(r.got()) == 0 {
		if time.Since(start) > 10*time.Second {
			t.Fatal("not delivered")
		}
		time.Sleep(5 * time.Millisecond) // polling the receiver: the condition is the wait
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// A second deliverer finds the queue taken while one runs, and
	// returns at once when asked to deliver until empty.
	f, err := newQueue(dir).tryLock()
	if err != nil || f == nil {
		t.Fatalf("lock not released: %v", err)
	}
	defer f.Close()
	if err := (&Deliverer{StateDir: dir, Getenv: func(string) string { return "" }}).Run(context.Background(), true); err != nil {
		t.Fatal(err)
	}
}

// A run that rolled back finishes when the rollback's summary items are
// done and the rollback is recorded, though its deployment failed.
func TestRolledBackRunFinishes(t *testing.T) {
	rb := parse(t)
	wait, back := "deployment-procedure/stop-and-start/wait-for-it", "rollback-procedure/go-back/check-out-the-old-version"
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	run := &checklist.Run{ID: "r1", Commands: map[string]*checklist.CommandRun{
		wait: {Status: checklist.Failed, Started: t0, Ended: t0.Add(time.Second)},
		back: {Status: checklist.OK, Started: t0.Add(time.Minute), Ended: t0.Add(2 * time.Minute)},
	}, Deployment: &checklist.DeploymentRecord{From: &checklist.StackState{AppVersion: "1.2.2"}, To: &checklist.StackState{AppVersion: "1.2.3"}}}
	d := &deriver{rb: rb, run: func(string) *checklist.Run { return run }}
	if evs := d.derive(audit.Record{Event: "run.end", RunID: "r1", CommandID: back, Outcome: "ok"}); len(evs) != 0 {
		t.Errorf("before the rollback is recorded: %+v", evs)
	}
	run.Deployment.RolledBack = &checklist.Rollback{At: t0.Add(2 * time.Minute), State: &checklist.StackState{AppVersion: "1.2.2"}}
	evs := d.derive(audit.Record{Event: "deploy.rolled-back", RunID: "r1"})
	if len(evs) != 1 || evs[0].Event != "run.finished" || evs[0].Deployment.RolledBackTo != "1.2.2" {
		t.Fatalf("after the rollback is recorded: %+v", evs)
	}
}

// A bad tunable is named, and its default used.
func TestSettingsFromEnv(t *testing.T) {
	env := map[string]string{EnvRetries: "zero", EnvBackoff: "250ms", EnvTimeout: "soon"}
	s, err := SettingsFromEnv(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), `PLANNER_NOTIFY_RETRIES="zero"`) || !strings.Contains(err.Error(), `PLANNER_NOTIFY_TIMEOUT="soon"`) {
		t.Errorf("error %v", err)
	}
	if s != (Settings{Retries: 8, Backoff: 250 * time.Millisecond, Timeout: 10 * time.Second}) {
		t.Errorf("settings %+v", s)
	}
}
