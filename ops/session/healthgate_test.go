package session

import (
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/checklist"
)

const (
	idGateUp   = "standard-deployment-procedure/step-6-deploy-new-version/start-new-containers"
	idGateDB   = "standard-deployment-procedure/step-6-deploy-new-version/start-the-database-only"
	idGateBack = "rollback-procedure/step-4-restart/start-services"
)

// closedPort is a loopback port nothing listens on.
func closedLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// openGate opens a session on testdata/gate.md with the gate on, the app's
// /health answering code, and docker unreachable (a closed loopback port):
// the gate's verdict then rests on /health, or is unknown.
func openGate(t *testing.T, code int, window string) (*fixture, *Session) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"version":"1.2.3"}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("DOCKER_HOST", "tcp://"+closedLoopback(t))
	t.Setenv("DOCKER_CONTEXT", "")
	t.Setenv(checklist.EnvHealthGate, window)
	f := newFixture(t)
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "gate.md"))
	if err != nil {
		t.Fatal(err)
	}
	f.runbook = rb
	o := f.options()
	o.HealthGate = true
	o.Sets["BASE_URL"] = srv.URL
	s, err := Open(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return f, s
}

func gateOf(s *Session) *checklist.HealthGate {
	if d := s.Snapshot().Run.Deployment; d != nil {
		return d.Gate
	}
	return nil
}

func TestHealthGateAfterUp(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		want   checklist.GateResult
		reason string
	}{
		{"the app answers 500", 500, checklist.GateFailed, "app: /health 500"},
		// /health 200 but docker unreachable: it cannot tell, never passed
		{"docker unreachable", 200, checklist.GateUnknown, "the containers could not be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, s := openGate(t, tc.code, "300ms")
			run(t, s, idGateUp, nil, "yes")
			g := gateOf(s)
			if g == nil || g.After != idGateUp {
				t.Fatalf("no gate after %s: %+v", idGateUp, g)
			}
			waitFor(t, "the gate's result", 10*time.Second, func() bool { g := gateOf(s); return g.Result != checklist.GateRunning })
			g = gateOf(s)
			if g.Result != tc.want || !strings.Contains(g.Reason, tc.reason) || g.Window != 300*time.Millisecond {
				t.Errorf("gate %+v, want %s with %q", g, tc.want, tc.reason)
			}
			s.Close()
			var results []string
			for _, r := range auditEvents(t, f.state) {
				if r.Event == "deploy.gate" {
					results = append(results, r.Artifacts["result"])
				}
			}
			if strings.Join(results, ",") != "running,"+string(tc.want) {
				t.Errorf("deploy.gate audit records: %v, want running then %s", results, tc.want)
			}
			// it survives a restart
			if g := gateOf(f.open(t)); g == nil || g.Result != tc.want || g.Window != 300*time.Millisecond {
				t.Errorf("gate after a restart: %+v", g)
			}
		})
	}
}

// No gate after an up of another service, after the rollback's up, or
// with the gate off; quitting while it watches records unknown.
func TestHealthGateWhenNot(t *testing.T) {
	_, s := openGate(t, 200, "off")
	run(t, s, idGateUp, nil, "yes")
	if g := gateOf(s); g != nil {
		t.Errorf("gate off, yet %+v", g)
	}

	_, s = openGate(t, 200, "1m")
	run(t, s, idGateDB, nil, "yes")
	run(t, s, idGateBack, nil, "yes")
	if g := gateOf(s); g != nil {
		t.Errorf("a gate after up of db only, or the rollback's up: %+v", g)
	}

	f, s := openGate(t, 200, "1m")
	run(t, s, idGateUp, nil, "yes")
	if g := gateOf(s); g == nil || g.Result != checklist.GateRunning {
		t.Fatalf("gate %+v, want running", g)
	}
	s.Close()
	g := gateOf(f.open(t))
	if g == nil || g.Result != checklist.GateUnknown || !strings.Contains(g.Reason, "stopped watching") {
		t.Errorf("gate after Close during the window: %+v, want unknown, stopped watching", g)
	}
}
