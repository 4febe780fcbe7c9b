package checklist

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The health gate (ops/healthgate) watches the app's /health and the
// containers for a window after a deployment's compose up. Its outcome is
// part of the deployment record.

// DefaultHealthGate is the window when the runbook and the environment say
// nothing.
const DefaultHealthGate = 60 * time.Second

// HealthGateKey is the front matter key of the window; EnvHealthGate the
// environment variable that overrides it.
const (
	HealthGateKey = "health-gate"
	EnvHealthGate = "PLANNER_TUI_HEALTH_GATE"
)

// GateResult is how a health gate ended, or that it still runs.
type GateResult string

const (
	GateRunning GateResult = "running"
	GatePassed  GateResult = "passed"
	GateFailed  GateResult = "failed"
	// GateUnknown: it could not tell (docker unreachable, no BASE_URL,
	// planner-tui stopped watching). Never shown as passed.
	GateUnknown GateResult = "unknown"
)

// HealthGate is the latest health gate of a deployment.
type HealthGate struct {
	Result GateResult `json:"result"`
	// Reason says why it failed or could not tell ("app: /health 503",
	// "app exited (exit 1)"), or what it saw when it passed.
	Reason string `json:"reason,omitempty"`
	// At is when the result was known (for running: when it started).
	At      time.Time     `json:"at"`
	Started time.Time     `json:"started"`
	Window  time.Duration `json:"-"`
	// WindowS is Window in seconds, for the JSON.
	WindowS float64 `json:"window_s"`
	// After is the command whose end started it ("" for op health-gate).
	After string `json:"after,omitempty"`
	// AppVersion and HTTPStatus are the app's last /health answer.
	AppVersion string `json:"app_version,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
}

// SetWindow sets Window and WindowS.
func (g *HealthGate) SetWindow(d time.Duration) { g.Window, g.WindowS = d, d.Seconds() }

// UnmarshalJSON restores Window from window_s.
func (g *HealthGate) UnmarshalJSON(b []byte) error {
	type plain HealthGate
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*g = HealthGate(p)
	g.Window = time.Duration(g.WindowS * float64(time.Second))
	return nil
}

// staleAfter: a gate still "running" this long past its window was left
// by a planner-tui that stopped (killed) while watching.
const staleAfter = 30 * time.Second

// Effective is the gate as it stands at now: a running gate long past its
// window is unknown (nobody watches it any more).
func (g *HealthGate) Effective(now time.Time) HealthGate {
	if g == nil {
		return HealthGate{}
	}
	e := *g
	if e.Result == GateRunning && now.Sub(e.Started) > e.Window+staleAfter {
		e.Result = GateUnknown
		e.Reason = "planner-tui stopped watching before the window ended (no result)"
	}
	return e
}

// Line is the gate in one line, as the status, the report and the screen
// say it: "health gate: watching (0:23 of 1:00)", "health gate passed",
// "health gate failed: app /health 503".
func (g *HealthGate) Line(now time.Time) string {
	if g == nil {
		return ""
	}
	e := g.Effective(now)
	switch e.Result {
	case GateRunning:
		return fmt.Sprintf("health gate: watching (%s of %s)", Clock(min(now.Sub(e.Started), e.Window)), Clock(e.Window))
	case GatePassed:
		return "health gate passed (" + Clock(e.Window) + " watched)"
	case GateFailed:
		return "health gate failed: " + e.Reason
	}
	return "health gate: unknown: " + e.Reason
}

// Clock is a duration as m:ss ("0:23", "1:00").
func Clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ParseHealthGate reads a window: a Go duration ("90s", "2m"), a number of
// seconds ("90"), or "0"/"off" (no gate).
func ParseHealthGate(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	switch v {
	case "off", "no", "false", "none", "disabled":
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		v = strconv.Itoa(n) + "s"
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return 0, fmt.Errorf("health gate window %q: want a duration such as 60s or 2m, or off", v)
	case d < 0:
		return 0, fmt.Errorf("health gate window %q: negative", v)
	case d > time.Hour:
		return 0, fmt.Errorf("health gate window %q: more than an hour", v)
	}
	return d, nil
}

// HealthGateWindow is the gate's window for this runbook: env (the value
// of PLANNER_TUI_HEALTH_GATE, "" when unset) over the front matter's
// health-gate, else DefaultHealthGate. 0 means no gate.
func (rb *Runbook) HealthGateWindow(env string) (time.Duration, error) {
	if strings.TrimSpace(env) != "" {
		d, err := ParseHealthGate(env)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", EnvHealthGate, err)
		}
		return d, nil
	}
	if v, ok := rb.Meta[HealthGateKey]; ok {
		d, err := ParseHealthGate(v)
		if err != nil {
			return 0, fmt.Errorf("%s: front matter %s: %w", rb.Path, HealthGateKey, err)
		}
		return d, nil
	}
	return DefaultHealthGate, nil
}
