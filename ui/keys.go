package ui

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding; the help overlay and the bottom line are
// generated from it, so what the screen says is what the keys do.
type KeyMap struct {
	Up, Down       key.Binding
	NextPane       key.Binding
	PrevPane       key.Binding
	Enter          key.Binding
	Tick           key.Binding
	Back           key.Binding
	Search         key.Binding
	Next, Prev     key.Binding // log search matches
	Emergency      key.Binding
	Rollback       key.Binding
	Sections       key.Binding
	Note           key.Binding
	Wrap           key.Binding
	Top, Bottom    key.Binding
	PageUp, PageDn key.Binding
	Cancel         key.Binding
	Stack          key.Binding
	Database       key.Binding
	Restart        key.Binding
	Refresh        key.Binding
	Skip           key.Binding
	NextPending    key.Binding // the next item still to do in the procedure
	PrevPending    key.Binding
	Zoom           key.Binding // the output pane over the whole screen
	Filter         key.Binding // the log: all, warnings+errors, errors
	NextErr        key.Binding // the next error or warning line of the log
	PrevErr        key.Binding
	Pager          key.Binding // the full log in $PAGER
	Copy           key.Binding // to the clipboard (OSC 52)
	NewRun         key.Binding
	Timeline       key.Binding // the run's story (timeline.go)
	Summary        key.Binding // the procedure's (or run's) summary (runsummary.go)
	Review         key.Binding // Review changes: op plan as a page (review.go)
	Help           key.Binding
	Quit           key.Binding
}

// DefaultKeyMap returns the bindings described in the design.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:          b("↑/k", "up", "up", "k"),
		Down:        b("↓/j", "down", "down", "j"),
		NextPane:    b("tab/→/l", "next pane", "tab", "right", "l"),
		PrevPane:    b("⇧tab/←/h", "prev pane", "shift+tab", "left", "h"),
		Enter:       b("enter", "open / run", "enter"),
		Tick:        b("space", "tick check", "space"),
		Back:        b("esc", "back", "esc"),
		Search:      b("/", "search", "/"),
		Next:        b("n", "next match", "n"),
		Prev:        b("N", "prev match", "N"),
		Emergency:   b("e", "emergency", "e"),
		Rollback:    b("r", "rollback", "r"),
		Sections:    b("g", "all sections", "g"),
		Note:        b("n", "add note", "n"),
		Wrap:        b("w", "wrap log", "w"),
		Top:         b("home", "log top", "home"),
		Bottom:      b("end/G", "log end, follow", "end", "G"),
		PageUp:      b("pgup", "page up", "pgup"),
		PageDn:      b("pgdn", "page down", "pgdown"),
		Cancel:      b("ctrl+c", "cancel step", "ctrl+c"),
		Stack:       b("s", "stack", "s"),
		Database:    b("d", "database", "d"),
		Restart:     b("R", "restart container", "R"),
		Refresh:     b("r/enter", "check again", "r"),
		Skip:        b("x", "skip command", "x"),
		NextPending: b("]", "next to do", "]"),
		PrevPending: b("[", "prev to do", "["),
		Zoom:        b("z", "zoom output", "z"),
		Filter:      b("f", "filter errors", "f"),
		NextErr:     b(">", "next error", ">"),
		PrevErr:     b("<", "prev error", "<"),
		Pager:       b("o", "full log in $PAGER", "o"),
		Copy:        b("y", "copy", "y"),
		NewRun:      b("N", "new run", "N"),
		Timeline:    b("t", "timeline", "t"),
		Summary:     b("S", "summary, report", "S"),
		Review:      b("c", "review changes", "c"),
		Help:        b("?", "help", "?"),
		Quit:        b("q", "quit", "q"),
	}
}

// FullHelp groups the bindings for the ? overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.NextPending, k.PrevPending, k.NextPane, k.PrevPane, k.Enter, k.Tick, k.Back},
		{k.Search, k.Emergency, k.Rollback, k.Sections, k.Note, k.Skip, k.Help, k.Quit},
		{k.Stack, k.Database, k.Restart, k.Refresh, k.NewRun, k.Timeline, k.Summary, k.Review},
		{k.Zoom, k.Wrap, k.Next, k.Prev, k.Filter, k.NextErr, k.PrevErr, k.Pager, k.Copy, k.PageUp, k.PageDn, k.Top, k.Bottom, k.Cancel},
	}
}
