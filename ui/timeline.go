package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
)

// Timeline is the run's story as a page (t): every attempt of every
// command with its duration and outcome, the phrases typed, notes, checks,
// backups, the outage windows and the deployment's before and after, in
// time order; the newest at the bottom, shown first. It reads only the
// snapshot's run (Context.run) and builds its lines in View: no I/O.
type Timeline struct {
	c    *Context
	w, h int
	off  int // lines scrolled up from the bottom
}

func newTimeline(c *Context) *Timeline { return &Timeline{c: c} }

func (t *Timeline) Title() string             { return "Timeline" }
func (t *Timeline) Capturing() bool           { return false }
func (t *Timeline) WantsEsc() bool            { return false }
func (t *Timeline) SetSize(w, h int)          { t.w, t.h = w, h }
func (t *Timeline) close()                    {}
func (t *Timeline) onSnap() tea.Cmd           { return nil }
func (t *Timeline) FullHelp() [][]key.Binding { return fullHelp(t) }

// ShortHelp is the bottom line while the page is shown.
func (t *Timeline) ShortHelp() []key.Binding {
	k := t.c.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDn, k.Bottom, k.Back}
}

// Update is the Component's: the Timeline's handling is update.
func (t *Timeline) Update(msg tea.Msg) (Component, tea.Cmd) { return t, t.update(msg) }

// Init asks for nothing: what the Timeline shows comes with the snapshot.
func (t *Timeline) Init() tea.Cmd { return nil }

func (t *Timeline) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := t.c.keys
	page := max(1, t.h-3)
	switch {
	case key.Matches(km, k.Up):
		t.off++
	case key.Matches(km, k.Down):
		t.off--
	case key.Matches(km, k.PageUp):
		t.off += page
	case key.Matches(km, k.PageDn):
		t.off -= page
	case key.Matches(km, k.Bottom):
		t.off = 0
	case key.Matches(km, k.Top):
		t.off = 1 << 30
	}
	t.off = max(0, t.off)
	return nil
}

// timelineLines are the page's lines, w cells wide, before scrolling.
func timelineLines(c *Context, w int) []string {
	st := c.styles
	mask := func(s string) string { return s }
	if c.snapshot != nil {
		mask = c.snapshot.Mask
	}
	var lines []string
	if s := c.run.Deployment.Statement(time.Local); s != "" {
		lines = append(lines, st.Bold.Render(" "+s))
	}
	now := c.now
	if now.IsZero() {
		now = time.Now()
	}
	for _, o := range checklist.Outages(c.rb, &c.run) {
		if o.To.IsZero() {
			lines = append(lines, st.Warn.Render(fmt.Sprintf(" outage since %s (%s so far)", o.From.Local().Format("15:04:05"), fmtDuration(o.Duration(now)))))
		} else {
			lines = append(lines, st.Faint.Render(fmt.Sprintf(" outage %s → %s, %s", o.From.Local().Format("15:04:05"), o.To.Local().Format("15:04:05"), fmtDuration(o.Duration(now)))))
		}
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	ev := checklist.Timeline(c.rb, &c.run)
	if len(ev) == 0 {
		return append(lines, st.Faint.Render(" nothing has happened in this run yet"))
	}
	for _, e := range ev {
		text := e.At.Local().Format("15:04:05") + "  " + e.Line(mask)
		style := st.Faint
		switch {
		case e.Kind == checklist.EventAttempt && e.Status == checklist.Failed, e.Kind == checklist.EventAttempt && e.Status == checklist.Interrupted:
			style = st.Error
		case e.Kind == checklist.EventAttempt && e.Status == checklist.Warning, e.Kind == checklist.EventOutageFrom, e.Kind == checklist.EventRolledBack:
			style = st.Warn
		case e.Kind == checklist.EventAttempt && e.Status == checklist.OK:
			style = st.OK
		case e.Kind == checklist.EventAttempt, e.Kind == checklist.EventNote, e.Kind == checklist.EventFrom, e.Kind == checklist.EventTo:
			style = st.Bold
		}
		// Wrapped, never cut: a phrase or a note must be read whole.
		// continuation lines are indented past the time: 10 cells
		for i, l := range wrapText(text, max(10, w-13)) {
			if i > 0 {
				l = "          " + l
			}
			lines = append(lines, " "+style.Render(l))
		}
	}
	return lines
}

func (t *Timeline) View() string {
	lines := timelineLines(t.c, t.w)
	h := max(1, t.h)
	t.off = min(t.off, max(0, len(lines)-h))
	end := len(lines) - t.off
	start := max(0, end-h)
	out := lines[start:end]
	for i := range out {
		out[i] = fit(out[i], t.w)
	}
	return strings.Join(out, "\n")
}
