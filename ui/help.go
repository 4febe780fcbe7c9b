package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// helpDialog lists every key (generated from the key bindings), then what
// the marks of the step list mean. It scrolls when the screen is short:
// j/k, ↑/↓, pgup/pgdn move; any other key closes it.
type helpDialog struct {
	dlgBase
	off int
}

// markLegend says what each mark of the step list and of home means, as
// procedure.go (icon, rowView) and nav.go (itemMark, checkMark) draw them.
var markLegend = [][2]string{
	{"▌", "the selected row"},
	{"·", "a command not run yet"},
	{"✓", "ok: the command ended as its runbook says it should"},
	{"⚠", "warning: it ended, but needs a look (not done)"},
	{"✗ exit N", "failed with exit code N"},
	{"!", "before a command: interrupted (cancelled, or its process died)"},
	{"! after", "a destructive command: it asks for a typed phrase"},
	{"↷", "skipped (recorded; not ✓)"},
	{"⣾", "running now (the spinner turns)"},
	{"or …", "an alternative: one of the group runs, never both"},
	{"1:23", "right of a step: how long its commands took"},
	{"[ ] [x]", "a check: not ticked / ticked by a person in this run"},
	{"[~]", "a summary item: some of it done, not all"},
	{"[⚠] [✗] [↷]", "a summary item: a command behind it warned / failed / was skipped"},
	{"›", "after a summary item: enter opens where it is done"},
	{"· after", "a summary item with nowhere to open: tick it on the spot"},
	{"a › b", "in a title or the header: b is part of a (group › step, runbook › section)"},
}

// helpNotes are the rules that are not one key each.
var helpNotes = []string{
	"enter on a step's heading runs its commands still to do, one after another: a change still asks y, a destructive one its phrase, a <placeholder> its value; it stops at a warning, a failure or a no, and esc stops it after the running command (ctrl+c cancels that one).",
	"enter on a command runs that one only; on an \"or …\" row it chooses that alternative (a step run whole runs the first). space ticks a check and moves to the next; ] past the last item goes back where a link came from, or on to the next procedure.",
	"In the log pane: / searches, n/N go to the next/previous match, w wraps, G follows.",
	"n adds a note to the step when no log search is active.",
	"q quits; a running step keeps running (detached) and is re-attached next start.",
}

// helpColumns lays the key groups out side by side in w cells: as many
// columns as fit, each as wide as its widest entry, so no entry wraps.
// Groups are merged (first with second, ...) into fewer columns when the
// screen is narrow. Each entry is "key  description".
func helpColumns(groups [][][2]string, w int) []string {
	for n := len(groups); n >= 1; n-- {
		cols := mergeGroups(groups, n)
		widths := make([]int, len(cols))
		keyW := make([]int, len(cols))
		total := 0
		for i, col := range cols {
			for _, e := range col {
				keyW[i] = max(keyW[i], ansiWidth(e[0]))
			}
			for _, e := range col {
				widths[i] = max(widths[i], keyW[i]+2+ansiWidth(e[1]))
			}
			total += widths[i]
		}
		total += 3 * (len(cols) - 1)
		if total > w && n > 1 {
			continue
		}
		var rows []string
		for r := 0; ; r++ {
			any := false
			var b strings.Builder
			for i, col := range cols {
				if i > 0 {
					b.WriteString("   ")
				}
				cell := ""
				if r < len(col) {
					any = true
					cell = padRight(col[r][0], keyW[i]) + "  " + col[r][1]
				}
				b.WriteString(padRight(cell, widths[i]))
			}
			if !any {
				break
			}
			rows = append(rows, strings.TrimRight(b.String(), " "))
		}
		return rows
	}
	return nil
}

