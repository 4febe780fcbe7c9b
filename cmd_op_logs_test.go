package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker/dockertest"
)

// op logs-scan of a service whose container has stopped is a warning (exit
// 3) that says so, not a clean bill of health from old logs; a running one
// with clean logs is ok.
func TestOpLogsScanStoppedServiceIsAWarning(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-logs-%d", time.Now().UnixNano()%1e6)
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "app", Script: "echo started; echo all good"})
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "worker", StopTimeout: 1, Script: "echo started; exec sleep 600"})
	dockertest.Eventually(t, 30*time.Second, "app exited", func() (bool, string) {
		ct, err := c.ServiceContainer(t.Context(), project, "app")
		return err == nil && ct.State == "exited", fmt.Sprintf("%+v %v", ct, err)
	})
	s := newStack(t)
	scan := func(service string) result {
		return cli(t, s.args("--set", "COMPOSE_PROJECT_NAME="+project, "op", "logs-scan", service)...)
	}

	r := scan("app")
	if r.code != 3 {
		t.Errorf("logs-scan of an exited service: exit %d, want 3 (warning)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "is exited (exit code 0)") || !strings.Contains(r.stderr, "not running") {
		t.Errorf("logs-scan of an exited service does not say it is not running:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "0 errors, 0 warnings") {
		t.Errorf("the logs are still scanned and counted:\n%s", r.stdout)
	}

	if r := scan("worker"); r.code != 0 {
		t.Errorf("logs-scan of a running service with clean logs: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
}
