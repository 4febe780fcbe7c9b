package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/ops/logscan"
)

// LogPane shows the tail of a LogBuffer. It follows new output until the
// user scrolls back; then it stays where it is and counts the lines that
// arrived meanwhile. It only ever looks at the visible window of the buffer,
// so its cost does not depend on how much the command printed.
type LogPane struct {
	c      *Context
	buf    *LogBuffer
	follow bool
	top    int64 // absolute number of the first visible line when not following
	wrap   bool
	w, h   int // content size (h includes the pane's status row)

	query     string
	match     int64
	searching bool
	input     textinput.Model
	note      string // "no match", ...

	rows     []string // visible rows, rebuilt in Update
	newLines int64    // lines below the window (when not following)
	total    int64
	dropped  int64
	empty    string // what to say when there is no buffer
	// caption, when set, leads the pane's status row ("last 200 lines of …").
	caption string
	// classify, when set, colours error and warning lines.
	classify func(string) logscan.Class

	// level filters the lines shown (f); hits are the error and warning
	// lines; mark is the one > or < went to (-1 none); ftop is the first
	// hit shown while filtered and scrolled back.
	level logLevel
	hits  logHits
	mark  int64
	ftop  int
	// path is the full log file, shown whole under the pane ("" none).
	path string
	// closed: the buffer's writer is done, no line is new any more.
	closed bool
}

func newLogPane(c *Context) LogPane {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search the log"
	return LogPane{c: c, follow: true, match: -1, mark: -1, input: in, wrap: c.wrap}
}

// SetBuffer switches the pane to another command's output.
func (l *LogPane) SetBuffer(b *LogBuffer, empty string) {
	l.empty = empty
	if b == l.buf {
		l.refresh()
		return
	}
	l.buf = b
	l.follow = true
	l.match, l.mark, l.ftop = -1, -1, 0
	l.note = ""
	l.refresh()
}

// SetSize sets the pane's inner size.
func (l *LogPane) SetSize(w, h int) {
	l.w, l.h = w, h
	l.input.SetWidth(max(4, w-2))
	l.refresh()
}

func (l *LogPane) rowsAvail() int { return max(1, l.h-1-len(l.pathRows())) }

// pathRows show the full log's path whole, wrapped, under the status row.
func (l *LogPane) pathRows() []string {
	if l.path == "" || l.w <= 0 {
		return nil
	}
	// broken at the width, not at a space: a path is one word, and
	// "full log:" alone on a row would waste it
	return strings.Split(ansi.Hardwrap("full log: "+l.path, l.w, true), "\n")
}

// onOutput is called for each logMsg of this pane's buffer: a frame.
func (l *LogPane) onOutput() {
	if l.follow || l.level != levelAll {
		// (filtered, the rows are hits by index: new lines add hits
		// after the window, which stays where it is)
		l.refresh()
		return
	}
	// scrolled back: leave the window alone, just count
	l.total, l.dropped = l.buf.Stats()
	l.closed = l.buf.Closed()
	l.newLines = max(0, l.total-(l.top+int64(l.rowsAvail())))
}

// refresh rebuilds the visible rows from the buffer.
func (l *LogPane) refresh() {
	l.rows = l.rows[:0]
	if l.buf == nil || l.w <= 0 {
		return
	}
	l.closed = l.buf.Closed()
	if l.level != levelAll {
		l.refreshFiltered()
		return
	}
	n := l.rowsAvail()
	l.total, l.dropped = l.buf.Stats()
	if l.mark >= 0 {
		l.hits.update(l.buf, l.c.classifyShown) // the counter's total
	}
	partial := l.buf.Partial()
	if l.follow {
		want := int64(n)
		if partial != "" {
			want--
		}
		lines, first := l.buf.Lines(l.total-want, l.total)
		if partial != "" {
			lines = append(lines, partial)
		}
		l.top = first
		l.rows = l.render(lines, first, n, true)
		l.newLines = 0
		return
	}
	oldest := l.total - int64(len(l.buf.ring))
	if l.top < oldest {
		l.top = max(0, oldest)
	}
	lines, first := l.buf.Lines(l.top, l.top+int64(n))
	l.top = first
	l.rows = l.render(lines, first, n, false)
	l.newLines = max(0, l.total-(l.top+int64(n)))
}

