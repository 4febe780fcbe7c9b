package ui

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
	"planner-tui/ops/docker"
	"planner-tui/ops/monitor"
	"planner-tui/ops/session"
)

// After the deployment's compose up ends ok the real session watches the
// app: the banner row says it is watching, then that the gate failed and
// why; R opens the Rollback Procedure. The app answers /health 500 (an
// httptest server on loopback) and docker is a closed loopback port; the
// window is short through PLANNER_TUI_HEALTH_GATE, not a sleep.
func TestHealthGateBannerOffersTheRollback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+closed)
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv(checklist.EnvHealthGate, "2s")
	tmp := t.TempDir()
	rb, err := filepath.Abs(filepath.Join("..", "testdata", "gate.md"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.Open(context.Background(), session.Options{
		RunbookPath: rb, Dir: tmp, StateDir: tmp + "/state", HealthGate: true,
		Sets: map[string]string{"BASE_URL": srv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e := engineBackend{s}
	d := newDriver(t, e, 120, 30)
	openCmd(d, e, "standard-deployment-procedure/step-6-deploy-new-version/start-new-containers")
	d.keys("enter")
	d.waitText("(y/N)")
	d.keys("y")
	// the gate starts when the command's end is recorded; the /health 500
	// fails it at its first reading, so "watching" may be gone already
	v := d.waitFor("the failed gate's banner", func(v string) bool {
		return strings.Contains(v, "✗ Health gate failed: app: /health 500 — R: roll back")
	})
	if strings.Contains(v, "health gate passed") {
		t.Fatalf("a failed gate shown as passed:\n%s", v)
	}
	d.keys("R")
	v = d.waitText("Rollback Procedure")
	if d.m.proc == nil || d.m.proc.sec.Title != "Rollback Procedure" {
		t.Fatalf("R did not open the Rollback Procedure:\n%s", v)
	}
}

// The running gate's row counts the window; the status bar shows the app's
// version and /health answer.
func TestGateRowAndAppStatus(t *testing.T) {
	c := &Context{styles: NewStyles(true, true), now: time.Date(2026, 12, 2, 6, 0, 23, 0, time.UTC)}
	g := &checklist.HealthGate{Result: checklist.GateRunning, Started: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)}
	g.SetWindow(time.Minute)
	c.run.Deployment = &checklist.DeploymentRecord{Gate: g}
	if got := c.banner(); !strings.Contains(got, "◷ health gate: watching (0:23 of 1:00)") {
		t.Errorf("running gate row: %q", got)
	}
	g.Result, g.Reason = checklist.GatePassed, "app 1.2.3 /health 200"
	if got := c.banner(); got != "" {
		t.Errorf("a passed gate keeps the row: %q", got)
	}
	g.Result, g.Reason = checklist.GateFailed, "app exited (exit 1)"
	c.run.Deployment.RolledBack = &checklist.Rollback{At: c.now}
	if got := c.banner(); got != "" {
		t.Errorf("the row after the rollback: %q", got)
	}

	up := docker.Container{Service: "app", State: "running", Health: "healthy"}
	tests := []struct {
		app  monitor.AppHealth
		want string
	}{
		{monitor.AppHealth{URL: "http://127.0.0.1:1/health", Known: true, Status: 200, Version: "1.2.3"}, "app 1.2.3 /health 200"},
		{monitor.AppHealth{URL: "http://127.0.0.1:1/health", Known: true, Status: 503, Version: "1.2.3"}, "app 1.2.3 /health 503"},
		{monitor.AppHealth{URL: "http://127.0.0.1:1/health", Known: true, Err: "connection refused"}, "app /health ✗ connection refused"},
		{monitor.AppHealth{URL: "http://127.0.0.1:1/health"}, "app /health …"},
		{monitor.AppHealth{}, "app /health ? (no BASE_URL)"},
	}
	for _, tc := range tests {
		line := ansi.Strip(c.statusLine(monitor.Snapshot{DockerKnown: true, Containers: []docker.Container{up}, App: tc.app}, 0))
		if !strings.Contains(line, tc.want) {
			t.Errorf("status line %q, want %q", line, tc.want)
		}
	}
}
