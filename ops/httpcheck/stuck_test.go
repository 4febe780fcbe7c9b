package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker/dockertest"
)

// A wait of 5 minutes inside a test context of 60 s: returning with the
// context still alive proves the wait ended at once, not at its timeout.
const (
	longTimeout = 5 * time.Minute
	testBudget  = 60 * time.Second
)

func TestWaitHealthyFailsAtOnceWhenAContainerExits(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-exit-%d", time.Now().UnixNano()%1e6)
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "db", StopTimeout: 1, Script: "exec sleep 600"})
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "app",
		Script: "echo booting; echo 'FATAL: could not connect to the database' >&2; exit 3"})

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	err := WaitHealthy(ctx, c, WaitOptions{Project: project, Timeout: longTimeout, Interval: 200 * time.Millisecond}, nil)
	if ctx.Err() != nil {
		t.Fatalf("the wait did not end at once (still waiting after %s): %v", testBudget, err)
	}
	var stuck *StuckError
	if !errors.As(err, &stuck) {
		t.Fatalf("want a StuckError naming the exited container, got %v", err)
	}
	if stuck.Service != "app" || !strings.HasPrefix(stuck.Container, project+"_app_") || stuck.Reason != "exited with code 3" {
		t.Errorf("stuck = %+v", stuck)
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"service app will not become healthy", "exited with code 3", "FATAL: could not connect to the database", "booting"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
}

// The app has no healthcheck: between crashes it is "running" for a moment,
// which must not count as ready either.
func TestWaitHealthyFailsAtOnceOnARestartLoop(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-loop-%d", time.Now().UnixNano()%1e6)
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "app", Restart: "always",
		Script: "echo 'KeyError: SECRET_KEY'; exit 1"})

	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	err := WaitHealthy(ctx, c, WaitOptions{Project: project, Timeout: longTimeout, Interval: 200 * time.Millisecond}, nil)
	if ctx.Err() != nil {
		t.Fatalf("the wait did not end at once (still waiting after %s): %v", testBudget, err)
	}
	var stuck *StuckError
	if !errors.As(err, &stuck) {
		t.Fatalf("want a StuckError naming the restarting container, got %v", err)
	}
	if stuck.Service != "app" || !strings.Contains(stuck.Reason, "restarting in a loop") || !strings.Contains(stuck.Reason, " restarts in ") {
		t.Errorf("stuck = %+v", stuck)
	}
	t.Log(err)
	if !strings.Contains(err.Error(), "KeyError: SECRET_KEY") {
		t.Errorf("the error does not show the last log lines:\n%s", err)
	}
}

// One crash and a restart that stays up is not a loop: the wait goes on
// and ends healthy.
func TestWaitHealthyToleratesOneRestart(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-once-%d", time.Now().UnixNano()%1e6)
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "app", Restart: "always", StopTimeout: 1,
		Script: "if [ ! -e /tmp/crashed ]; then touch /tmp/crashed; exit 1; fi; exec sleep 600"})
	dockertest.Eventually(t, 30*time.Second, "one restart", func() (bool, string) {
		cs, err := c.Containers(context.Background(), project)
		return err == nil && len(cs) == 1 && cs[0].Restarts == 1 && cs[0].Running(), fmt.Sprintf("%+v %v", cs, err)
	})
	ctx, cancel := context.WithTimeout(context.Background(), testBudget)
	defer cancel()
	if err := WaitHealthy(ctx, c, WaitOptions{Project: project, Timeout: 20 * time.Second, Interval: 200 * time.Millisecond}, nil); err != nil {
		t.Errorf("a container that restarted once and runs: %v", err)
	}
}
