package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Component is the one contract every screen, page, pane and dialog keeps
// (soft-serve's common.Component): Bubble Tea's Init/Update/View, the keys
// that work in it (help.KeyMap: the bottom line shows ShortHelp) and
// SetSize. One convention instead of four means the root can route, lay out
// and describe any of them without knowing which one it holds, and a test
// can drive any of them alone.
//
// It is not tea.Model: in Bubble Tea v2 only the root's View returns a
// tea.View (the terminal modes: alt screen, mouse, title), so components
// render strings and Update returns a Component. A dialog's Update returns
// nil when it closes.
//
// Components read the shared *Context (the engine's snapshot, sizes,
// styles, keys) and never do I/O in Update or View: what waits runs in the
// tea.Cmd they return.
type Component interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Component, tea.Cmd)
	View() string
	help.KeyMap
	SetSize(w, h int)
}

// fullHelp is FullHelp for a component whose keys fit one column.
func fullHelp(k help.KeyMap) [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// hints are bindings that only describe keys, for a dialog's bottom line:
// "y yes · enter/n/esc no" (each part splits at its first space).
func hints(line string) []key.Binding {
	var b []key.Binding
	for h := range strings.SplitSeq(line, " · ") {
		k, d, _ := strings.Cut(h, " ")
		b = append(b, key.NewBinding(key.WithHelp(k, d)))
	}
	return b
}

// hintLine renders hints as a dialog's bottom line: "y yes · enter/n/esc no".
func hintLine(b []key.Binding) string {
	parts := make([]string, 0, len(b))
	for _, kb := range b {
		h := kb.Help()
		if h.Desc == "" {
			parts = append(parts, h.Key)
			continue
		}
		parts = append(parts, h.Key+" "+h.Desc)
	}
	return strings.Join(parts, " · ")
}

// dlgBase is what every dialog embeds: the shared context and an owner id
// for its answers, given by the root when the dialog opens (bind), and no
// Init of its own.
type dlgBase struct {
	c *Context
	owns
}

func (d *dlgBase) bind(c *Context) {
	d.c = c
	if d.id == 0 {
		d.id = c.newOwner()
	}
}
func (d *dlgBase) Init() tea.Cmd { return nil }

// Dialogs lay out from the screen's size in the context.
func (d *dlgBase) SetSize(int, int) {}

// send hands msg to a component that stays itself (a page, a pane: not a
// dialog, which may close) and returns what it asks for.
func send(c Component, msg tea.Msg) tea.Cmd {
	_, cmd := c.Update(msg)
	return cmd
}

// Every screen, page, pane and dialog keeps the one contract.
var (
	_ Component = (*Home)(nil)
	_ Component = (*Procedure)(nil)
	_ Component = (*LogPane)(nil)
	_ page      = (*Stack)(nil)
	_ page      = (*DBPane)(nil)
	_ page      = (*Review)(nil)
	_ page      = (*Timeline)(nil)
	_ page      = (*RunSummary)(nil)
	_ dialog    = (*confirmDialog)(nil)
	_ dialog    = (*phraseDialog)(nil)
	_ dialog    = (*pickerDialog)(nil)
	_ dialog    = (*paramsDialog)(nil)
	_ dialog    = (*noteDialog)(nil)
	_ dialog    = (*newRunDialog)(nil)
	_ dialog    = (*approvalDialog)(nil)
	_ dialog    = (*helpDialog)(nil)
)
