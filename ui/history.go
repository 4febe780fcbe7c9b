package ui

import (
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
)

// viewKey names a place on the screen: what esc goes back to, and what a
// restart of planner-tui opens again. It is plain data (ids and indexes,
// no pointers) so it can be compared, kept and saved.
type viewKey struct {
	// Page is the pane over the rest: "stack", "database", "review" or "".
	Page string `json:"page,omitempty"`
	// Section is the id of the procedure shown; "" is home.
	Section string `json:"section,omitempty"`
	// Row is the selected row of the procedure, Focus its focused pane
	// (0 list, 1 output).
	Row   int `json:"row,omitempty"`
	Focus int `json:"focus,omitempty"`
	// HomePane and HomeRow are home's focused pane and its selection.
	HomePane int `json:"home_pane,omitempty"`
	HomeRow  int `json:"home_row,omitempty"`
}

// historyCap bounds how far back esc goes: a long session of links and
// panes does not grow without end; the oldest places are forgotten first.
const historyCap = 32

// history is the stack of places the operator came from.
type history struct{ views []viewKey }

// push remembers v as the place left. The same place twice in a row is
// kept once (esc must not appear to do nothing).
func (h *history) push(v viewKey) {
	if n := len(h.views); n > 0 && h.views[n-1] == v {
		return
	}
	h.views = append(h.views, v)
	if len(h.views) > historyCap {
		h.views = append(h.views[:0], h.views[len(h.views)-historyCap:]...)
	}
}

// pop returns the last place left, skipping the one the screen shows now
// (going back to where one is would look like a key that did nothing).
func (h *history) pop(now viewKey) (viewKey, bool) {
	for len(h.views) > 0 {
		v := h.views[len(h.views)-1]
		h.views = h.views[:len(h.views)-1]
		if v != now {
			return v, true
		}
	}
	return viewKey{}, false
}

// last is the last place left, without going there.
func (h *history) last() (viewKey, bool) {
	if len(h.views) == 0 {
		return viewKey{}, false
	}
	return h.views[len(h.views)-1], true
}

// pageName is how a viewKey names a page.
func pageName(p page) string {
	switch p.(type) {
	case *Stack:
		return "stack"
	case *DBPane:
		return "database"
	case *RunSummary:
		return "summary"
	case *Review:
		return "review"
	}
	return ""
}

// here is the place the screen shows now.
func (m *Model) here() viewKey {
	var v viewKey
	if m.home != nil {
		v.HomePane = m.home.focus
		if m.home.focus >= 0 && m.home.focus < len(m.home.panes) {
			v.HomeRow = m.home.panes[m.home.focus].sel
		}
	}
	if m.page != nil {
		v.Page = pageName(m.page)
	}
	if m.proc != nil {
		v.Section, v.Row, v.Focus = m.proc.sec.ID, m.proc.sel, m.proc.focus
		if m.proc.zoom {
			v.Focus = m.proc.zoomFrom
		}
	}
	return v
}

// remember pushes the place shown now: call it before the screen goes
// somewhere else at the operator's request (a link, a pane, a playbook).
func (m *Model) remember() { m.hist.push(m.here()) }

// back goes to the last place left; false when there is none.
func (m *Model) back() (tea.Cmd, bool) {
	v, ok := m.hist.pop(m.here())
	if !ok {
		return nil, false
	}
	return m.goTo(v), true
}

// goTo shows a place again. Places that no longer exist (a section of
// another runbook, a row past the end) fall back to what does: home, the
// last row.
func (m *Model) goTo(v viewKey) tea.Cmd {
	if h := m.home; h != nil && len(h.panes) > 0 {
		h.focus = max(0, min(v.HomePane, len(h.panes)-1))
		p := h.panes[h.focus]
		p.sel = max(0, min(v.HomeRow, h.count(p)-1))
	}
	var sec *checklist.Section
	for _, s := range m.c.rb.Sections {
		if s.ID == v.Section && v.Section != "" {
			sec = s
		}
	}
	if sec == nil {
		m.proc = nil
	} else {
		if m.proc == nil || m.proc.sec != sec {
			m.proc = newProcedure(m.c, sec)
			m.proc.SetSize(m.c.width, m.bodyHeight())
		}
		m.proc.setZoom(false)
		m.proc.sel = m.proc.firstUseful(v.Row)
		m.proc.focus = max(0, min(1, v.Focus))
		m.proc.refresh()
	}
	switch {
	case v.Page == "":
		m.closePage()
	case m.page != nil && pageName(m.page) == v.Page:
	case v.Page == "stack":
		return m.openPage(newStack(m.c))
	case v.Page == "database":
		return m.openPage(newDBPane(m.c))
	case v.Page == "summary":
		return m.openSummary()
	case v.Page == "review":
		return m.openReview()
	}
	return nil
}
