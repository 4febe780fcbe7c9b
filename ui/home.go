package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
)

// wideWidth is where the summary panes go side by side.
const wideWidth = 110

// homePane is one summary group ("Pre-Deployment") or the list of all
// sections.
type homePane struct {
	title   string
	step    *checklist.Step // nil for the sections pane
	targets []target        // per check, where enter leads
	sel     int
	off     int
}

func (p *homePane) sections() bool { return p.step == nil }

// Home is the first screen: the runbook's checklist summary as panes with
// progress, and every section of the runbook.
type Home struct {
	c       *Context
	summary *checklist.Section
	panes   []*homePane
	focus   int
	w, h    int
}

func newHome(c *Context) *Home {
	h := &Home{c: c}
	h.summary = roleSection(c.rb, "summary", "Deployment Checklist Summary")
	if h.summary != nil {
		for _, st := range h.summary.Steps {
			if len(st.Checks) == 0 {
				continue
			}
			p := &homePane{title: st.Title, step: st}
			for _, ch := range st.Checks {
				p.targets = append(p.targets, checkTarget(c.rb, ch, h.summary))
			}
			h.panes = append(h.panes, p)
		}
	}
	h.panes = append(h.panes, &homePane{title: "Sections"})
	return h
}

func (h *Home) wide() bool { return h.w >= wideWidth && len(h.panes) > 1 }

// SetSize lays the panes out.
func (h *Home) SetSize(w, hh int) { h.w, h.h = w, hh }

// FocusSections puts the focus on the list of all sections.
func (h *Home) FocusSections() { h.focus = len(h.panes) - 1 }

// FocusCheck selects a summary item by id; false if it is not on home.
func (h *Home) FocusCheck(id string) bool {
	for pi, p := range h.panes {
		if p.step == nil {
			continue
		}
		for i, ch := range p.step.Checks {
			if ch.ID == id {
				h.focus, p.sel = pi, i
				return true
			}
		}
	}
	return false
}

func (h *Home) count(p *homePane) int {
	if p.sections() {
		return len(h.c.rb.Sections)
	}
	return len(p.step.Checks)
}

// progress counts a pane's items: done is ✓ only; warned and failed are
// counted apart (a warning is never done).
func (h *Home) progress(p *homePane) (done, warned, failed, total int) {
	for _, ch := range p.step.Checks {
		switch h.c.checkState(ch).Status {
		case checklist.ItemDone:
			done++
		case checklist.ItemWarning:
			warned++
		case checklist.ItemFailed:
			failed++
		}
	}
	return done, warned, failed, len(p.step.Checks)
}

// Update handles home's keys.
// Update is the Component's: the Home's handling is update.
func (h *Home) Update(msg tea.Msg) (Component, tea.Cmd) { return h, h.update(msg) }

// Init asks for nothing: what the Home shows comes with the snapshot.
func (h *Home) Init() tea.Cmd { return nil }

func (h *Home) update(msg tea.Msg) tea.Cmd {
	k := h.c.keys
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	p := h.panes[h.focus]
	switch {
	case key.Matches(km, k.NextPane):
		h.focus = (h.focus + 1) % len(h.panes)
	case key.Matches(km, k.PrevPane):
		h.focus = (h.focus + len(h.panes) - 1) % len(h.panes)
	case key.Matches(km, k.Up):
		p.sel = max(0, p.sel-1)
	case key.Matches(km, k.Down):
		p.sel = min(h.count(p)-1, p.sel+1)
	case key.Matches(km, k.Enter):
		if p.sections() {
			if p.sel < len(h.c.rb.Sections) {
				h.c.emit(openMsg{t: target{sec: h.c.rb.Sections[p.sel], step: -1}})
				return nil
			}
			return nil
		}
		if p.sel >= len(p.step.Checks) {
			return nil
		}
		if t := p.targets[p.sel]; t.ok() {
			h.c.emit(openMsg{t: t})
			return nil
		}
		h.c.emit(flashMsg{text: "this item links to no procedure: space ticks it", warn: true})
		return nil
	case key.Matches(km, k.Tick):
		if !p.sections() && p.sel < len(p.step.Checks) {
			ch := p.step.Checks[p.sel]
			if g, cs := h.c.rb.ItemScope(ch); len(g)+len(cs) > 0 {
				h.c.emit(flashMsg{text: "this item is done when what it leads to is (enter opens it): its commands ok, its checks ticked", warn: true})
				return nil
			}
			h.c.emit(tickMsg{check: ch})
			return nil
		}
	}
	return nil
}

