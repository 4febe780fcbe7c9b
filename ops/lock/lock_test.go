package lock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childEnv = "PLANNER_LOCK_TEST_CHILD"

// TestMain lets the test binary act as a second process: with childEnv set
// to a lock path, it takes the lock, says "locked <pid>" on stdout and
// holds it until its stdin is closed (or it is killed).
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

func child(path string) int {
	since := time.Date(2026, 11, 27, 11, 34, 2, 0, time.UTC)
	l, err := Acquire(path, Holder{User: "alice", Host: "prod1", Since: since, Purpose: "running deploy"})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	fmt.Println("locked", os.Getpid())
	bufio.NewReader(os.Stdin).ReadString('\n') // wait on the pipe
	if err := l.Release(); err != nil {
		fmt.Println("error", err)
		return 1
	}
	return 0
}

type childProc struct {
	cmd   *exec.Cmd
	stdin interface{ Close() error }
}

// startHolder starts a child process that holds the lock at path, and
// waits until it says it does.
func startHolder(t *testing.T, path string) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if want := fmt.Sprintf("locked %d\n", cmd.Process.Pid); line != want {
		t.Fatalf("child said %q, want %q", line, want)
	}
	return &childProc{cmd: cmd, stdin: stdin}
}

func TestSecondProcessIsRefusedUntilHolderDies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	c := startHolder(t, path)
	pid := c.cmd.Process.Pid

	l, err := Acquire(path, Holder{User: "bob", Host: "prod1"})
	var held *HeldError
	if !errors.As(err, &held) {
		l.Release()
		t.Fatalf("Acquire while another process holds it: %v, want *HeldError", err)
	}
	want := fmt.Sprintf("state dir is in use by alice@prod1 pid %d since 2026-11-27 11:34:02 UTC (running deploy)", pid)
	if err.Error() != want {
		t.Errorf("error = %q\n want %q", err, want)
	}
	if held.Holder.PID != pid || held.Holder.User != "alice" {
		t.Errorf("holder = %+v", held.Holder)
	}

	h, ok, err := Read(path)
	if err != nil || !ok || h.PID != pid || h.Host != "prod1" {
		t.Errorf("Read = %+v, %v, %v; want held by pid %d", h, ok, err, pid)
	}

	// SIGKILL: no chance to clean up. The kernel releases the flock.
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.cmd.Wait()

	if _, ok, err := Read(path); ok || err != nil {
		t.Errorf("Read after holder was killed = held %v, %v; want free", ok, err)
	}
	l, err = Acquire(path, Holder{User: "bob", Host: "prod1", Purpose: "rollback"})
	if err != nil {
		t.Fatalf("Acquire after holder was killed: %v", err)
	}
	defer l.Release()
	h, ok, err = Read(path)
	if err != nil || !ok || h.User != "bob" || h.PID != os.Getpid() || h.Purpose != "rollback" || h.Since.IsZero() {
		t.Errorf("Read = %+v, %v, %v; want held by bob, this pid", h, ok, err)
	}
}

func TestHolderReleasesOnExit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	c := startHolder(t, path)
	c.stdin.Close() // child releases and exits
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if _, ok, err := Read(path); ok || err != nil {
		t.Errorf("Read after release = held %v, %v; want free", ok, err)
	}
	b, _ := os.ReadFile(path)
	if len(b) != 0 {
		t.Errorf("lock file after release still names a holder: %q", b)
	}
	l, err := Acquire(path, Holder{User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
}

func TestSameProcessSecondAcquireRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	if _, ok, err := Read(path); ok || err != nil {
		t.Fatalf("Read of a missing lock file = %v, %v; want free", ok, err)
	}
	l, err := Acquire(path, Holder{User: "alice", Host: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if l.Holder().PID != os.Getpid() {
		t.Errorf("Holder().PID = %d", l.Holder().PID)
	}
	_, err = Acquire(path, Holder{User: "alice", Host: "h"})
	var held *HeldError
	if !errors.As(err, &held) || held.Holder.PID != os.Getpid() {
		t.Fatalf("second Acquire = %v, want *HeldError naming this pid", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	l2, err := Acquire(path, Holder{User: "alice", Host: "h"})
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestAcquireBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "lock")
	_, err := Acquire(path, Holder{})
	var held *HeldError
	if err == nil || errors.As(err, &held) || !strings.Contains(err.Error(), path) {
		t.Errorf("Acquire in a missing dir: %v, want an error naming %s", err, path)
	}
}

func TestHolderString(t *testing.T) {
	since := time.Date(2026, 11, 27, 12, 34, 2, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		h    Holder
		want string
	}{
		{Holder{User: "alice", Host: "prod1", PID: 4242, Since: since, Purpose: "running deploy"},
			"alice@prod1 pid 4242 since 2026-11-27 11:34:02 UTC (running deploy)"},
		{Holder{User: "alice", Host: "prod1", PID: 1, Since: since}, "alice@prod1 pid 1 since 2026-11-27 11:34:02 UTC"},
		{Holder{}, "unknown user"},
	}
	for _, tt := range tests {
		if got := tt.h.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
