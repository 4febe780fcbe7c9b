package ui

import (
	"regexp"
	"strings"
)

// envWarner is the part of the engine that says why secrets may be missed
// (*session.Session: bad .env lines, no .env). Optional: engines without
// it show nothing.
type envWarner interface{ EnvWarning() string }

// envWarning is the engine's .env warning, or "". Cheap: no I/O.
func (c *Context) envWarning() string {
	var e any = c.eng
	if b, ok := c.eng.(engineBackend); ok {
		e = b.Engine
	}
	if w, ok := e.(envWarner); ok {
		return w.EnvWarning()
	}
	return ""
}

// envDirRE is the planner dir in front of ".env:LINE": the operator knows
// which .env it is, and the line must fit the status bar.
var (
	envDirRE   = regexp.MustCompile(`^/\S*/(\.env[:\s])`)
	noEnvDirRE = regexp.MustCompile(`^⚠ no \.env in \S+: .*`)
	moreRE     = regexp.MustCompile(`\(and (\d+) more bad lines?: [^)]*\)`)
)

// withEnvWarning puts the .env warning in front of the status bar, so that
// a bad .env line is seen on every screen, not only on stderr.
func (c *Context) withEnvWarning(bar string, w int) string {
	warn := c.envWarning()
	if warn == "" {
		return bar
	}
	warn = "⚠ " + envDirRE.ReplaceAllString(warn, "$1")
	warn = noEnvDirRE.ReplaceAllString(warn, "⚠ no .env: nothing to mask")
	warn = moreRE.ReplaceAllString(warn, "(+$1 more)")
	warn = strings.Replace(warn, " — secrets on other lines are masked", " (other secrets masked)", 1)
	// At most two thirds of the line: the stack's state must still show.
	if limit := max(w*2/3, 30); ansiWidth(warn) > limit {
		warn = fit(warn, limit)
	}
	return fit(c.styles.Warn.Render(warn)+c.styles.Faint.Render(" │ ")+bar, w)
}
