// Package healthgate watches the app after a deployment's compose up: its
// GET /health over HTTP and the compose containers, for a window (60 s by
// default). The app may be starting at first; the gate passes only if at the
// end of the window /health answers 2xx and every service runs (healthy where
// it has a healthcheck), and nothing failed after the first healthy answer.
// It fails at once on a container that exited, died, restarts or is
// unhealthy, on a service without a container, on /health answering 5xx
// (before the first healthy answer 502, 503 and 504 only mean "not up yet"),
// or 4xx, or unreachable after it had answered; and at the end of the window
// when the app never answered 2xx or a service is still not ready. When it
// cannot tell (docker unreachable at the end, no URL to watch) the result is
// unknown, never passed.
package healthgate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/httpcheck"
)

// Stack is one reading of the compose project.
type Stack struct {
	Containers []docker.Container
	Missing    []string // services of the compose files without a container
	Err        error    // the containers could not be read
}

// Source reads the stack; DockerSource is the real one.
type Source func(ctx context.Context) Stack

// DockerSource reads the project's containers with d, and names the
// services of the target's compose files that have none.
func DockerSource(d *docker.Client, t ops.Target) Source {
	return func(ctx context.Context) Stack {
		cs, err := d.Containers(ctx, t.Project)
		if err != nil {
			return Stack{Err: err}
		}
		st := Stack{Containers: cs}
		if want, err := ops.Services(t); err == nil {
			have := map[string]bool{}
			for _, c := range cs {
				have[c.Service] = true
			}
			for _, s := range want {
				if !have[s] {
					st.Missing = append(st.Missing, s)
				}
			}
		}
		return st
	}
}

// Options say what to watch and for how long.
type Options struct {
	Window   time.Duration // default checklist.DefaultHealthGate
	Interval time.Duration // between readings; default 1 s
	// URL is the app's /health (BASE_URL + "/health"); "" leaves it
	// unwatched and the gate can then not pass.
	URL string
	// App names the app in reasons ("app: /health 503"); default "app".
	App string
	// HTTPTimeout bounds one GET; default min(5 s, 3 intervals).
	HTTPTimeout time.Duration
}

// Progress is reported after every reading.
type Progress struct {
	Elapsed, Window time.Duration
	Answer          Answer
	Healthy         bool     // /health has answered 2xx
	Pending         []string // what is not ready yet ("app starting", "/health: connection refused")
}

// Answer is one GET /health.
type Answer struct {
	Status  int    // 0 when it did not answer
	Err     string // why it did not answer
	Version string // the "version" of a JSON answer
}

// Outcome is how the gate ended.
type Outcome struct {
	Result  checklist.GateResult
	Reason  string
	Elapsed time.Duration
	Last    Answer // the last /health answer
}

// Watch runs the gate until it is decided or ctx ends (then the result is
// unknown: it stopped watching). progress may be nil.
func Watch(ctx context.Context, src Source, opt Options, progress func(Progress)) Outcome {
	if opt.Window <= 0 {
		opt.Window = checklist.DefaultHealthGate
	}
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	if opt.HTTPTimeout <= 0 {
		opt.HTTPTimeout = min(5*time.Second, 3*opt.Interval)
	}
	if opt.App == "" {
		opt.App = "app"
	}
	w := &watch{opt: opt, restarts: map[string]int{}}
	start := time.Now()
	tick := time.NewTicker(opt.Interval)
	defer tick.Stop()
	for {
		st := src(ctx)
		var a Answer
		if opt.URL != "" {
			a = Probe(ctx, opt.URL, opt.HTTPTimeout)
		}
		elapsed := time.Since(start)
		out := func(r checklist.GateResult, reason string) Outcome {
			return Outcome{Result: r, Reason: reason, Elapsed: elapsed, Last: w.last}
		}
		if ctx.Err() != nil {
			return out(checklist.GateUnknown, fmt.Sprintf("stopped watching at %s of %s", checklist.Clock(elapsed), checklist.Clock(opt.Window)))
		}
		if reason := w.containers(st); reason != "" {
			w.answer(a) // the last answer, for the record
			return out(checklist.GateFailed, reason)
		}
		if opt.URL != "" {
			if reason := w.answer(a); reason != "" {
				return out(checklist.GateFailed, reason)
			}
		}
		done := elapsed >= opt.Window
		if progress != nil {
			progress(Progress{Elapsed: min(elapsed, opt.Window), Window: opt.Window, Answer: a, Healthy: w.healthy, Pending: w.pending(st, a)})
		}
		if done {
			r, reason := w.final(st)
			return out(r, reason)
		}
		select {
		case <-ctx.Done():
			return out(checklist.GateUnknown, fmt.Sprintf("stopped watching at %s of %s", checklist.Clock(elapsed), checklist.Clock(opt.Window)))
		case <-tick.C:
		}
	}
}

// watch is what the gate remembers between readings.
type watch struct {
	opt      Options
	restarts map[string]int // container id -> restart count when first seen
	healthy  bool           // /health answered 2xx once
	last     Answer
}

