package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/host"
)

// DBPane shows the latest database report; r or enter asks for a fresh one.
type DBPane struct {
	c       *Context
	w, h    int
	asked   time.Time // when a refresh was asked for (zero: none pending)
	checked time.Time // DBAt of the report on screen when it was asked
}

func newDBPane(c *Context) *DBPane { return &DBPane{c: c} }

func (d *DBPane) Title() string             { return "Database" }
func (d *DBPane) Capturing() bool           { return false }
func (d *DBPane) WantsEsc() bool            { return false }
func (d *DBPane) SetSize(w, h int)          { d.w, d.h = w, h }
func (d *DBPane) close()                    {}
func (d *DBPane) FullHelp() [][]key.Binding { return fullHelp(d) }

// ShortHelp is the bottom line while the page is shown.
func (d *DBPane) ShortHelp() []key.Binding {
	k := d.c.keys
	return []key.Binding{k.Refresh, k.Stack, k.Back}
}

func (d *DBPane) onSnap() tea.Cmd {
	if !d.asked.IsZero() && d.c.snap != nil && d.c.snap.DBAt.After(d.checked) {
		d.asked = time.Time{}
	}
	return nil
}

// Update is the Component's: the DBPane's handling is update.
func (d *DBPane) Update(msg tea.Msg) (Component, tea.Cmd) { return d, d.update(msg) }

// Init asks for nothing: what the DBPane shows comes with the snapshot.
func (d *DBPane) Init() tea.Cmd { return nil }

func (d *DBPane) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if key.Matches(km, d.c.keys.Refresh, d.c.keys.Enter) && d.c.opts.Monitor != nil {
		d.asked = time.Now()
		if d.c.snap != nil {
			d.checked = d.c.snap.DBAt
		}
		d.c.opts.Monitor.Refresh()
	}
	return nil
}

func (d *DBPane) View() string {
	c, st := d.c, d.c.styles
	var lines []string
	add := func(label, value string) {
		lines = append(lines, fmt.Sprintf(" %-18s %s", label, value))
	}
	switch {
	case c.opts.Monitor == nil:
		lines = append(lines, st.Faint.Render(" the database is not monitored"))
	case c.snap == nil || !c.snap.DBKnown:
		lines = append(lines, st.Faint.Render(" checking the database…"))
	default:
		s := *c.snap
		r := s.DB
		when := "checked " + ago(c.now, s.DBAt)
		if !d.asked.IsZero() {
			when += " · checking again…"
		}
		lines = append(lines, st.Faint.Render(" "+when), "")
		if !r.Reachable {
			add("reachable", st.Error.Render("✗ no"))
			for _, l := range wrapText(c.dbStatus(s, 0), max(10, d.w-4)) {
				lines = append(lines, " "+l)
			}
			break
		}
		add("reachable", st.OK.Render("✓ yes")+st.Faint.Render(fmt.Sprintf(" (round trip %s)", r.Latency.Round(100*time.Microsecond))))
		add("version", r.ServerVersion)
		add("size", host.Bytes(uint64(max(0, r.DBSize))))
		add("connections", fmt.Sprint(r.Connections))
		rev := r.Revision
		if rev == "" {
			rev = st.Warn.Render("none (never migrated)")
		}
		add("alembic revision", rev)
		if len(r.Revisions) > 1 {
			add("", st.Warn.Render("branched: "+strings.Join(r.Revisions, ", ")+" (more than one head)"))
		} else {
			add("", st.Faint.Render("not branched"))
		}
		add("tables", fmt.Sprintf("%d: %s", len(r.Tables), strings.Join(r.Tables, ", ")))
		names := make([]string, 0, len(r.RowCounts))
		for n := range r.RowCounts {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			label := ""
			if i == 0 {
				label = "critical rows"
			}
			add(label, fmt.Sprintf("%-20s %d", n, r.RowCounts[n]))
		}
		if len(r.Missing) > 0 {
			add("missing tables", st.Error.Render(strings.Join(r.Missing, ", ")))
		}
		if r.Err != "" {
			lines = append(lines, "", " "+st.Warn.Render(r.Err))
		}
	}
	// the table list and errors wrap: read whole, never cut
	return st.box("Database", wrapLines(lines, max(10, d.w-2)), d.w, d.h, true)
}
