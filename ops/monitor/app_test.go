package monitor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The app's /health is asked every AppEvery: its version and status reach
// the snapshot, and so does its failing.
func TestAppHealthInTheSnapshot(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	var code atomic.Int32
	code.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(int(code.Load()))
		_, _ = w.Write([]byte(`{"status":"ok","version":"1.2.3"}`))
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tgt := deadTarget(t, "nothing")
	tgt.BaseURL = srv.URL + "/"
	m := Start(ctx, tgt, nil, Options{DBTimeout: time.Second, AppEvery: 50 * time.Millisecond})
	s := next(t, m, 10*time.Second, "the app's answer", func(s Snapshot) bool { return s.App.Known })
	if s.App.Status != 200 || s.App.Version != "1.2.3" || s.App.URL != srv.URL+"/health" {
		t.Errorf("App = %+v, want 200 1.2.3 from %s/health", s.App, srv.URL)
	}
	code.Store(503)
	next(t, m, 10*time.Second, "the 503", func(s Snapshot) bool { return s.App.Status == 503 })
	srv.Close()
	s = next(t, m, 10*time.Second, "no answer", func(s Snapshot) bool { return s.App.Known && s.App.Status == 0 })
	if s.App.Err == "" {
		t.Errorf("App = %+v, want why it did not answer", s.App)
	}
	cancel()
	for range m.Snapshots() {
	}
}
