package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/internal/tmuxtest"
	"planner-tui/ops/lock"
	"planner-tui/ops/session"
)

// watchTimeout bounds every wait for a screen or a file; a passing test
// never waits for it.
const watchTimeout = 20 * time.Second

// watchAs opens `planner-tui watch --state-dir STATE` as u in a w×h tmux
// window.
func (b *approvalsBed) watchAs(t *testing.T, u unixUser, name string, w, h int) *tmuxtest.Screen {
	t.Helper()
	return tmuxtest.Start(t, tmuxtest.Options{
		Dir: b.dir, Name: name, Width: w, Height: h,
		Prefix: []string{"runuser", "-u", u.name, "--"},
		Env: []string{"HOME=" + b.dir, "LANG=C.UTF-8", "NO_COLOR=1", "PATH=/usr/local/bin:/usr/bin:/bin",
			"XDG_STATE_HOME=" + filepath.Join(b.dir, "nowhere")},
		// q, not a hangup: runuser does not pass the terminal's SIGHUP on
		// to planner-tui
		QuitKeys:     []string{"Escape", "q"},
		RemainOnExit: true,
		Timeout:      watchTimeout,
	}, b.bin, "watch", "--state-dir", b.state)
}

// keepScreen writes the screen to $WATCH_CAPTURES/name (the user guide's
// captures come from here), when set.
func keepScreen(s *tmuxtest.Screen, name string) {
	if dir := os.Getenv("WATCH_CAPTURES"); dir != "" {
		os.WriteFile(filepath.Join(dir, name), []byte(s.Capture()), 0o644)
	}
}

