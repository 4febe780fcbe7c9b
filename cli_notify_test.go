package main

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/notify"
	"planner-tui/ops/session"
)

const (
	hookSecret = "hook-S3cret-zz9q"
	idMark     = "deployment-procedure/release/mark-the-release"
	idWipeRel  = "deployment-procedure/release/wipe-the-scratch-dir"
	idLook     = "verification/look/look-at-the-release"
	idKey      = "diagnostics/key/show-the-key-and-fail"
	idBack     = "rollback-procedure/back/note-the-rollback"
)

// hooked is a webhook receiver on 127.0.0.1 that keeps what it got.
type hooked struct {
	Path, Event, Sig string
	Body             []byte
}

type hookReceiver struct {
	mu  sync.Mutex
	got []hooked
	srv *http.Server
	URL string
}

// newHookReceiver serves on ln (127.0.0.1:0 when nil).
func newHookReceiver(t *testing.T, ln net.Listener) *hookReceiver {
	t.Helper()
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
	}
	r := &hookReceiver{URL: "http://" + ln.Addr().String()}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hooked{Path: req.URL.Path, Event: req.Header.Get("X-Planner-Event"), Sig: req.Header.Get(notify.SignatureHeader), Body: b})
		r.mu.Unlock()
	})}
	go r.srv.Serve(ln)
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *hookReceiver) events(path string) []hooked {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hooked
	for _, h := range r.got {
		if h.Path == path {
			out = append(out, h)
		}
	}
	return out
}

func names(hs []hooked) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Event)
	}
	return out
}

