package session

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/lock"
)

// A snapshot is a copy: a later write replaces it (and closes Replaced)
// but never changes what an earlier reader holds.
func TestSnapshotIsReplacedOnWriteAndNeverChanges(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	before := s.Snapshot()
	if before == nil || before.Run == nil || before.Run.ID == "" {
		t.Fatalf("no snapshot after Open: %+v", before)
	}
	if before.Holder != nil {
		t.Errorf("fresh session: Holder = %+v, want nobody", before.Holder)
	}
	if err := s.SetCheck(checkFirst, true); err != nil {
		t.Fatal(err)
	}
	after := s.Snapshot()
	if after.Seq <= before.Seq {
		t.Errorf("Seq %d after a write, was %d", after.Seq, before.Seq)
	}
	if c := after.Run.Checks[checkFirst]; c == nil || !c.Done {
		t.Errorf("the new snapshot lacks the tick: %+v", after.Run.Checks)
	}
	if c := before.Run.Checks[checkFirst]; c != nil {
		t.Errorf("the earlier snapshot changed under its reader: %+v", c)
	}
	select {
	case <-before.Replaced():
	default:
		t.Error("Replaced of the earlier snapshot is not closed")
	}
	if !after.Mine || after.Holder == nil || after.Holder.PID == 0 {
		t.Errorf("after a write this session drives: Mine=%v Holder=%+v", after.Mine, after.Holder)
	}
}

// An idle screen sees what another process does on the same state dir:
// its command's result, that it holds the lock, and when it lets go.
func TestWatchSeesAnotherSessionsWrites(t *testing.T) {
	f := newFixture(t)
	idle := f.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go idle.Watch(ctx)

	other := f.open(t)
	if cr, _ := run(t, other, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("greet in the other session: %+v", cr)
	}
	// The promise: what another process did shows within a
	// second or two (the watcher looks every WatchInterval).
	ended := time.Now()
	waitFor(t, "the other session's result in the idle one's snapshot", 5*time.Second, func() bool {
		cr := idle.Snapshot().Run.Commands[idGreet]
		return cr != nil && cr.Status == checklist.OK
	})
	if took := time.Since(ended); took > 2*time.Second {
		t.Errorf("the other session's result reached the snapshot after %s, want within 2s", took)
	} else {
		t.Logf("the other session's result reached the snapshot after %s", took.Round(time.Millisecond))
	}
	waitFor(t, "the other session as the lock holder", 5*time.Second, func() bool {
		sn := idle.Snapshot()
		return sn.Holder != nil && !sn.Mine
	})
	if p := plan(t, idle, idGreet, nil); !strings.Contains(p.Blocked, "in use by") {
		t.Errorf("Plan while the other session drives: Blocked = %q", p.Blocked)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lock holder to be gone", 5*time.Second, func() bool { return idle.Snapshot().Holder == nil })
	if p := plan(t, idle, idGreet, nil); p.Blocked != "" {
		t.Errorf("Plan after the other session closed: Blocked = %q", p.Blocked)
	}
}

// A screen opened while another process runs a command (a headless run)
// does not take the command over: recording its end is the other
// process's, and the watcher shows it here.
func TestRunningLeavesAnotherProcesssCommandAlone(t *testing.T) {
	f := newFixture(t)
	headless := f.open(t)
	e, err := headless.Start(context.Background(), plan(t, headless, idFifo, nil), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	screen := f.open(t)
	if got := screen.Running(context.Background(), nil); got != nil {
		t.Fatalf("Running attached to %s, which another session runs and holds the lock for", got.CommandID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go screen.Watch(ctx)
	f.release(t, "done")
	if cr, err := e.Wait(); err != nil || cr.Status != checklist.OK {
		t.Fatalf("headless Wait: %+v %v", cr, err)
	}
	waitFor(t, "the end in the screen's snapshot", 5*time.Second, func() bool {
		cr := screen.Snapshot().Run.Commands[idFifo]
		return cr != nil && cr.Status == checklist.OK
	})
}

// The screen plans on every selection move: Plan, Snapshot and every other
// read the screen or the CLI makes must not wait for a write in progress
// (a save's fsync under the run mutex, an audit append's under the log's).
func TestPlanDoesNotWaitForAWrite(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx)
	waitFor(t, "the watcher", 5*time.Second, func() bool { return s.Snapshot().Watched })

	reads := []struct {
		name string
		read func() error
	}{
		{"Plan", func() error { _, err := s.Plan(idGreet, nil); return err }},
		{"Snapshot", func() error { _ = s.Snapshot().Run.Commands[idGreet]; return nil }},
		{"Run", func() error { _ = s.Run(); return nil }},
		{"Vars", func() error { _ = s.Vars(); return nil }},
		{"Mask", func() error { _ = s.Mask(secretValue); return nil }},
		{"EnvWarning", func() error { _ = s.EnvWarning(); return nil }},
		{"Runbook", func() error { _ = s.Runbook(); return nil }},
		{"Target", func() error { _ = s.Target(); return nil }},
		{"AuditErr", func() error { return s.AuditErr() }},
	}
	// a write in progress: the run saved, its audit record being appended
	s.mu.Mutex.Lock()
	s.rec.logMu.Lock()
	defer s.mu.Mutex.Unlock()
	defer s.rec.logMu.Unlock()
	for _, r := range reads {
		done := make(chan error, 1)
		go func() { done <- r.read() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", r.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s waited for a write in progress", r.name)
		}
	}
}

// The screen plans on every selection move: while Watch keeps the
// snapshot's lock holder current, Plan does not open the lock file at all
// (no flock probe that a headless run's Acquire would have to ride out).
// The lock path is made a FIFO, whose open blocks until a writer comes:
// a probe would hang there.
func TestWatchedPlanDoesNotProbeTheLock(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	fifo := filepath.Join(t.TempDir(), "lock")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	planned := func() bool {
		done := make(chan error, 1)
		go func() { _, err := s.Plan(idGreet, nil); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return true
		case <-time.After(2 * time.Second):
			// let the probe's open return, so the goroutine ends
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			<-done
			return false
		}
	}
	// Not watched (the headless CLI): Plan asks the lock file, as it must.
	s.planner.lockPath = fifo
	if planned() {
		t.Fatal("an unwatched Plan did not open the lock file: the test cannot tell a probe")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx)
	waitFor(t, "the watcher", 5*time.Second, func() bool { return s.Snapshot().Watched })
	for range 3 {
		if !planned() {
			t.Fatal("a watched Plan opened the lock file (a flock probe on every selection move)")
		}
	}
}

// A holder killed with -9 leaves its name in the lock file; the watcher
// does not report a process that is gone as driving.
func TestWatcherIgnoresADeadHolder(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	path := filepath.Join(t.TempDir(), "lock")
	for _, tt := range []struct {
		pid  int
		want bool
	}{{dead.Process.Pid, false}, {os.Getpid(), true}} {
		b, _ := json.Marshal(lock.Holder{User: "bob", Host: host, PID: tt.pid})
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := readHolder(path) != nil; got != tt.want {
			t.Errorf("holder pid %d: named = %v, want %v", tt.pid, got, tt.want)
		}
	}
}

// `planner-tui runs new` (or `runs resume`) in another process while a
// screen is open makes another run current: the screen follows it instead
// of showing the run that process ended.
func TestWatchFollowsANewCurrentRun(t *testing.T) {
	f := newFixture(t)
	screen := f.open(t)
	first := screen.Snapshot().Run.ID
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go screen.Watch(ctx)
	waitFor(t, "the watcher", 5*time.Second, func() bool { return screen.Snapshot().Watched })

	headless := f.open(t)
	if err := headless.NewRun("second run"); err != nil {
		t.Fatal(err)
	}
	second := headless.Snapshot().Run.ID
	if second == first {
		t.Fatalf("NewRun kept run %s", first)
	}
	waitFor(t, "the new run in the screen's snapshot", 5*time.Second, func() bool {
		sn := screen.Snapshot()
		return sn.Run.ID == second && sn.Run.Title == "second run"
	})
	if got := screen.Run().ID; got != second {
		t.Errorf("Run() = %s, want %s", got, second)
	}

	if err := headless.Resume(first); err != nil {
		t.Fatal(err)
	}
	if err := headless.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the resumed run in the screen's snapshot", 5*time.Second, func() bool {
		return screen.Snapshot().Run.ID == first
	})
	// the screen can drive the run it shows: its first write takes the
	// lock and reloads that run
	if cr, _ := run(t, screen, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Fatalf("greet after the switch: %+v", cr)
	}
	if got := screen.Run().ID; got != first {
		t.Errorf("after the screen's own run: run %s, want %s", got, first)
	}
}