// waitUntil polls cond (a file the other process writes) until it holds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(watchTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", watchTimeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Two real Unix users and two processes: the operator runs a command
// headless, in a shared state dir (group-readable, as the user guide
// says); the other engineer watches it under tmux: the output streams,
// who drives is named, every key that would act is refused and changes
// nothing, the lock stays the operator's, the operator sees the watcher,
// and a request for approval is approved from the watcher's screen. The
// operator watching their own run cannot approve their own request.
func TestWatchTwoUsers(t *testing.T) {
	op, wa := twoUsers(t)
	tmuxtest.Need(t)
	b := newApprovalsBed(t, op)
	rb, err := os.ReadFile(filepath.Join("testdata", "watch.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "watch.md"), rb, 0o644); err != nil {
		t.Fatal(err)
	}
	// a private state dir: the watcher is told which file and what to do
	if err := os.Chmod(b.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if r := b.as(t, wa, "watch", "--state-dir", b.state); r.code == 0 || !strings.Contains(r.stderr, "cannot read "+b.state) || !strings.Contains(r.stderr, "shared state dir") {
		t.Fatalf("watch of a private state dir: exit %d, want an error naming it and the shared state dir\n%s", r.code, r.stderr)
	}
	// the shared state dir: the operator's, group users (both users' group, useradd -N), 2750
	u, err := user.Lookup(op.name)
	if err != nil {
		t.Fatal(err)
	}
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(b.state, -1, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(b.state, os.ModeSetgid|0o750); err != nil {
		t.Fatal(err)
	}
	feed := filepath.Join(b.dir, "feed")
	if err := syscall.Mkfifo(feed, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(feed, mustUID(t, op), -1); err != nil {
		t.Fatal(err)
	}
	b.mkScratch(t, op, "x", "y")
	opArgs := func(args ...string) []string {
		return append([]string{"--runbook", filepath.Join(b.dir, "watch.md"), "--dir", b.dir, "--state-dir", b.state,
			"--set", "SCRATCH=" + b.scratch, "--set", "FEED=" + feed}, args...)
	}

	// a watcher before any run: a clear error naming the state dir
	if r := b.as(t, wa, "watch", "--state-dir", b.state); r.code == 0 || !strings.Contains(r.stderr, "no run to watch in "+b.state) {
		t.Fatalf("watch before any run: exit %d, want an error naming the state dir\n%s", r.code, r.stderr)
	}

	// The operator's headless run of the streaming command: it holds the
	// operator lock until the test closes the feed.
	c := exec.Command("runuser", append([]string{"-u", op.name, "--", b.bin}, opArgs("run", "stream/feed/stream-the-feed")...)...)
	c.Dir = b.dir
	c.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + b.dir, "NO_COLOR=1", "XDG_STATE_HOME=" + filepath.Join(b.dir, "nowhere")}
	var opOut strings.Builder
	c.Stdout, c.Stderr = &opOut, &opOut
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	var fifo *os.File
	t.Cleanup(func() {
		if fifo != nil {
			fifo.Close()
		}
		if !waited {
			c.Process.Kill()
			c.Wait()
		}
	})
	lockPath := filepath.Join(b.state, "lock")
	holder := func() (lock.Holder, bool) { return lock.Named(lockPath) }
	waitUntil(t, "the operator's run to take the lock", func() bool { h, ok := holder(); return ok && h.User == op.name })
	opHolder, _ := holder()
	opened := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(feed, os.O_WRONLY, 0) // until the command reads it
		if err == nil {
			opened <- f
		}
	}()
	select {
	case fifo = <-opened:
	case <-time.After(watchTimeout):
		t.Fatalf("the command never opened the feed\n%s", opOut.String())
	}

	s := b.watchAs(t, wa, "watcher", 120, 40)
	s.WaitText("WATCHING · read-only · driven by "+op.name+"@", "Watch test runbook")
	s.Keys("g")
	s.WaitText("Stream")
	s.Keys("Enter") // the sections pane: Stream, the first
	s.WaitText("Stream the feed")
	s.Keys("Down") // its command: the output pane follows it
	s.WaitText("running in another process")
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(fifo, "line-%d\n", i)
		s.WaitText(fmt.Sprintf("got line-%d", i))
	}
	keepScreen(s, "watch-120x40.txt")

	// every key that would act is refused, naming who drives
	drives := "watching: read-only — " + op.name + "@"
	for _, k := range []string{"Enter", "x", "n"} {
		s.Keys(k)
		s.WaitText(drives)
		s.Keys("Escape")
		s.WaitText("WATCHING")
	}
	jobs, _ := filepath.Glob(filepath.Join(b.state, "runs", "*", "jobs", "*"))
	if len(jobs) != 1 {
		t.Errorf("%d jobs after the watcher's keys, want the operator's 1", len(jobs))
	}
	if h, ok := holder(); !ok || h.PID != opHolder.PID || h.User != op.name {
		t.Errorf("the lock is held by %+v, want the operator's %+v", h, opHolder)
	}

	// the operator sees who watches
	var st statusReport
	waitUntil(t, "status --json to list the watcher", func() bool {
		r := b.as(t, op, opArgs("status", "--json")...)
		return json.Unmarshal([]byte(r.stdout), &st) == nil && len(st.Watchers) == 1 && st.Watchers[0].User == wa.name
	})
	if audit, err := os.ReadFile(filepath.Join(b.state, "audit.jsonl")); err != nil || strings.Contains(string(audit), wa.name) {
		t.Errorf("the audit log names the watcher (or cannot be read: %v)", err)
	}

	// what the watcher reads is group-readable; the audit log is not
	runDirs, _ := filepath.Glob(filepath.Join(b.state, "runs", "*"))
	if len(runDirs) != 1 {
		t.Fatalf("runs: %v", runDirs)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(runDirs[0], "state.json"):         0o640,
		filepath.Join(b.state, "current.json"):          0o640,
		filepath.Join(b.state, "lock"):                  0o640,
		filepath.Join(jobs[0], "output.log"):            0o640,
		filepath.Join(b.state, "audit.jsonl"):           0o600,
		filepath.Join(b.state, session.WatchersDirName): os.ModeDir | os.ModeSticky | 0o777,
	} {
		if fi, err := os.Stat(path); err != nil {
			t.Error(err)
		} else if fi.Mode() != want {
			t.Errorf("%s is %v, want %v", path, fi.Mode(), want)
		}
	}

	fifo.Close()
	fifo = nil
	if err := c.Wait(); err != nil {
		t.Fatalf("the operator's run: %v\n%s", err, opOut.String())
	}
	waited = true
	s.WaitText("WATCHING · read-only · nobody drives")

	// approve from the watcher's screen
	id, _ := b.awaitingIn(t, op, opArgs, "x", "old copy")
	s.WaitText("approval " + id + " awaits a decision: a")
	s.Keys("a")
	s.WaitText("rm -rf", "destructive", "old copy", op.name+"@")
	s.Type("checked, go")
	s.Keys("Enter")
	s.WaitText("y approve · r reject")
	s.Keys("y")
	s.WaitText(id + ": approved by you")
	ast, err := session.LoadApproval(b.state, id)
	if err != nil || ast.State != session.ApprovalApproved || len(ast.Decisions) != 1 || ast.Decisions[0].Approver.User != wa.name || ast.Decisions[0].Note != "checked, go" {
		t.Fatalf("request %s after the watcher approved: %+v %v", id, ast, err)
	}

	// the operator watching their own run cannot approve their own request
	id2, _ := b.awaitingIn(t, op, opArgs, "y", "")
	o := b.watchAs(t, op, "self", 80, 24)
	o.WaitText("WATCHING · read-only", "approval "+id2)
	// many watchers at once: both are listed, and named on the screens
	waitUntil(t, "status --json to list both watchers", func() bool {
		r := b.as(t, op, opArgs("status", "--json")...)
		return json.Unmarshal([]byte(r.stdout), &st) == nil && len(st.Watchers) == 2
	})
	s.WaitText("👁 2 watching: ")
	o.Keys("a")
	o.WaitText("Approve request " + id2)
	keepScreen(o, "approve-80x24.txt")
	o.Keys("Enter")
	o.WaitText("y approve")
	o.Keys("y")
	o.WaitText("not approved:")
	if ast, err := session.LoadApproval(b.state, id2); err != nil || ast.State != session.ApprovalPending {
		t.Fatalf("request %s after a self-approval from watch: %+v %v, want pending", id2, ast, err)
	}
}

func mustUID(t *testing.T, u unixUser) int {
	t.Helper()
	uu, err := user.Lookup(u.name)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(uu.Uid)
	return n
}

// awaitingIn runs the wipe of name as the operator with args and wants it
// refused with "awaiting approval ID"; it returns the id.
func (b *approvalsBed) awaitingIn(t *testing.T, op unixUser, args func(...string) []string, name, note string) (string, result) {
	t.Helper()
	r := b.as(t, op, args("run", idWipeScratch, "--param", "name="+name, "--confirm", filepath.Join(b.scratch, name), "--note", note, "--json")...)
	var out runOutcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != exitAwaitingApproval || len(out.Approval) != 6 {
		t.Fatalf("run %s: exit %d %+v %v, want 75 awaiting approval\n%s", name, r.code, out, err, r.stderr)
	}
	return out.Approval, r
}