// notifyEnv is TestCLIInProcess's clean environment, plus a stack that is
// not there (the deployment record's reads fail at once) and quick
// retries.
func notifyEnv(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("NO_COLOR", "1")
	for _, k := range []string{"PLANNER_DIR", "BASE_URL", "BACKUP_DIR", "DB_HOST", "DB_PORT", "DB_USER", "DB_NAME",
		"COMPOSE_FILES", "COMPOSE_PROJECT_NAME", session.EnvVars, session.EnvConfirmed, session.EnvJobDir,
		notify.EnvURL, "NOTIFY_TEST_URL", "NOTIFY_TEST_SLACK_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("NOTIFY_TEST_SECRET", hookSecret)
	t.Setenv(notify.EnvBackoff, "100ms")
	t.Setenv(notify.EnvRetries, "100")
	t.Setenv(notify.EnvTimeout, "2s")
}

// notifyStack is testdata/notify.md's planner dir (a .env with a secret)
// and state dir.
func notifyStack(t *testing.T) func(args ...string) []string {
	rb, err := filepath.Abs(filepath.Join("testdata", "notify.md"))
	if err != nil {
		t.Fatal(err)
	}
	planner, state, marks := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(planner, ".env"), []byte(secretEnv+"="+secretText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { delivererGone(t, state) })
	return func(args ...string) []string {
		return append([]string{"--runbook", rb, "--dir", planner, "--state-dir", state, "--set", "MARK_DIR=" + marks}, args...)
	}
}

// delivererGone waits until the queue is empty and no deliverer holds it
// (the detached ones exit when it is empty): none outlives the test.
func delivererGone(t *testing.T, state string) {
	t.Helper()
	waitFor(t, "the detached deliverer to finish", 30*time.Second, func() bool {
		if notify.Pending(state) {
			return false
		}
		f, err := os.OpenFile(filepath.Join(state, "notify", "deliver.lock"), os.O_RDWR, 0)
		if errors.Is(err, os.ErrNotExist) {
			return true
		}
		if err != nil {
			return false
		}
		defer f.Close()
		return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
	})
}

func mustRun(t *testing.T, code int, args ...string) result {
	t.Helper()
	r := inProcess(t, "", args...)
	if r.code != code {
		t.Fatalf("%q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, code, r.stdout, r.stderr)
	}
	return r
}

// A headless run sends its events to a receiver on 127.0.0.1, in order,
// signed, in both shapes, each with its audit record; no secret is in any
// payload (the .env's, printed by a failing command, nor the hook's).
func TestNotifyHeadlessRun(t *testing.T) {
	notifyEnv(t)
	rcv := newHookReceiver(t, nil)
	t.Setenv("NOTIFY_TEST_URL", rcv.URL+"/generic")
	t.Setenv("NOTIFY_TEST_SLACK_URL", rcv.URL+"/slack")
	args := notifyStack(t)

	mustRun(t, 0, args("run", idMark, "--yes")...)
	mustRun(t, 0, args("run", idWipeRel, "--confirm", "wipe-scratch")...)
	r := mustRun(t, 3, args("run", idKey)...)
	if strings.Contains(r.stdout, secretText) || !strings.Contains(r.stdout, secretEnv+"=***") {
		t.Fatalf("the command's output is not masked: %q", r.stdout)
	}
	mustRun(t, 0, args("run", idBack)...)
	mustRun(t, 0, args("run", idLook)...)

	want := []string{"run.started", "deployment.started", "destructive.confirmed", "command.failed", "rollback.started", "run.finished"}
	waitFor(t, "the events", 30*time.Second, func() bool {
		return len(rcv.events("/generic")) >= len(want) && len(rcv.events("/slack")) >= 2
	})
	gen, slack := rcv.events("/generic"), rcv.events("/slack")
	if got := names(gen); !slices.Equal(got, want) {
		t.Errorf("generic events %q, want %q", got, want)
	}
	if got := names(slack); !slices.Equal(got, []string{"command.failed", "run.finished"}) {
		t.Errorf("slack events %q", got)
	}
	recs, err := audit.Read(filepath.Join(args()[5], "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range append(gen, slack...) {
		if !notify.Verify([]byte(hookSecret), h.Body, h.Sig) {
			t.Errorf("%s %s: bad signature %q", h.Path, h.Event, h.Sig)
		}
		for _, secret := range []string{secretText, hookSecret} {
			if strings.Contains(string(h.Body), secret) {
				t.Errorf("%s %s: the payload holds a secret: %s", h.Path, h.Event, h.Body)
			}
		}
		if !json.Valid(h.Body) {
			t.Errorf("%s %s: not JSON: %s", h.Path, h.Event, h.Body)
		}
	}
	for _, h := range gen {
		var ev notify.Event
		if err := json.Unmarshal(h.Body, &ev); err != nil {
			t.Fatal(err)
		}
		// Its audit counterpart: the record it was derived from.
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Event == ev.Audit.Event && r.RunID == ev.RunID }) {
			t.Errorf("%s: no %s record of run %s in the audit log", ev.Event, ev.Audit.Event, ev.RunID)
		}
		switch ev.Event {
		case "command.failed":
			if ev.ExitCode == nil || *ev.ExitCode != 3 || !slices.Contains(ev.Output, secretEnv+"=***") {
				t.Errorf("command.failed: %s", h.Body)
			}
		case "destructive.confirmed":
			if ev.Confirmation != "wipe-scratch" || ev.Title != "Wipe the scratch dir" {
				t.Errorf("destructive.confirmed: %s", h.Body)
			}
		case "run.finished":
			// The rollback ran before the last check: the run finished
			// when the rollback was recorded.
			if ev.Deployment == nil || !strings.Contains(ev.Deployment.Statement, "rolled back") || ev.Audit.Event != "deploy.rolled-back" {
				t.Errorf("run.finished without the deployment record: %s", h.Body)
			}
		}
	}
	var msg map[string]any
	if err := json.Unmarshal(slack[0].Body, &msg); err != nil || !strings.HasPrefix(msg["text"].(string), `command.failed: "Show the key and fail" failed`) || msg["blocks"] == nil {
		t.Errorf("slack message: %s (%v)", slack[0].Body, err)
	}
}

// blackhole accepts connections and never answers: a receiver that is
// down behind a firewall, the worst case for a sender that waits.
func blackhole(t *testing.T) (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}
}