// render turns lines into at most n rows of width w (wrapped or cut),
// keeping the last rows when fromEnd is set.
func (l *LogPane) render(lines []string, first int64, n int, fromEnd bool) []string {
	var rows []string
	for i, s := range lines {
		abs := first + int64(i)
		hl := l.query != "" && strings.Contains(strings.ToLower(s), strings.ToLower(l.query))
		if l.wrap && ansi.StringWidth(s) > l.w {
			for _, part := range strings.Split(ansi.Hardwrap(s, l.w, true), "\n") {
				rows = append(rows, l.style(part, hl, abs))
			}
			continue
		}
		rows = append(rows, l.style(fit(s, l.w), hl, abs))
	}
	if len(rows) > n {
		if fromEnd {
			rows = rows[len(rows)-n:]
		} else {
			rows = rows[:n]
		}
	}
	return rows
}

// refreshFiltered shows only the error (and warning) lines, each with its
// line number.
func (l *LogPane) refreshFiltered() {
	l.total, l.dropped = l.buf.Stats()
	l.hits.update(l.buf, l.c.classifyShown)
	sel := l.hits.lines(l.level)
	n := l.rowsAvail()
	start := l.ftop
	if l.follow {
		start = len(sel) - n
	}
	start = max(0, min(start, len(sel)-n))
	l.ftop = start
	numW := len(fmt.Sprint(l.total))
	for _, abs := range sel[start:min(len(sel), start+n)] {
		lines, _ := l.buf.Lines(abs, abs+1)
		if len(lines) == 0 {
			continue
		}
		l.rows = append(l.rows, l.style(fit(fmt.Sprintf("%*d ", numW, abs+1)+lines[0], l.w), false, abs))
	}
	l.newLines = 0
}

// gotoHit moves to the next (dir 1) or previous (dir -1) error or warning
// line (errors only under that filter), wrapping around.
func (l *LogPane) gotoHit(dir int) {
	if l.buf == nil {
		return
	}
	l.hits.update(l.buf, l.c.classifyShown)
	sel := l.hits.lines(l.level)
	from := l.mark
	if from < 0 {
		from = l.top - 1
		if dir < 0 {
			from = l.top + int64(l.rowsAvail())
		}
	}
	i := stepHit(sel, from, dir)
	if i < 0 {
		l.note = hitCounter(l.level, -1, 0) + " in the kept lines"
		l.refresh()
		return
	}
	l.note = ""
	l.mark = sel[i]
	if l.level == levelAll {
		l.gotoLine(l.mark)
		return
	}
	l.follow = false
	l.ftop = max(0, i-l.rowsAvail()/2)
	l.refresh()
}

// counter says where the mark is among the hits ("" when not asked for).
func (l *LogPane) counter() string {
	if l.mark < 0 && l.level == levelAll {
		return ""
	}
	sel := l.hits.lines(l.level)
	at := -1
	if i, ok := slices.BinarySearch(sel, l.mark); ok {
		at = i
	}
	return hitCounter(l.level, at, len(sel))
}

// selection is what y copies: the line > or a search went to, else the
// lines on screen.
func (l *LogPane) selection() (text, what string) {
	for _, abs := range []int64{l.mark, l.match} {
		if abs < 0 || l.buf == nil {
			continue
		}
		if lines, _ := l.buf.Lines(abs, abs+1); len(lines) == 1 {
			return ansi.Strip(lines[0]), fmt.Sprintf("line %d", abs+1)
		}
	}
	var out []string
	for _, r := range l.rows {
		out = append(out, strings.TrimRight(ansi.Strip(r), " "))
	}
	return strings.Join(out, "\n"), plural(len(out), "line") + " on screen"
}

