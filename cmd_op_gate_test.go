package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// op health-gate exits 0 passed, 1 failed, 3 when it cannot tell, 64 for a
// bad --window. Docker is a closed loopback port here: the verdict rests on
// /health, and a good /health alone is never a pass.
func TestOpHealthGate(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+closed)
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("PLANNER_TUI_HEALTH_GATE", "")
	tests := []struct {
		name   string
		code   int // /health answer
		window string
		exit   int
		stdout string
		stderr string
	}{
		{"5xx fails at once", 500, "300ms", 1, "health gate failed: app: /health 500", ""},
		{"docker unreachable: unknown", 200, "300ms", 3, "health gate: unknown: the containers could not be read", ""},
		{"off", 200, "off", 3, "", "the health gate is off"},
		{"bad window", 200, "soon", 64, "", `--window: health gate window "soon"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(tc.code) }))
			defer srv.Close()
			rb, _ := filepath.Abs(filepath.Join("testdata", "gate.md"))
			r := inProcess(t, "", "--runbook", rb, "--dir", t.TempDir(), "--state-dir", t.TempDir(), "--set", "BASE_URL="+srv.URL,
				"op", "health-gate", "--window", tc.window, "--interval", "20ms")
			if r.code != tc.exit || !strings.Contains(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s\nwant %q / %q", r.code, tc.exit, r.stdout, r.stderr, tc.stdout, tc.stderr)
			}
		})
	}
}

// op health-gate run as a step makes its result the deployment record's
// gate: status says it (text and JSON), and so does the report.
func TestOpHealthGateAsStep(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+closed)
	t.Setenv("DOCKER_CONTEXT", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	rb, _ := filepath.Abs(filepath.Join("testdata", "gate.md"))
	planner, state := t.TempDir(), t.TempDir()
	args := func(a ...string) []string {
		return append([]string{"--runbook", rb, "--dir", planner, "--state-dir", state, "--set", "BASE_URL=" + srv.URL}, a...)
	}
	r := cli(t, args("run", "standard-deployment-procedure/step-7-gate/watch-the-app")...)
	if r.code != 1 || !strings.Contains(r.stdout, "health gate failed: app: /health never answered 2xx in 0:00 (last: /health 503)") {
		t.Fatalf("run the gate step: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	st := cli(t, args("status")...)
	if !strings.Contains(st.stdout, "health gate failed: app: /health never answered 2xx") {
		t.Errorf("status does not say the gate failed:\n%s", st.stdout)
	}
	js := cli(t, args("status", "--json")...)
	var got struct {
		Deployment *struct {
			Gate *struct {
				Result, Reason, After, Line string
				WindowS                     float64 `json:"window_s"`
				HTTPStatus                  int     `json:"http_status"`
			}
		}
	}
	if err := json.Unmarshal([]byte(js.stdout), &got); err != nil {
		t.Fatalf("status --json: %v\n%s", err, js.stdout)
	}
	if got.Deployment == nil || got.Deployment.Gate == nil {
		t.Fatalf("status --json has no deployment.gate:\n%s", js.stdout)
	}
	g := got.Deployment.Gate
	if g.Result != "failed" || g.After != "standard-deployment-procedure/step-7-gate/watch-the-app" || g.WindowS != 0.3 || g.HTTPStatus != 503 || !strings.HasPrefix(g.Line, "health gate failed") {
		t.Errorf("deployment.gate: %+v", g)
	}
	md := cli(t, args("report")...)
	if !strings.Contains(md.stdout, "Health gate failed: app: /health never answered 2xx") {
		t.Errorf("the report does not say the gate failed:\n%s", md.stdout)
	}
}

// run --gate of the deployment's compose up waits for the gate and exits 1
// when it failed; without --gate a headless run does not watch.
func TestRunGate(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	t.Setenv("DOCKER_HOST", "tcp://"+closed)
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv("PLANNER_TUI_HEALTH_GATE", "300ms")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	rb, _ := filepath.Abs(filepath.Join("testdata", "gate.md"))
	planner, state := t.TempDir(), t.TempDir()
	args := func(a ...string) []string {
		return append([]string{"--runbook", rb, "--dir", planner, "--state-dir", state, "--set", "BASE_URL=" + srv.URL}, a...)
	}
	const up = "standard-deployment-procedure/step-6-deploy-new-version/start-new-containers"
	r := inProcess(t, "", args("run", up, "--yes")...)
	if r.code != 0 || strings.Contains(r.stderr, "health gate") {
		t.Fatalf("run without --gate: exit %d\nstderr %s", r.code, r.stderr)
	}
	r = inProcess(t, "", args("run", up, "--yes", "--gate", "--json")...)
	var got struct {
		Exit int
		Gate *struct{ Result, Reason string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("run --json: %v\n%s", err, r.stdout)
	}
	if r.code != 1 || got.Exit != 1 || got.Gate == nil || got.Gate.Result != "failed" || got.Gate.Reason != "app: /health 500" ||
		!strings.Contains(r.stderr, "■ health gate failed: app: /health 500") {
		t.Errorf("run --gate: exit %d %+v\nstdout %s\nstderr %s", r.code, got, r.stdout, r.stderr)
	}
}