// A receiver that is down does not slow a step: the same failing command
// (each run makes a command.failed event) takes about as long with the
// receiver hanging as with it answering, far less than one delivery
// attempt's timeout; and the receiver gets the queued events when it is
// back.
func TestNotifyReceiverDownDoesNotSlowAStep(t *testing.T) {
	notifyEnv(t)
	args := notifyStack(t)
	const runs = 5
	timeStep := func() time.Duration {
		start := time.Now()
		mustRun(t, 3, args("run", idKey)...)
		return time.Since(start)
	}
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}

	up := newHookReceiver(t, nil)
	t.Setenv("NOTIFY_TEST_URL", up.URL+"/generic")
	var withUp []time.Duration
	for range runs {
		withUp = append(withUp, timeStep())
	}
	waitFor(t, "the events with the receiver up", 30*time.Second, func() bool { return len(up.events("/generic")) == runs+1 })
	delivererGone(t, args()[5])

	addr, stop := blackhole(t)
	t.Setenv("NOTIFY_TEST_URL", "http://"+addr+"/generic")
	var withDown []time.Duration
	for range runs {
		withDown = append(withDown, timeStep())
	}
	if !notify.Pending(args()[5]) {
		t.Fatal("nothing queued while the receiver was down")
	}
	// `notify queue` says what waits, without the payloads.
	r := mustRun(t, 0, args("notify", "queue", "--json")...)
	var items []notify.Item
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) == 0 || items[0].Event != "command.failed" || items[0].Body != "" || items[0].Hook.URLEnv != "NOTIFY_TEST_URL" {
		t.Errorf("notify queue --json (%v):\n%s", err, r.stdout)
	}
	if r := mustRun(t, 0, args("notify", "queue")...); !strings.Contains(r.stdout, "command.failed") || strings.Contains(r.stdout, addr) {
		t.Errorf("notify queue:\n%s", r.stdout)
	}
	mu, md := median(withUp), median(withDown)
	t.Logf("step duration (median of %d): receiver up %s, receiver down (hanging, 2s attempt timeout) %s; all up %v, all down %v", runs, mu, md, withUp, withDown)
	if diff := md - mu; diff > 500*time.Millisecond {
		t.Errorf("a step took %s longer with the receiver down (timeout 2s)", diff)
	}

	// The receiver comes back on the same address.
	stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	back := newHookReceiver(t, ln)
	waitFor(t, "the queued events after the receiver came back", 60*time.Second, func() bool { return len(back.events("/generic")) >= runs })
	if got := names(back.events("/generic")); !slices.Equal(got, slices.Repeat([]string{"command.failed"}, runs)) {
		t.Errorf("after the receiver came back: %q", got)
	}
}

// `audit verify` finds a tampered line by its number; tail and --json read
// the log without jq.
func TestAuditCLI(t *testing.T) {
	notifyEnv(t)
	args := notifyStack(t)
	mustRun(t, 0, args("run", idBack)...)
	mustRun(t, 0, args("run", idBack)...)
	state := args()[5]
	r := mustRun(t, 0, args("audit", "verify")...)
	if !strings.Contains(r.stdout, "5 lines, the hash chain holds") {
		t.Errorf("verify: %q", r.stdout)
	}
	r = mustRun(t, 0, args("audit", "tail", "-n", "2")...)
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "run.end") || !strings.Contains(lines[1], idBack+"  ok, exit 0") {
		t.Errorf("tail -n 2:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args("audit", "--json")...)
	var lines []audit.Line
	if err := json.Unmarshal([]byte(r.stdout), &lines); err != nil || len(lines) != 5 || lines[0].N != 1 || lines[0].Event != "run.new" {
		t.Errorf("audit --json (%v):\n%s", err, r.stdout)
	}

	path := filepath.Join(state, "audit.jsonl")
	// A crash in the middle of a write leaves half a line; the next run's
	// record chains over it: a warning naming the line, not a break.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-12-02T20:00:00Z","event":"run.st`)
	f.Close()
	mustRun(t, 0, args("run", idBack)...)
	r = mustRun(t, 3, args("audit", "verify")...)
	if !strings.Contains(r.stdout, "the hash chain holds") || !strings.Contains(r.stderr, "line 6: a write cut short by a crash") {
		t.Errorf("verify with a torn line 6:\n%s\n%s", r.stdout, r.stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Line 3 (the first run.end) says exit 0 → 1: the chain breaks at line 4.
	ls := strings.SplitAfter(string(b), "\n")
	if !strings.Contains(ls[2], `"exit_code":0`) {
		t.Fatalf("line 3 is not the run.end: %s", ls[2])
	}
	ls[2] = strings.Replace(ls[2], `"exit_code":0`, `"exit_code":1`, 1)
	if err := os.WriteFile(path, []byte(strings.Join(ls, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, 1, args("audit", "verify")...)
	if !strings.Contains(r.stderr, "line 4: prev hash does not match line 3") {
		t.Errorf("verify of the tampered log: %q", r.stderr)
	}
	r = mustRun(t, 1, args("audit", "verify", "--json")...)
	var rep audit.VerifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.OK || rep.Bad != 4 {
		t.Errorf("verify --json: %+v (%v)", rep, err)
	}
}