// View renders home in w×h cells.
func (h *Home) View() string {
	st := h.c.styles
	if h.wide() {
		summary := h.panes[:len(h.panes)-1]
		cols := summaryColumns(h.w, len(summary), h.longestItem())
		var gridRows []string
		used := 0
		for start := 0; start < len(summary); start += cols {
			row := summary[start:min(start+cols, len(summary))]
			items := 0
			for _, p := range row {
				items = max(items, len(p.step.Checks))
			}
			// the sections pane keeps at least 5 rows
			rh := max(3, min(items+2, h.h-used-5))
			pw := h.w / len(row)
			var boxes []string
			for i, p := range row {
				w := pw
				if i == len(row)-1 {
					w = h.w - pw*(len(row)-1)
				}
				boxes = append(boxes, h.paneBox(start+i, p, w, rh))
			}
			gridRows = append(gridRows, joinH(boxes...))
			used += rh
		}
		sec := h.panes[len(h.panes)-1]
		return strings.Join(gridRows, "\n") + "\n" + h.paneBox(len(h.panes)-1, sec, h.w, h.h-used)
	}
	// narrow: tabs
	var tabs []string
	for i, p := range h.panes {
		label := " " + h.paneTitle(p) + " "
		if i == h.focus {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.Tab.Render(label))
		}
	}
	tabLine := fit(strings.Join(tabs, st.Faint.Render("│")), h.w)
	return tabLine + "\n" + h.paneBox(h.focus, h.panes[h.focus], h.w, h.h-1)
}

// summaryColumns is how many summary panes go side by side: all of them
// when their longest item fits whole, else two to a row (a 2×2 grid for
// the four groups of the runbook): one pane a row would push the sections
// off the screen.
func summaryColumns(width, panes, longest int) int {
	if panes <= 2 || width/panes-4 >= longest {
		return max(panes, 1)
	}
	return 2
}

// longestItem is the widest summary item as a pane shows it: mark, text,
// the "›" or "·" after it, and a "3/5" count.
func (h *Home) longestItem() int {
	n := 0
	for _, p := range h.panes {
		if p.sections() {
			continue
		}
		for _, ch := range p.step.Checks {
			n = max(n, ansiWidth(ch.Text)+4+6)
		}
	}
	return n
}

func (h *Home) paneTitle(p *homePane) string {
	if p.sections() {
		return fmt.Sprintf("Sections %d", len(h.c.rb.Sections))
	}
	d, wn, f, t := h.progress(p)
	title := fmt.Sprintf("%s %d/%d", p.title, d, t)
	if wn > 0 {
		title += fmt.Sprintf(" ⚠%d", wn)
	}
	if f > 0 {
		title += fmt.Sprintf(" ✗%d", f)
	}
	return title
}

func (h *Home) paneBox(i int, p *homePane, w, hh int) string {
	st := h.c.styles
	n := max(1, hh-2)
	if p.sel < p.off {
		p.off = p.sel
	}
	if p.sel >= p.off+n {
		p.off = p.sel - n + 1
	}
	var lines []string
	if p.sections() {
		for j := p.off; j < len(h.c.rb.Sections) && j < p.off+n; j++ {
			sec := h.c.rb.Sections[j]
			nc := 0
			for _, s := range sec.Steps {
				nc += len(s.Commands)
			}
			info := ""
			if nc > 0 {
				info = st.Faint.Render("  " + plural(nc, "command"))
			}
			lines = append(lines, h.itemLine(sec.Title+info, i == h.focus && j == p.sel, w-2))
		}
	} else {
		for j := p.off; j < len(p.step.Checks) && j < p.off+n; j++ {
			ch := p.step.Checks[j]
			it := h.c.checkState(ch)
			text := h.c.itemMark(it) + " " + ch.Text
			if it.Status != checklist.ItemDone && it.Status != checklist.ItemPending && it.Total > 1 {
				text += st.Faint.Render(fmt.Sprintf(" %d/%d", it.Done, it.Total))
			}
			if !p.targets[j].ok() {
				text += st.Faint.Render(" ·")
			} else {
				text += st.Faint.Render(" ›")
			}
			lines = append(lines, h.itemLine(text, i == h.focus && j == p.sel, w-2))
		}
	}
	return st.box(h.paneTitle(p), lines, w, hh, i == h.focus)
}

func (h *Home) itemLine(s string, sel bool, w int) string {
	if sel {
		return h.c.styles.Selected.Render(fit("▌"+ansiStripStr(s), w))
	}
	return fit(" "+s, w)
}

// ShortHelp is the bottom line's keys on home (the root adds cancel, quit
// and help).
func (h *Home) ShortHelp() []key.Binding {
	k := h.c.keys
	return []key.Binding{k.Up, k.Down, k.NextPane, k.Enter, k.Tick, k.Search, k.Emergency, k.Rollback, k.Review, k.Sections, k.Stack, k.Database, k.NewRun}
}

func (h *Home) FullHelp() [][]key.Binding { return fullHelp(h) }
