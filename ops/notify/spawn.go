package notify

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

// EnvDeliver, set to a state dir, makes this binary a detached deliverer
// (main checks IsDeliverer first, as it does for the step supervisor).
const EnvDeliver = "PLANNER_TUI_NOTIFY_DELIVER"

// IsDeliverer says whether this process was started by Spawn.
func IsDeliverer() bool { return os.Getenv(EnvDeliver) != "" }

// DelivererMain delivers the queue of $PLANNER_TUI_NOTIFY_DELIVER until it
// is empty (or SIGTERM), and returns the exit code.
func DelivererMain() int {
	dir := os.Getenv(EnvDeliver)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	if err := Deliver(ctx, dir, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "planner-tui: notify:", err)
		return 1
	}
	return 0
}

// Deliver delivers the state dir's queue until it is empty (or ctx ends),
// unless another deliverer holds the queue: `planner-tui notify deliver`.
func Deliver(ctx context.Context, stateDir string, getenv func(string) string) error {
	st, err := SettingsFromEnv(getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "planner-tui: notify:", err)
	}
	d := &Deliverer{StateDir: stateDir, Settings: st, Getenv: getenv}
	return d.Run(ctx, true)
}

// Spawn starts a detached deliverer for the state dir: this binary
// re-executed in a session of its own, with no terminal, so that it
// outlives a headless command and a lost SSH session. It returns once the
// process started (a few milliseconds); it never waits for delivery.
func Spawn(stateDir string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("notify: start a deliverer: %w", err)
	}
	if stateDir, err = filepath.Abs(stateDir); err != nil { // it runs in /
		return fmt.Errorf("notify: start a deliverer: %w", err)
	}
	c := exec.Command(exe)
	c.Env = append(os.Environ(), EnvDeliver+"="+stateDir)
	c.Dir = "/"
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		return fmt.Errorf("notify: start a deliverer: %w", err)
	}
	go c.Wait() // reaped if it ends while we live
	return nil
}

// Pending says whether the state dir has events waiting.
func Pending(stateDir string) bool {
	items, err := newQueue(stateDir).list()
	return err == nil && len(items) > 0
}

// Queued are the events waiting in the state dir, in the order they will
// be tried.
func Queued(stateDir string) ([]Item, error) { return newQueue(stateDir).list() }

// QueueStatus says how many events wait in the state dir's queue and why
// the newest one that failed an attempt failed ("" while none has failed:
// they are only on their way). A screen shows it while the receiver is
// down.
func QueueStatus(stateDir string) (n int, lastErr string, err error) {
	items, err := newQueue(stateDir).list()
	if err != nil {
		return 0, "", err
	}
	for _, it := range items {
		if it.LastError != "" {
			lastErr = it.LastError
		}
	}
	return len(items), lastErr, nil
}
