package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	c, k := m.c, m.c.keys
	m.flash = ""
	if m.dlg != nil {
		next, cmd := m.dlg.Update(msg)
		m.setDialog(next)
		return cmd
	}
	if m.tooSmall() {
		if key.Matches(msg, k.Quit, k.Cancel) {
			return m.quit()
		}
		return nil
	}
	if m.page != nil {
		return m.pageKey(msg)
	}
	if m.proc != nil && m.proc.Capturing() {
		return send(m.proc, msg)
	}
	switch {
	case key.Matches(msg, k.Stack):
		m.remember()
		return m.openPage(newStack(c))
	case key.Matches(msg, k.Database):
		m.remember()
		return m.openPage(newDBPane(c))
	case key.Matches(msg, k.Timeline):
		return m.openPage(newTimeline(c))
	case key.Matches(msg, k.Summary):
		return m.openSummary()
	case key.Matches(msg, k.Review):
		m.remember()
		return m.openReview()
	case key.Matches(msg, k.NewRun) && !(m.proc != nil && m.proc.focus == 1):
		c.emit(newRunReqMsg{})
		return nil
	case key.Matches(msg, k.Help):
		m.setDialog(&helpDialog{})
		return nil
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Cancel):
		if c.active == nil {
			return m.quit() // asks only when the health gate would end
		}
		m.setDialog(&confirmDialog{
			title: "Cancel the running step",
			lines: []string{c.styles.Bold.Render(m.activeTitle()) + " is running.", "Cancelling sends SIGTERM to its process group, then SIGKILL after a grace period."},
			onYes: cancelReqMsg{},
			onNo:  flashMsg{text: "not cancelled: the step keeps running"},
		})
		return nil
	case key.Matches(msg, k.Search):
		if m.proc != nil && m.proc.focus == 1 {
			return send(m.proc, msg)
		}
		m.setDialog(newSearchDialog(c))
		return nil
	case key.Matches(msg, k.Emergency):
		if d := newEmergencyDialog(c); d != nil {
			m.setDialog(d)
		} else {
			m.setFlash("this runbook has no Emergency Procedures section", c.styles.Warn)
		}
		return nil
	case key.Matches(msg, k.Rollback) || (msg.String() == "R" && c.gateFailed()): // R: the failed gate's banner
		sec := roleSection(c.rb, "rollback", "Rollback Procedure")
		if sec == nil {
			m.setFlash("this runbook has no Rollback Procedure section", c.styles.Warn)
			return nil
		}
		m.remember()
		m.open(target{sec: sec, step: -1})
		return nil
	case key.Matches(msg, k.Sections):
		m.remember()
		m.proc = nil
		m.home.FocusSections()
		return nil
	case key.Matches(msg, k.Back):
		if m.proc != nil {
			if m.proc.log.HasQuery() && m.proc.focus == 1 {
				return send(m.proc, msg)
			}
			if m.proc.zoom {
				m.proc.setZoom(false)
				return nil
			}
		}
		if m.chainEsc() {
			return nil
		}
		// back where the operator came from; with no history, a
		// procedure goes back to home
		if cmd, ok := m.back(); ok {
			return cmd
		}
		m.proc = nil
		return nil
	}
	if m.proc != nil {
		return send(m.proc, msg)
	}
	return send(m.home, msg)
}

// pageKey routes keys while the stack or database pane is open: q, ctrl+c,
// ?, e and switching panes stay global; esc closes the pane.
func (m *Model) pageKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if m.page.Capturing() {
		return send(m.page, msg)
	}
	switch {
	case key.Matches(msg, k.Help):
		m.setDialog(&helpDialog{})
		return nil
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Cancel):
		m.closePage()
		return m.onKey(msg)
	case key.Matches(msg, k.Back) && !m.page.WantsEsc():
		if cmd, ok := m.back(); ok {
			return cmd
		}
		m.closePage()
		return nil
	case key.Matches(msg, k.Emergency):
		m.closePage()
		return m.onKey(msg)
	case (key.Matches(msg, k.Rollback) || msg.String() == "R" && m.c.gateFailed()) && isRunSummary(m.page):
		// the end of a deployment is where a rollback is decided (other
		// pages keep r for themselves: check again, render again)
		m.closePage()
		return m.onKey(msg)
	case key.Matches(msg, k.Summary):
		return m.openSummary()
	case key.Matches(msg, k.Stack):
		if _, ok := m.page.(*Stack); !ok {
			m.remember()
			return m.openPage(newStack(m.c))
		}
		return nil
	case key.Matches(msg, k.Database):
		if st, ok := m.page.(*Stack); !ok || st.focus == 0 {
			m.remember()
			return m.openPage(newDBPane(m.c))
		}
	}
	return send(m.page, msg)
}

// quitLines is what quitting now would leave: the step still running,
// the health gate's clock.
func (m *Model) quitLines() []string {
	c := m.c
	var lines []string
	if c.active != nil {
		lines = append(lines,
			c.styles.Bold.Render(m.activeTitle())+" is still running.",
			"It keeps running in the background (the runner is detached from this screen); its output goes on to its log file and planner-tui re-attaches at the next start.")
	}
	if gate := c.gateQuitText(); gate != "" {
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, gate)
	}
	if len(lines) == 0 {
		lines = append(lines, "Nothing is running any more: quitting leaves nothing behind.")
	}
	return lines
}

// quit quits, after asking when quitting would leave something: a step
// still running (it goes on, detached), or the health gate this screen
// runs (it ends unknown).
func (m *Model) quit() tea.Cmd {
	c := m.c
	gate := c.gateQuitText()
	if c.active == nil && gate == "" {
		return tea.Quit
	}
	d := &confirmDialog{
		title:  "Quit planner-tui",
		live:   m.quitLines, // the gate's clock goes on, the step may end
		onYes:  quitMsg{},
		prompt: "Quit? (y/N)",
		keys:   "y: quit · n/esc: stay",
	}
	if gate != "" {
		d.onNo = flashMsg{text: "not quit: the health gate keeps watching"}
	}
	m.setDialog(d)
	return nil
}
