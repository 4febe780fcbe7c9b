package healthgate

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/docker"
)

// app answers /health from a script: one entry per request, the last
// repeated. 0 hangs up without an answer (unreachable).
type app struct {
	mu    sync.Mutex
	codes []int
	n     int
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	code := a.codes[min(a.n, len(a.codes)-1)]
	a.n++
	a.mu.Unlock()
	if code == 0 {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("no hijacker")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(`{"status":"ok","version":"1.2.3"}`))
}

// script is a Source that plays readings in order, the last repeated.
func script(readings ...Stack) Source {
	var mu sync.Mutex
	n := 0
	return func(context.Context) Stack {
		mu.Lock()
		defer mu.Unlock()
		st := readings[min(n, len(readings)-1)]
		n++
		return st
	}
}

func ct(svc, state, health string, restarts, exit int) docker.Container {
	return docker.Container{ID: svc + "-id", Name: "planner-" + svc + "-1", Service: svc, State: state, Health: health, Restarts: restarts, ExitCode: exit, Number: 1}
}

var (
	dbOK    = ct("db", "running", "healthy", 0, 0)
	redisOK = ct("redis", "running", "", 0, 0)
	appOK   = ct("app", "running", "healthy", 0, 0)
	healthy = Stack{Containers: []docker.Container{appOK, dbOK, redisOK}}
)

func with(c docker.Container) Stack {
	return Stack{Containers: []docker.Container{c, dbOK, redisOK}}
}

func TestWatch(t *testing.T) {
	const window = 400 * time.Millisecond
	tests := []struct {
		name   string
		codes  []int
		stack  []Stack
		noURL  bool
		want   checklist.GateResult
		reason string
		atOnce bool // decided before the window ended
	}{
		{name: "healthy throughout", codes: []int{200}, stack: []Stack{healthy},
			want: checklist.GatePassed, reason: "app 1.2.3 /health 200, 3 containers ready"},
		{name: "starting, then healthy", codes: []int{0, 0, 503, 200},
			stack: []Stack{with(ct("app", "running", "starting", 0, 0)), with(ct("app", "running", "starting", 0, 0)), healthy},
			want:  checklist.GatePassed, reason: "app 1.2.3 /health 200"},
		{name: "503 after the first healthy answer", codes: []int{200, 200, 503},
			stack: []Stack{healthy}, want: checklist.GateFailed, reason: "app: /health 503", atOnce: true},
		{name: "500 at once", codes: []int{500}, stack: []Stack{healthy},
			want: checklist.GateFailed, reason: "app: /health 500", atOnce: true},
		{name: "404 at once", codes: []int{404}, stack: []Stack{healthy},
			want: checklist.GateFailed, reason: "app: /health 404", atOnce: true},
		{name: "never healthy", codes: []int{503}, stack: []Stack{healthy},
			want: checklist.GateFailed, reason: "app: /health never answered 2xx in 0:00 (last: /health 503)"},
		{name: "unreachable after it had answered", codes: []int{200, 0},
			stack: []Stack{healthy}, want: checklist.GateFailed, reason: "app: /health unreachable after it had answered", atOnce: true},
		{name: "app exited", codes: []int{200},
			stack: []Stack{healthy, with(ct("app", "exited", "", 0, 1))},
			want:  checklist.GateFailed, reason: "app exited (exit 1)", atOnce: true},
		{name: "app dead", codes: []int{0},
			stack: []Stack{with(ct("app", "dead", "", 0, 137))},
			want:  checklist.GateFailed, reason: "app dead (exit 137)", atOnce: true},
		{name: "app restarting", codes: []int{0},
			stack: []Stack{with(ct("app", "restarting", "", 3, 1))},
			want:  checklist.GateFailed, reason: "app restarting (3 restarts)", atOnce: true},
		{name: "restart count rising", codes: []int{200},
			stack: []Stack{healthy, with(ct("app", "running", "starting", 1, 0))},
			want:  checklist.GateFailed, reason: "app restarted (1 restart during the gate)", atOnce: true},
		{name: "unhealthy", codes: []int{200},
			stack: []Stack{healthy, with(docker.Container{ID: "app-id", Service: "app", State: "running", Health: "unhealthy", LastProbe: "wget: server returned error: HTTP/1.1 503\n"})},
			want:  checklist.GateFailed, reason: "app unhealthy: wget: server returned error: HTTP/1.1 503", atOnce: true},
		{name: "a service without a container", codes: []int{200},
			stack: []Stack{{Containers: []docker.Container{appOK, dbOK}, Missing: []string{"redis"}}},
			want:  checklist.GateFailed, reason: "redis has no container", atOnce: true},
		{name: "still starting at the end", codes: []int{200},
			stack: []Stack{with(ct("app", "running", "starting", 0, 0))},
			want:  checklist.GateFailed, reason: "app not ready at the end of the window (health starting)"},
		{name: "docker unreachable at the end", codes: []int{200},
			stack: []Stack{healthy, {Err: errors.New("docker unreachable: connection refused")}},
			want:  checklist.GateUnknown, reason: "the containers could not be read: docker unreachable"},
		{name: "no URL", noURL: true, stack: []Stack{healthy},
			want: checklist.GateUnknown, reason: "/health not watched: BASE_URL is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&app{codes: append([]int{}, tc.codes...)})
			defer srv.Close()
			url := srv.URL + "/health"
			if tc.noURL {
				url = ""
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var progress []Progress
			out := Watch(ctx, script(tc.stack...), Options{Window: window, Interval: 20 * time.Millisecond, URL: url},
				func(p Progress) { progress = append(progress, p) })
			if out.Result != tc.want || !strings.Contains(out.Reason, tc.reason) {
				t.Fatalf("Watch: %s %q, want %s containing %q", out.Result, out.Reason, tc.want, tc.reason)
			}
			if tc.atOnce && out.Elapsed >= window {
				t.Errorf("decided after %s, want at once (window %s)", out.Elapsed, window)
			}
			if !tc.atOnce && out.Elapsed < window {
				t.Errorf("decided after %s, before the window of %s ended", out.Elapsed, window)
			}
			if out.Result == checklist.GatePassed && (len(progress) == 0 || !progress[len(progress)-1].Healthy) {
				t.Errorf("passed, but the last progress does not say healthy: %+v", progress)
			}
		})
	}
}

// A gate whose context ends (planner-tui quits) says it stopped
// watching: unknown, never passed.
func TestWatchStopped(t *testing.T) {
	srv := httptest.NewServer(&app{codes: []int{200}})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	out := Watch(ctx, script(healthy), Options{Window: time.Minute, Interval: 10 * time.Millisecond, URL: srv.URL + "/health"},
		func(Progress) {
			if n++; n == 3 {
				cancel()
			}
		})
	if out.Result != checklist.GateUnknown || !strings.Contains(out.Reason, "stopped watching at 0:00 of 1:00") {
		t.Fatalf("Watch after cancel: %s %q, want unknown, stopped watching", out.Result, out.Reason)
	}
}

func TestProbeVersion(t *testing.T) {
	srv := httptest.NewServer(&app{codes: []int{200}})
	defer srv.Close()
	a := Probe(context.Background(), srv.URL+"/health", time.Second)
	if a.Status != 200 || a.Version != "1.2.3" || a.Err != "" {
		t.Fatalf("Probe: %+v, want 200 1.2.3", a)
	}
	srv.Close()
	a = Probe(context.Background(), srv.URL+"/health", time.Second)
	if a.Status != 0 || !strings.Contains(a.Err, "refused") {
		t.Fatalf("Probe of a closed server: %+v, want connection refused", a)
	}
}
