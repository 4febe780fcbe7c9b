package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// View renders the whole screen; only the root returns a tea.View.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "planner-tui: " + m.c.rb.Title
	return v
}

func (m *Model) render() string {
	c := m.c
	if c.width == 0 {
		return ""
	}
	if m.tooSmall() {
		msg := fmt.Sprintf("planner-tui needs at least 80×24 (now %d×%d)", c.width, c.height)
		return lipgloss.Place(c.width, c.height, lipgloss.Center, lipgloss.Center,
			c.styles.Bold.Render(msg)+"\n"+c.styles.Faint.Render("enlarge the window, or q to quit"))
	}
	where := ""
	var body string
	if m.page != nil {
		where = m.page.Title()
		body = m.page.View()
	} else if m.proc != nil {
		where = m.proc.sec.Title
		body = m.proc.View()
	} else {
		body = m.home.View()
	}
	lines := []string{fit(c.header(c.width, where), c.width)}
	if m.banner {
		lines = append(lines, fit(c.banner(), c.width))
	}
	status, bottom := c.withEnvWarning(c.statusBar(c.width), c.width), m.bottomLine()
	if rows := flashRows(m.flash, c.width); len(rows) == 2 {
		// a long message (a refusal and its reason) is read whole: it
		// takes the status bar's row until the next key
		status, bottom = m.flashS.Render(rows[0]), m.flashS.Render(rows[1])
	}
	lines = append(lines, body, status, bottom)
	screen := strings.Join(lines, "\n")
	if m.dlg != nil {
		box := m.dlg.View()
		x := max(0, (c.width-lipgloss.Width(box))/2)
		y := max(1, (c.height-lipgloss.Height(box))/2)
		screen = lipgloss.NewCompositor(
			lipgloss.NewLayer(screen),
			lipgloss.NewLayer(box).X(x).Y(y).Z(1),
		).Render()
	}
	return screen
}

// flashRows splits a message too long for one row into two (at spaces;
// what a third row would hold is cut); nil when it fits one row.
func flashRows(text string, w int) []string {
	if text == "" || ansiWidth(text) <= w {
		return nil
	}
	rows := wrapText(text, w)
	if len(rows) < 2 {
		return nil
	}
	second := strings.Join(rows[1:], " ")
	return []string{fit(rows[0], w), fit(second, w)}
}

// bottomLine is the flash message, or the keys that work now.
func (m *Model) bottomLine() string {
	c := m.c
	if m.flash != "" {
		return fit(m.flashS.Render(m.flash), c.width)
	}
	if m.dlg != nil {
		return fit(c.styles.Faint.Render(hintLine(m.dlg.ShortHelp())), c.width)
	}
	k := c.keys
	var b []key.Binding
	switch {
	case m.page != nil && m.page.Capturing():
		return fit(c.styles.Faint.Render("type to search the log · enter find · esc cancel"), c.width)
	case m.page != nil:
		b = m.page.ShortHelp()
	case m.proc != nil && m.proc.Capturing():
		return fit(c.styles.Faint.Render("type to search the log · enter find · esc cancel"), c.width)
	case m.proc != nil:
		b = m.proc.ShortHelp()
	default:
		b = m.home.ShortHelp()
	}
	if c.active != nil {
		b = append(b, k.Cancel)
	}
	b = append(b, k.Quit)
	b = c.watchKeys(b) // watch.go: no key that would act
	return keyLine(c.styles, b, k.Help, c.width)
}

// unzoomKey is how the key line names the way back from the zoomed output.
var unzoomKey = key.NewBinding(key.WithKeys("z", "esc"), key.WithHelp("z/esc", "unzoom"))

// keyLine renders bindings in w cells, always ending with the help key:
// what does not fit is cut before it, never it.
func keyLine(st Styles, b []key.Binding, help key.Binding, w int) string {
	render := func(kb key.Binding) string {
		h := kb.Help()
		return st.Key.Render(h.Key) + " " + st.Faint.Render(h.Desc)
	}
	var parts []string
	for _, kb := range b {
		parts = append(parts, render(kb))
	}
	tail := render(help)
	rest := w - ansiWidth(tail) - 2
	if rest < 1 {
		return fit(tail, w)
	}
	line := strings.Join(parts, "  ")
	if ansiWidth(line) > rest {
		line = ansi.Truncate(line, rest, "…")
	}
	return fit(line+"  "+tail, w)
}