func (l *LogPane) style(s string, hl bool, abs int64) string {
	if abs == l.mark {
		return l.c.styles.Match.Render(ansi.Strip(s))
	}
	if !hl {
		if l.classify != nil {
			switch l.classify(s) {
			case logscan.Error:
				return l.c.styles.Error.Render(ansi.Strip(s))
			case logscan.Warning:
				return l.c.styles.Warn.Render(ansi.Strip(s))
			}
		}
		return s
	}
	if abs == l.match {
		return l.c.styles.Match.Render(ansi.Strip(s))
	}
	return l.c.styles.Bold.Render(s)
}

func (l *LogPane) scroll(d int) {
	if l.buf == nil {
		return
	}
	if l.level != levelAll {
		n := l.rowsAvail()
		sel := l.hits.lines(l.level)
		if l.follow {
			l.ftop = max(0, len(sel)-n)
		}
		l.ftop = max(0, l.ftop+d)
		l.follow = l.ftop+n >= len(sel)
		l.refresh()
		return
	}
	n := int64(l.rowsAvail())
	total, _ := l.buf.Stats()
	if l.follow {
		l.top = max(0, total-n)
	}
	l.top += int64(d)
	oldest := total - int64(len(l.buf.ring))
	l.top = max(l.top, max(0, oldest))
	if l.top+n >= total {
		l.follow = true
	} else {
		l.follow = false
	}
	l.refresh()
}

func (l *LogPane) gotoLine(abs int64) {
	l.follow = false
	l.top = max(0, abs-int64(l.rowsAvail()/2))
	total, _ := l.buf.Stats()
	if l.top+int64(l.rowsAvail()) >= total {
		l.top = max(0, total-int64(l.rowsAvail()))
	}
	l.refresh()
}

func (l *LogPane) find(forward bool) {
	if l.buf == nil || l.query == "" {
		return
	}
	// a match is shown among all the lines: the filter goes off
	l.level = levelAll
	from := l.match
	if from < 0 {
		from = l.top - 1
		if !forward {
			from = l.top + int64(l.rowsAvail())
		}
	}
	m := l.buf.Find(l.query, from, forward)
	if m < 0 {
		l.note = fmt.Sprintf("no line matches %q", l.query)
		l.match = -1
		l.refresh()
		return
	}
	l.note = ""
	l.match = m
	l.gotoLine(m)
}

// Capturing says whether the pane takes every key (typing a search).
func (l *LogPane) Capturing() bool { return l.searching }

// Searching reports whether n/N move between matches.
func (l *LogPane) HasQuery() bool { return l.query != "" }

// Init asks for nothing: the pane's owner arms its buffer's wait.
func (l *LogPane) Init() tea.Cmd { return nil }

// ShortHelp is the keys of the pane with the focus (its owner adds the
// ways out: other pane, zoom, back).
func (l *LogPane) ShortHelp() []key.Binding {
	k := l.c.keys
	b := []key.Binding{k.Up, k.Down, k.Search}
	if l.HasQuery() {
		b = append(b, k.Next, k.Prev)
	}
	return append(b, k.Filter, k.NextErr, k.Wrap, k.Bottom)
}

func (l *LogPane) FullHelp() [][]key.Binding { return fullHelp(l) }

