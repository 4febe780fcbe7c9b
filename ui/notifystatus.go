package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/notify"
)

// Notification delivery on screen: this process delivers the webhooks
// (cmd_tui.go's Deliverer), so when the receiver is down the events wait
// in <state>/notify/queue and nobody would know. Each second (the
// screen's tick) a Cmd reads the queue (notify.QueueStatus); while events
// wait after a failed attempt the header shows "⚠ notify: 3 queued
// (last: connection refused)", gone once the queue is empty. A watcher
// delivers nothing and has no state dir of its own here: it reads none.

// notifyState is the queue as last read.
type notifyState struct {
	queued  int
	lastErr string
	reading bool // a read is under way: the next tick starts none
}

// notifyStatusMsg is the queue as read now.
type notifyStatusMsg struct {
	queued  int
	lastErr string
	err     error
}

// pollNotify reads the queue in a Cmd; nil when there is nothing to read
// or a read is still under way.
func (c *Context) pollNotify() tea.Cmd {
	dir := c.stateDir
	if dir == "" || c.opts.Watch || c.notify.reading {
		return nil
	}
	c.notify.reading = true
	return func() tea.Msg {
		n, lastErr, err := notify.QueueStatus(dir)
		return notifyStatusMsg{queued: n, lastErr: lastErr, err: err}
	}
}

// onNotifyStatus keeps what was read; an unreadable queue keeps what is
// shown.
func (c *Context) onNotifyStatus(msg notifyStatusMsg) {
	c.notify.reading = false
	if msg.err != nil {
		return
	}
	c.notify.queued, c.notify.lastErr = msg.queued, msg.lastErr
}

// notifyWarning is the header's segment for the queue: "" while nothing
// waits or nothing has failed yet (the events are on their way), else
// "⚠ notify: 3 queued (last: connection refused)". The error is cut to
// its last part (the hook and URL variable come first) and to 40 cells.
func notifyWarning(queued int, lastErr string) string {
	if queued == 0 || lastErr == "" {
		return ""
	}
	short := lastErr
	if i := strings.LastIndex(short, ": "); i >= 0 && i+2 < len(short) {
		short = short[i+2:]
	}
	if r := []rune(short); len(r) > 40 {
		short = string(r[:39]) + "…"
	}
	return fmt.Sprintf("⚠ notify: %d queued (last: %s)", queued, short)
}