// mergeGroups packs groups into n columns, keeping their order.
func mergeGroups(groups [][][2]string, n int) [][][2]string {
	cols := make([][][2]string, n)
	per := (len(groups) + n - 1) / n
	for i, g := range groups {
		c := min(n-1, i/per)
		if len(cols[c]) > 0 {
			cols[c] = append(cols[c], [2]string{"", ""})
		}
		cols[c] = append(cols[c], g...)
	}
	return cols
}

func padRight(s string, w int) string {
	if d := w - ansiWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// helpEntries turns key bindings into "key", "description" pairs.
func helpEntries(groups [][]key.Binding) [][][2]string {
	out := make([][][2]string, len(groups))
	for i, g := range groups {
		for _, b := range g {
			h := b.Help()
			out[i] = append(out[i], [2]string{h.Key, h.Desc})
		}
	}
	return out
}

// watchHelp is what the overlay adds atop when watching: the watcher's
// own key, and that the keys which would act are refused.
var watchHelp = []string{
	"Watching (read-only):",
	"  a  approve / reject the request of this run awaiting a decision",
	"Keys that would act (run, tick, skip, note, new run, restart, cancel, a phrase) are refused while watching: a flash names who drives.",
	"",
}

// helpBody is the whole overlay's text at inner width w; watch adds the
// watcher's part.
func helpBody(k KeyMap, w int, watch bool) []string {
	var body []string
	if watch {
		for _, l := range watchHelp {
			body = append(body, wrapText(l, w)...)
		}
	}
	body = append(body, helpColumns(helpEntries(k.FullHelp()), w)...)
	body = append(body, "", "Marks in the step list and on home:")
	kw := 0
	for _, e := range markLegend {
		kw = max(kw, ansiWidth(e[0]))
	}
	for _, e := range markLegend {
		for i, l := range wrapText(e[1], max(10, w-kw-4)) {
			lead := padRight(e[0], kw)
			if i > 0 {
				lead = strings.Repeat(" ", kw)
			}
			body = append(body, "  "+lead+"  "+l)
		}
	}
	body = append(body, "")
	for _, n := range helpNotes {
		body = append(body, wrapText(n, w)...)
	}
	return body
}

func helpWidth(c *Context) int { return max(40, c.width-4) }

// helpRows is how many body rows the box shows.
// (the box is two rows shorter than the screen, with a blank row atop and
// below the body).
func helpRows(c *Context) int { return max(3, c.height-6) }

func (d *helpDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	n := len(helpBody(c.keys, helpWidth(c)-4, c.opts.Watch))
	page := helpRows(c)
	last := max(0, n-page)
	switch km.String() {
	case "j", "down":
		d.off++
	case "k", "up":
		d.off--
	case "pgdown", "space", "f":
		d.off += page - 1
	case "pgup", "b":
		d.off -= page - 1
	case "home", "g":
		d.off = 0
	case "end", "G":
		d.off = last
	default:
		return nil, nil
	}
	d.off = max(0, min(d.off, last))
	return d, nil
}

func (d *helpDialog) View() string {
	c := d.c
	w := helpWidth(c)
	body := helpBody(c.keys, w-4, c.opts.Watch)
	page := helpRows(c)
	title := "Keys"
	if len(body) > page {
		off := max(0, min(d.off, len(body)-page))
		title += " · " + scrollPos(off, page, len(body)) + " · j/k pgup/pgdn scroll"
		body = body[off : off+page]
	}
	lines := make([]string, 0, len(body)+2)
	lines = append(lines, "")
	for _, l := range body {
		lines = append(lines, " "+l)
	}
	lines = append(lines, "")
	return c.styles.box(title, lines, w, len(lines)+2, true)
}

// scrollPos says which rows of how many are shown: "rows 1–20 of 48".
func scrollPos(off, page, total int) string {
	return fmt.Sprintf("rows %d–%d of %d", off+1, min(total, off+page), total)
}

func (*helpDialog) ShortHelp() []key.Binding {
	return hints("j/k pgup/pgdn scroll · any other key closes")
}

func (d *helpDialog) FullHelp() [][]key.Binding { return fullHelp(d) }
