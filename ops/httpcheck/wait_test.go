package httpcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"planner-tui/ops/docker/dockertest"
)

func TestWaitHealthy(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-wait-%d", time.Now().UnixNano()%1e6)
	// Becomes healthy after about a second, like a service starting up.
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "app", StopTimeout: 1,
		Script: "sleep 1; touch /tmp/ok; exec sleep 600", HealthCmd: []string{"CMD", "test", "-f", "/tmp/ok"}})
	var healthy atomic.Bool
	healthy.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	var reports []Progress
	err := WaitHealthy(ctx, c, WaitOptions{Project: project, URL: srv.URL + "/health", Timeout: 20 * time.Second, Interval: 200 * time.Millisecond},
		func(p Progress) { reports = append(reports, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) < 2 || reports[0].Ready || !reports[len(reports)-1].Ready {
		t.Errorf("progress should show not-ready then ready: %+v", reports)
	}

	healthy.Store(false)
	start := time.Now()
	err = WaitHealthy(ctx, c, WaitOptions{Project: project, URL: srv.URL + "/health", Timeout: time.Second, Interval: 200 * time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "not healthy after 1s") || !strings.Contains(err.Error(), ": 503") {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("deadline of 1 s took %s", d)
	}

	err = WaitHealthy(ctx, c, WaitOptions{Project: project, Services: []string{"app", "db"}, Timeout: 500 * time.Millisecond, Interval: 100 * time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "db missing") {
		t.Errorf("a service without containers must be named: %v", err)
	}
}
