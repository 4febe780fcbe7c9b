package ui

import (
	"fmt"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/monitor"
)

// The health gate (ops/healthgate, run by the session after a compose up
// of the app) shows in the banner row under the header: while it watches,
// "◷ health gate: watching (0:23 of 1:00)"; when it failed, "✗ Health gate
// failed: app: /health 503 — R: roll back" (R, like r, opens the Rollback
// Procedure; its pickers are pre-filled from the deployment record and it
// still asks for its phrases); when it could not tell, a warning. It
// takes the row before an incident: a failed gate is the incident. A passed
// gate shows once, as a flash. The row goes once the run rolled back.

// gate is the run's health gate as it stands now; nil when there is none,
// or the deployment rolled back since.
func (c *Context) gate() *checklist.HealthGate {
	d := c.run.Deployment
	if d == nil || d.Gate == nil || (d.RolledBack != nil && d.RolledBack.At.After(d.Gate.Started)) {
		return nil
	}
	g := d.Gate.Effective(c.now)
	return &g
}

// gateFailed: the gate failed and the run did not roll back since.
func (c *Context) gateFailed() bool {
	g := c.gate()
	return g != nil && g.Result == checklist.GateFailed
}

// gateBanner is the gate's row ("" when it has nothing to say).
func (c *Context) gateBanner() string {
	g := c.gate()
	if g == nil {
		return ""
	}
	st := c.styles
	switch g.Result {
	case checklist.GateRunning:
		return st.Running.Render("◷ "+g.Line(c.now)) + st.Faint.Render(" · /health and the containers")
	case checklist.GateFailed:
		return st.Error.Render("✗ Health gate failed: " + g.Reason + " — R: roll back")
	case checklist.GateUnknown:
		return st.Warn.Render("⚠ Health gate could not tell: " + g.Reason + " — s: the stack")
	}
	return ""
}

// gateQuitText is what quitting would do to the health gate, "" when
// nothing: the gate runs in the process whose session ran the compose up,
// so a watcher's quit, or a screen while another process holds the run,
// leaves it alone.
func (c *Context) gateQuitText() string {
	g := c.gate()
	if g == nil || g.Result != checklist.GateRunning || c.opts.Watch {
		return ""
	}
	if sn := c.snapshot; sn != nil && sn.Holder != nil && !sn.Mine {
		return ""
	}
	return "The health gate is watching the app (" + gateClock(g, c.now) + "): quit and it ends unknown. Check it later with: planner-tui op health-gate"
}

// gateClock is how far the running gate is: "0:23 of 1:00".
func gateClock(g *checklist.HealthGate, now time.Time) string {
	return checklist.Clock(min(now.Sub(g.Started), g.Window)) + " of " + checklist.Clock(g.Window)
}

// banner is the row under the header: the gate, else an incident.
func (c *Context) banner() string {
	if b := c.gateBanner(); b != "" {
		return b
	}
	return c.incidentBanner()
}

// updateBanner gives the banner its row, or takes it back, and says once
// that a gate passed.
func (m *Model) updateBanner() {
	if on := m.c.banner() != ""; on != m.banner {
		m.banner = on
		if m.c.width > 0 {
			m.resize()
		}
	}
	g := m.c.gate()
	if g == nil {
		return
	}
	seen := fmt.Sprintf("%s %s", g.Started, g.Result)
	if seen == m.gateSeen {
		return
	}
	first := m.gateSeen == ""
	m.gateSeen = seen
	if g.Result == checklist.GatePassed && !first {
		m.setFlash("✓ "+g.Line(m.c.now)+": "+g.Reason, m.c.styles.OK)
	}
}

// appStatus is the app's /health for the status bar: "app 1.2.3 /health
// 200"; "app /health ?" while not known; "" without a BASE_URL.
func (c *Context) appStatus(s monitor.Snapshot, level int) string {
	st := c.styles
	a := s.App
	switch {
	case a.URL == "":
		if level < 2 {
			return st.Faint.Render("app /health ? (no BASE_URL)")
		}
		return ""
	case !a.Known:
		return st.Faint.Render("app /health …")
	case a.Status == 0:
		if level >= 3 {
			return st.Error.Render("app ✗")
		}
		return "app " + st.Error.Render("/health ✗ "+a.Err)
	}
	out := "app"
	if a.Version != "" && level < 4 {
		out += " " + a.Version
	}
	code := fmt.Sprintf("/health %d", a.Status)
	if level >= 4 {
		code = fmt.Sprintf("%d", a.Status)
	}
	if a.Status >= 200 && a.Status < 300 {
		return out + " " + st.OK.Render(code)
	}
	return out + " " + st.Error.Render(code)
}
