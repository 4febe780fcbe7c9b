// Package httpcheck probes the planner's HTTP endpoints and waits for the
// stack to become healthy after a deployment: every compose service running
// and healthy (from the Docker API) and, optionally, GET /health returning
// 200, with a deadline and a progress report every second.
package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"planner-tui/ops/docker"
)

// MaxBody bounds how much of a response body Get reads.
const MaxBody = 64 << 10

// Get fetches url with a timeout and returns the status and at most MaxBody
// bytes of the body. A transport failure (refused, timeout) is an error; an
// HTTP error status is not.
func Get(ctx context.Context, url string, timeout time.Duration) (int, []byte, error) {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("User-Agent", "planner-tui")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, fmt.Errorf("GET %s: no answer within %s", url, timeout)
		}
		return 0, nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("GET %s: reading body: %w", url, err)
	}
	return resp.StatusCode, body, nil
}

// WaitOptions says what "healthy" means and how long to wait for it.
type WaitOptions struct {
	Project  string        // compose project
	Services []string      // services that must be ready; empty = every container of the project
	URL      string        // optional: must answer 200 (e.g. BASE_URL + "/health")
	Timeout  time.Duration // overall deadline; default 2 minutes
	Interval time.Duration // between polls (and progress calls); default 1 s
}

// ServiceState is one service's readiness in a Progress report.
type ServiceState struct {
	Service string
	Ready   bool
	State   string // running/exited/..., or "missing" when the service has no container
	Health  string
	Detail  string // last healthcheck output or exit code, when not ready
}

// Progress is reported once per interval while waiting, and once at the end.
type Progress struct {
	Elapsed, Remaining time.Duration
	Services           []ServiceState
	HTTPStatus         int    // 0 when not checked yet or the request failed
	HTTPErr            string // transport error or unexpected status
	Ready              bool
}

// Pending names what is not ready yet ("app unhealthy", "/health 502").
func (p Progress) Pending() []string {
	var out []string
	for _, s := range p.Services {
		if s.Ready {
			continue
		}
		what := s.Service + " " + s.State
		if s.Health != "" && s.State == "running" {
			what = s.Service + " " + s.Health
		}
		if s.Detail != "" {
			what += " (" + s.Detail + ")"
		}
		out = append(out, what)
	}
	if p.HTTPErr != "" {
		out = append(out, p.HTTPErr)
	}
	return out
}

// WaitHealthy polls until every selected service is running and healthy (a
// service without a healthcheck needs only to run) and the URL, if any,
// answers 200; progress (which may be nil) is called after every poll. It
// returns nil when ready; a *StuckError at once when a container of a
// selected service has exited or restarts in a loop (it will not become
// healthy by waiting); else an error naming what was still not ready at the
// deadline, or ctx's error.
func WaitHealthy(ctx context.Context, d *docker.Client, opt WaitOptions, progress func(Progress)) error {
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Minute
	}
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	start := time.Now()
	deadline := start.Add(opt.Timeout)
	tick := time.NewTicker(opt.Interval)
	defer tick.Stop()
	watch := newStuckWatch()
	for {
		p, cs := poll(ctx, d, opt)
		p.Elapsed = time.Since(start).Round(time.Millisecond)
		p.Remaining = max(time.Until(deadline), 0).Round(time.Second)
		if progress != nil {
			progress(p)
		}
		if p.Ready {
			return nil
		}
		if stuck := watch.check(cs, p.Services, time.Now()); stuck != nil {
			stuck.LastLogs = lastLogs(ctx, d, stuck.Container, 5)
			return stuck
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %s: %s", opt.Timeout, strings.Join(p.Pending(), ", "))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for healthy services: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// poll takes one reading; it also returns the project's containers.
func poll(ctx context.Context, d *docker.Client, opt WaitOptions) (Progress, []docker.Container) {
	var p Progress
	cs, err := d.Containers(ctx, opt.Project)
	if err != nil {
		p.Services = []ServiceState{{Service: "docker", State: "error", Detail: err.Error()}}
		return p, nil
	}
	want := opt.Services
	if len(want) == 0 {
		seen := map[string]bool{}
		for _, c := range cs {
			if !seen[c.Service] {
				seen[c.Service] = true
				want = append(want, c.Service)
			}
		}
		sort.Strings(want)
		if len(want) == 0 {
			p.Services = []ServiceState{{Service: "project " + opt.Project, State: "missing", Detail: "no containers"}}
			return p, cs
		}
	}
	ready := true
	for _, svc := range want {
		st := serviceState(svc, cs, time.Now())
		ready = ready && st.Ready
		p.Services = append(p.Services, st)
	}
	if opt.URL != "" {
		status, _, err := Get(ctx, opt.URL, min(opt.Interval*3, 5*time.Second))
		p.HTTPStatus = status
		switch {
		case err != nil:
			p.HTTPErr = err.Error()
		case status != http.StatusOK:
			p.HTTPErr = fmt.Sprintf("GET %s: %d", opt.URL, status)
		}
		ready = ready && p.HTTPErr == ""
	}
	p.Ready = ready
	return p, cs
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// Settle is how long a container without a healthcheck must have been
// running to count as ready: one that crashes in a loop is "running" for
// moments between its restarts.
const Settle = time.Second

func readyAt(c docker.Container, now time.Time) bool {
	return c.Ready() && (c.Health != "" || c.StartedAt.IsZero() || now.Sub(c.StartedAt) >= Settle)
}

// serviceState is ready when the service has containers and all are ready;
// otherwise it describes the first container that is not.
func serviceState(svc string, cs []docker.Container, now time.Time) ServiceState {
	st := ServiceState{Service: svc, State: "missing"}
	var mine []docker.Container
	for _, c := range cs {
		if c.Service == svc {
			mine = append(mine, c)
		}
	}
	if len(mine) == 0 {
		return st
	}
	st.Ready, st.State, st.Health = true, mine[0].State, mine[0].Health
	for _, c := range mine {
		if readyAt(c, now) {
			continue
		}
		st.Ready, st.State, st.Health = false, c.State, c.Health
		switch {
		case c.Ready():
			st.Detail = fmt.Sprintf("up for less than %s", Settle)
		case c.Running() && c.LastProbe != "":
			st.Detail = firstLine(c.LastProbe)
		case c.State == "exited" || c.State == "dead":
			st.Detail = fmt.Sprintf("exit code %d", c.ExitCode)
		}
		break
	}
	return st
}