// containers is why the stack fails the gate at once, or "".
func (w *watch) containers(st Stack) string {
	if st.Err != nil {
		return "" // docker may come back; final says it if not
	}
	for _, name := range st.Missing {
		return name + " has no container"
	}
	for _, c := range st.Containers {
		name := serviceName(c)
		first, seen := w.restarts[c.ID]
		if !seen {
			w.restarts[c.ID], first = c.Restarts, c.Restarts
		}
		switch {
		case c.State == "exited" || c.State == "dead":
			return fmt.Sprintf("%s %s (exit %d)", name, c.State, c.ExitCode)
		case c.State == "restarting":
			return fmt.Sprintf("%s restarting (%s)", name, plural(c.Restarts, "restart"))
		case c.Restarts > first:
			return fmt.Sprintf("%s restarted (%s during the gate)", name, plural(c.Restarts-first, "restart"))
		case c.State == "paused":
			return name + " paused"
		case c.Running() && c.Health == "unhealthy":
			if p := firstLine(c.LastProbe); p != "" {
				return name + " unhealthy: " + p
			}
			return name + " unhealthy"
		}
	}
	return ""
}

// answer takes one /health answer: why it fails the gate at once, or "".
func (w *watch) answer(a Answer) string {
	w.last = a
	app := w.opt.App
	switch {
	case a.Status >= 200 && a.Status < 300:
		w.healthy = true
		return ""
	case a.Status == 0:
		if w.healthy {
			return fmt.Sprintf("%s: /health unreachable after it had answered (%s)", app, a.Err)
		}
		return "" // still starting
	case a.Status >= 500:
		if !w.healthy && (a.Status == http.StatusBadGateway || a.Status == http.StatusServiceUnavailable || a.Status == http.StatusGatewayTimeout) {
			return "" // a proxy or the app saying "not up yet"
		}
		return fmt.Sprintf("%s: /health %d", app, a.Status)
	}
	return fmt.Sprintf("%s: /health %d", app, a.Status)
}

// final decides at the end of the window. A failure that is certain (the
// app never answered 2xx) wins over what could not be read.
func (w *watch) final(st Stack) (checklist.GateResult, string) {
	app := w.opt.App
	if w.opt.URL != "" && !w.healthy {
		last := w.last.Err
		if w.last.Status != 0 {
			last = fmt.Sprintf("/health %d", w.last.Status)
		}
		return checklist.GateFailed, fmt.Sprintf("%s: /health never answered 2xx in %s (last: %s)", app, checklist.Clock(w.opt.Window), last)
	}
	switch {
	case st.Err != nil:
		return checklist.GateUnknown, "the containers could not be read: " + st.Err.Error()
	case len(st.Containers) == 0:
		return checklist.GateFailed, "no containers in the compose project"
	}
	for _, c := range st.Containers {
		if c.Ready() {
			continue
		}
		what := c.State
		if c.Running() {
			what = "health " + c.Health
		}
		return checklist.GateFailed, fmt.Sprintf("%s not ready at the end of the window (%s)", serviceName(c), what)
	}
	if w.opt.URL == "" {
		return checklist.GateUnknown, fmt.Sprintf("/health not watched: BASE_URL is not set (the containers ran for %s)", checklist.Clock(w.opt.Window))
	}
	v := ""
	if w.last.Version != "" {
		v = " " + w.last.Version
	}
	return checklist.GatePassed, fmt.Sprintf("%s%s /health %d, %s ready for %s", app, v, w.last.Status, plural(len(st.Containers), "container"), checklist.Clock(w.opt.Window))
}

// pending names what is not ready yet, for progress.
func (w *watch) pending(st Stack, a Answer) []string {
	var out []string
	if st.Err != nil {
		out = append(out, "docker: "+st.Err.Error())
	}
	for _, c := range st.Containers {
		if !c.Ready() {
			what := c.State
			if c.Running() {
				what = c.Health
			}
			out = append(out, serviceName(c)+" "+what)
		}
	}
	if w.opt.URL != "" {
		switch {
		case a.Status == 0:
			out = append(out, "/health: "+a.Err)
		case a.Status < 200 || a.Status >= 300:
			out = append(out, fmt.Sprintf("/health %d", a.Status))
		}
	}
	return out
}

// Probe is one GET of the app's /health, with its version when the answer
// is JSON with a "version".
func Probe(ctx context.Context, url string, timeout time.Duration) Answer {
	code, body, err := httpcheck.Get(ctx, url, timeout)
	if err != nil && code == 0 {
		return Answer{Err: shortErr(err)}
	}
	a := Answer{Status: code}
	var h struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(body, &h) == nil {
		a.Version = h.Version
	}
	return a
}

// HealthURL is the app's /health under baseURL ("" without one).
func HealthURL(baseURL string) string {
	if strings.TrimSpace(baseURL) == "" {
		return ""
	}
	return strings.TrimRight(baseURL, "/") + "/health"
}

// shortErr keeps the gist of a transport error: "connection refused",
// "no answer within 5s".
func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

func serviceName(c docker.Container) string {
	name := c.Service
	if name == "" {
		name = c.Name
	}
	if c.Number > 1 {
		name += fmt.Sprintf("#%d", c.Number)
	}
	return name
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}