// envHoldLock makes the test binary a second process that takes the
// operator lock at the path it names, says "locked" and holds it until it
// is killed or its stdin closes.
const envHoldLock = "PLANNER_TUI_TEST_HOLD_LOCK"

func holdLock(path string) int {
	host, _ := os.Hostname()
	l, err := lock.Acquire(path, lock.Holder{User: "bob", Host: host, PID: os.Getpid(), Since: time.Now().UTC(), Purpose: "headless run"})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("locked")
	bufio.NewReader(os.Stdin).ReadString('\n')
	l.Release()
	return 0
}

// A lock holder killed with -9 leaves the lock file unchanged: the
// watcher notices it is gone all the same, so the screen is not blocked
// for ever by a dead process.
func TestWatcherSeesAHolderKilledWithSIGKILL(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	holder := exec.Command(os.Args[0], "-test.run=^$")
	holder.Env = append(os.Environ(), envHoldLock+"="+filepath.Join(f.state, "lock"))
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("the holder said %q (%v)", line, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx)
	waitFor(t, "the watcher to see the holder", 5*time.Second, func() bool {
		return strings.Contains(plan(t, s, idGreet, nil).Blocked, "in use by")
	})
	before, _ := os.ReadFile(filepath.Join(f.state, "lock"))
	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	if after, _ := os.ReadFile(filepath.Join(f.state, "lock")); !bytes.Equal(before, after) {
		t.Fatalf("kill -9 changed the lock file: %q -> %q", before, after)
	}
	waitFor(t, "the watcher to see the holder is gone", 5*time.Second, func() bool {
		return s.Snapshot().Holder == nil
	})
	if p := plan(t, s, idGreet, nil); p.Blocked != "" {
		t.Errorf("blocked after the holder died: %q", p.Blocked)
	}
	if cr, _ := run(t, s, idGreet, nil, ""); cr.Status != checklist.OK {
		t.Errorf("greet after the holder died: %+v", cr)
	}
}
