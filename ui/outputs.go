package ui

import (
	tea "charm.land/bubbletea/v2"
)

// outputs handles the output shown: log buffers with new lines, log tails of earlier runs, the pager and the run report.
func (m *Model) outputs(msg tea.Msg) (tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case tailReqMsg:
		return readTail(msg.path), true
	case tailMsg:
		delete(c.tailBusy, msg.path)
		c.tails[msg.path] = msg.buf
		if m.proc != nil {
			m.proc.refresh()
		}
		return nil, true
	case logMsg:
		var cmd tea.Cmd
		if !msg.final {
			cmd = msg.buf.wait(c.ctx)
		}
		// the panes showing the buffer redraw (LogPane.Update); a
		// container log stream the pane stopped following ends with
		// Close (final), so its wait is not re-armed forever
		if m.proc != nil {
			send(m.proc, msg)
		}
		if m.page != nil {
			send(m.page, msg)
		}
		return cmd, true
	case reportWrittenMsg:
		return m.onReportWritten(msg), true
	case pagerReqMsg:
		return m.openPager(msg.path), true
	case pagerDoneMsg:
		if msg.err != nil {
			m.setFlash("the pager on "+msg.path+" failed: "+msg.err.Error()+" (set $PAGER)", c.styles.Error)
		}
		return nil, true
	}
	return nil, false
}