// Update handles keys and the mouse wheel while the pane has the focus.
func (l *LogPane) Update(msg tea.Msg) (Component, tea.Cmd) {
	k := l.c.keys
	switch msg := msg.(type) {
	case logMsg:
		// new lines in a buffer: redrawn only by the pane showing it
		if msg.buf == l.buf {
			if msg.final {
				l.refresh()
			} else {
				l.onOutput()
			}
		}
		return l, nil
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			l.scroll(-3)
		case tea.MouseWheelDown:
			l.scroll(3)
		}
		return l, nil
	case tea.KeyPressMsg:
		if l.searching {
			switch msg.String() {
			case "enter":
				l.searching = false
				l.query = l.input.Value()
				l.input.Blur()
				l.match = -1
				l.find(true)
				return l, nil
			case "esc":
				l.searching = false
				l.input.Blur()
				return l, nil
			}
			var cmd tea.Cmd
			l.input, cmd = updateInput(l.input, msg)
			return l, cmd
		}
		switch {
		case key.Matches(msg, k.Search):
			l.searching = true
			l.input.SetValue(l.query)
			return l, l.input.Focus()
		case l.query != "" && key.Matches(msg, k.Next):
			l.find(true)
		case l.query != "" && key.Matches(msg, k.Prev):
			l.find(false)
		case key.Matches(msg, k.Up):
			l.scroll(-1)
		case key.Matches(msg, k.Down):
			l.scroll(1)
		case key.Matches(msg, k.PageUp):
			l.scroll(-l.rowsAvail())
		case key.Matches(msg, k.PageDn):
			l.scroll(l.rowsAvail())
		case key.Matches(msg, k.Top):
			l.follow = false
			l.top, l.ftop = 0, 0
			l.refresh()
		case key.Matches(msg, k.Bottom):
			l.follow = true
			l.refresh()
		case key.Matches(msg, k.Filter):
			l.level = l.level.next()
			l.follow = true
			l.note = ""
			l.refresh()
		case key.Matches(msg, k.NextErr):
			l.gotoHit(1)
		case key.Matches(msg, k.PrevErr):
			l.gotoHit(-1)
		case key.Matches(msg, k.Pager):
			if l.path == "" {
				l.c.emit(flashMsg{text: "this output has no log file to open", warn: true})
				return l, nil
			}
			l.c.emit(pagerReqMsg{path: l.path})
		case key.Matches(msg, k.Copy):
			text, what := l.selection()
			return l, l.c.copyText(text, what)
		case key.Matches(msg, k.Wrap):
			l.wrap = !l.wrap
			l.c.wrap = l.wrap // the next panes, and the next start
			l.refresh()
		case msg.String() == "esc" && l.query != "":
			l.query, l.match, l.note = "", -1, ""
			l.refresh()
		}
	}
	return l, nil
}

// View renders exactly h rows of width w.
func (l LogPane) View() string {
	st := l.c.styles
	rows := l.rows
	if l.buf == nil {
		rows = []string{st.Faint.Render(l.empty)}
	}
	body := padLines(rows, l.w, l.rowsAvail())
	var status string
	switch {
	case l.searching:
		status = l.input.View()
	case l.note != "":
		status = st.Warn.Render(l.note)
	case l.buf == nil:
		status = ""
	default:
		var parts []string
		if l.query != "" {
			parts = append(parts, "/"+l.query+" (n/N)")
		}
		if l.level != levelAll {
			parts = append(parts, l.level.String()+" (f)")
		}
		if c := l.counter(); c != "" {
			parts = append(parts, c)
		}
		if !l.follow && l.newLines > 0 {
			// a finished command prints nothing new: what is below was
			// there all along
			// (the counter first: it is what the operator is reading)
			if len(parts) > 0 {
				status = st.Faint.Render(strings.Join(parts, " · ") + " · ")
			}
			if l.closed {
				status += st.Faint.Render(fmt.Sprintf("%d more lines below ↓ (G: the end)", l.newLines))
			} else {
				status += st.Warn.Render(fmt.Sprintf("%d new lines ↓", l.newLines)) + st.Faint.Render(" (G follows)")
			}
			break
		}
		parts = append(parts, fmt.Sprintf("%d lines", l.total))
		if l.caption != "" {
			parts = append(parts, l.caption)
		}
		if l.dropped > 0 {
			parts = append(parts, fmt.Sprintf("%d older only in the log file", l.dropped))
		}
		if l.follow {
			parts = append(parts, "following")
		} else {
			parts = append(parts, "scrolled")
		}
		if l.wrap {
			parts = append(parts, "wrap")
		}
		status = st.Faint.Render(strings.Join(parts, " · "))
	}
	out := body + "\n" + fit(status, l.w)
	for _, r := range l.pathRows() {
		out += "\n" + st.Faint.Render(fit(r, l.w))
	}
	return out
}
