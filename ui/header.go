package ui

import (
	"fmt"
	"strings"
)

// header renders the top line: runbook, run id, host, user, elapsed.
func (c *Context) header(w int, where string) string {
	st := c.styles
	title := c.rb.Title
	if title == "" {
		title = "planner-tui"
	}
	parts := c.deploymentParts() // record.go: "deployed 1.2.2 → 1.2.3, rolled back …" first
	if c.run.ID != "" {
		parts = append(parts, "run "+c.run.ID)
	}
	who := whoRuns(c.run.Operator, c.run.Host)
	if who == "" {
		who = c.eng.Actor()
	}
	if who != "" {
		parts = append(parts, who)
	}
	if !c.run.Started.IsZero() {
		parts = append(parts, "⏱ "+fmtDuration(c.now.Sub(c.run.Started)))
	}
	marker, wparts := c.watchHeader() // watch.go: watching, who watches
	parts = append(wparts, parts...)
	if sn := c.snapshot; sn != nil && sn.Holder != nil && !sn.Mine && marker == "" {
		// another process drives the state dir: say who, before anyone
		// types a confirmation that would be refused
		parts = append(parts, fmt.Sprintf("driven by %s@%s pid %d", sn.Holder.User, sn.Holder.Host, sn.Holder.PID))
	}
	left := st.Header.Render(title)
	if marker != "" {
		left = st.Warn.Render(marker) + " " + left
	}
	if where != "" {
		left += st.Faint.Render(" › ") + st.Bold.Render(where)
	}
	right := st.Faint.Render(strings.Join(parts, " · "))
	if nw := notifyWarning(c.notify.queued, c.notify.lastErr); nw != "" {
		// first on the right: a narrow header cuts its end
		right = st.Warn.Render(nw) + st.Faint.Render(" · ") + right
	}
	gap := w - ansiWidth(left) - ansiWidth(right)
	if gap < 1 {
		return fit(left+"  "+right, w)
	}
	return left + strings.Repeat(" ", gap) + right
}
