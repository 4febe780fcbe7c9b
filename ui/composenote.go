package ui

import (
	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/compose"
)

// composer is the part of the engine that says how the runbook's
// docker-compose lines run on this host (*session.Session: the plugin
// through a shim, see ops/compose). Optional.
type composer interface {
	Compose() (compose.Decision, error)
}

// composeNoteCmd says once, at start, when the runbook's docker-compose
// lines will not run as written (only the v2 plugin here, or nothing), or
// PLANNER_TUI_COMPOSE cannot be honoured. Compose may run `docker compose
// version`: it runs here, in a Cmd, never in Update.
func (c *Context) composeNoteCmd() tea.Cmd {
	var e any = c.eng
	if b, ok := c.eng.(engineBackend); ok {
		e = b.Engine
	}
	cp, ok := e.(composer)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		d, err := cp.Compose()
		switch {
		case err != nil:
			return flashMsg{text: err.Error(), err: true}
		case d.Note != "":
			return flashMsg{text: d.Note, warn: d.ShimDir == ""}
		}
		return nil
	}
}
