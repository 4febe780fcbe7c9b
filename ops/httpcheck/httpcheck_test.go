package httpcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			w.Write([]byte(`{"status":"ok"}`))
		case "/big":
			w.Write([]byte(strings.Repeat("x", MaxBody*3)))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.Error(w, "bad gateway", http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	status, body, err := Get(ctx, srv.URL+"/health", time.Second)
	if err != nil || status != 200 || string(body) != `{"status":"ok"}` {
		t.Errorf("health: %d %q %v", status, body, err)
	}
	status, _, err = Get(ctx, srv.URL+"/x", time.Second)
	if err != nil || status != 502 {
		t.Errorf("an HTTP error status is a result, not an error: %d %v", status, err)
	}
	_, body, err = Get(ctx, srv.URL+"/big", time.Second)
	if err != nil || len(body) != MaxBody {
		t.Errorf("big body: read %d bytes (%v), want the bound %d", len(body), err, MaxBody)
	}
	start := time.Now()
	_, _, err = Get(ctx, srv.URL+"/slow", 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") || time.Since(start) > 2*time.Second {
		t.Errorf("slow: err %v after %s", err, time.Since(start))
	}
	// A closed port: refused, said so.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, _, err = Get(ctx, "http://"+addr+"/health", time.Second)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("closed port: %v", err)
	}
}

func TestServiceState(t *testing.T) {
	now := time.Now()
	cs := []docker.Container{
		{Service: "db", State: "running", Health: "healthy", StartedAt: now},
		{Service: "cache", State: "running", StartedAt: now.Add(-Settle / 2)},
		{Service: "app", State: "running", Health: "unhealthy", LastProbe: "curl: (7) Failed to connect\nmore"},
		{Service: "redis", State: "running"},
		{Service: "worker", State: "exited", ExitCode: 2},
	}
	tests := []struct {
		svc     string
		ready   bool
		pending string
	}{
		{"db", true, ""},
		{"redis", true, ""}, // no healthcheck: running is enough
		// no healthcheck and just started: maybe between two crashes
		{"cache", false, "cache running (up for less than 1s)"},
		{"app", false, "app unhealthy (curl: (7) Failed to connect)"},
		{"worker", false, "worker exited (exit code 2)"},
		{"nginx", false, "nginx missing"},
	}
	for _, tt := range tests {
		st := serviceState(tt.svc, cs, now)
		if st.Ready != tt.ready {
			t.Errorf("%s: ready = %v, want %v", tt.svc, st.Ready, tt.ready)
		}
		if got := strings.Join(Progress{Services: []ServiceState{st}}.Pending(), ", "); got != tt.pending {
			t.Errorf("%s: pending %q, want %q", tt.svc, got, tt.pending)
		}
	}
}
