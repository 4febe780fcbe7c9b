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

	tea "charm.land/bubbletea/v2"
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

// Quitting while this screen's health gate watches the app asks first,
// saying how far the gate is and where to check it later: n stays, y
// quits. A watcher's quit leaves the gate alone and does not ask.
func TestQuitAsksWhileTheGateWatches(t *testing.T) {
	e := newTestEngine(t)
	g := &checklist.HealthGate{Result: checklist.GateRunning, Started: time.Now().Add(-23 * time.Second)}
	g.SetWindow(time.Minute)
	e.run.Deployment = &checklist.DeploymentRecord{Gate: g}
	d := newDriver(t, e, 120, 30)
	d.keys("q")
	v := d.waitText("The health gate is watching the app (0:2")
	for _, want := range []string{"of 1:00): quit and it ends", "unknown. Check it later with: planner-tui op health-gate", "Quit? (y/N)", "y: quit · n/esc: stay"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("the quit dialog lacks %q:\n%s", want, v)
		}
	}
	// the clock goes on while the dialog waits
	d.m.c.now = d.m.c.now.Add(10 * time.Second)
	if v := d.view(); !strings.Contains(v, "(0:33 of 1:00)") {
		t.Errorf("10 s later the quit dialog's clock did not move to 0:33:\n%s", v)
	}
	d.keys("n")
	if v := d.view(); d.m.dlg != nil || strings.Contains(v, "Quit planner-tui") || !strings.Contains(v, "not quit: the health gate keeps watching") {
		t.Fatalf("n did not stay:\n%s", d.view())
	}
	for _, k := range []string{"q", "ctrl+c"} {
		var cmd tea.Cmd
		if k == "q" {
			_, cmd = d.m.Update(keyMsg("q"))
		} else {
			_, cmd = d.m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
		}
		if quits(cmd) || d.m.dlg == nil {
			t.Fatalf("%s quit without asking", k)
		}
		_, cmd = d.m.Update(keyMsg("y"))
		if !quits(cmd) {
			t.Fatalf("y after %s did not quit", k)
		}
	}

	w := newDriverOpts(t, e, 120, 30, Options{NoColor: true, Watch: true})
	if _, cmd := w.m.Update(keyMsg("q")); !quits(cmd) {
		t.Fatalf("a watcher's q asked:\n%s", w.view())
	}
}
