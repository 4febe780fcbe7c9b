package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/session"
)

// snapshotMsg says the engine published a newer snapshot of the run.
type snapshotMsg struct{}

// waitSnapshot waits (in a Cmd, off the update path) until sn is replaced.
// Exactly one is outstanding: the root re-arms it on each snapshotMsg.
func waitSnapshot(ctx context.Context, sn *session.Snapshot) tea.Cmd {
	if sn == nil || sn.Replaced() == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case <-sn.Replaced():
			return snapshotMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// setSnapshot makes sn what the screens read.
func (c *Context) setSnapshot(sn *session.Snapshot) {
	if sn == nil || sn.Run == nil {
		return
	}
	c.snapshot = sn
	c.run = *sn.Run
}
