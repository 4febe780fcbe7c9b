package ui

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/fsutil"
	"planner-tui/ops/report"
)

// The run at the end: a page that says what a procedure (or the whole run)
// did — each command's outcome and duration, how long it all took, what
// failed or warned, the notes, the deployment's before and after — and
// writes the report (the same Markdown as `planner-tui report`) into the
// run's dir. It opens by itself when the last command of a procedure ends
// (summaryAfter) and with S at any time. Its lines come from a pure
// function over the run the screen reads (summaryLines); the only I/O,
// writing the report, runs in a Cmd.

// reportName is the report's file in the run's dir.
const reportName = "report.md"

// writeReportKey is the summary page's own key: it means nothing elsewhere.
var writeReportKey = key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write report"))

// reportWrittenMsg says where the report went (or why it did not).
type reportWrittenMsg struct {
	path string
	size int
	err  error
}

// RunSummary is the summary page of one procedure (sec), or of the whole
// run (sec nil: opened from home).
type RunSummary struct {
	c    *Context
	sec  *checklist.Section
	w, h int
	off  int // lines scrolled from the top
	// what the last write of the report said
	wrote    string
	writeErr string
	writing  bool
}

func newRunSummary(c *Context, sec *checklist.Section) *RunSummary {
	return &RunSummary{c: c, sec: sec}
}

func (s *RunSummary) Title() string {
	if s.sec == nil {
		return "Run summary"
	}
	return s.sec.Title + " · summary"
}
func (s *RunSummary) Capturing() bool           { return false }
func (s *RunSummary) WantsEsc() bool            { return false }
func (s *RunSummary) SetSize(w, h int)          { s.w, s.h = w, h }
func (s *RunSummary) close()                    {}
func (s *RunSummary) onSnap() tea.Cmd           { return nil }
func (s *RunSummary) FullHelp() [][]key.Binding { return fullHelp(s) }

// ShortHelp is the bottom line while the page is shown.
func (s *RunSummary) ShortHelp() []key.Binding {
	k := s.c.keys
	if s.sec != nil {
		// a procedure's summary is where the flow paused: ] goes on
		return []key.Binding{k.NextPending, writeReportKey, k.Rollback, k.Up, k.Down, k.PageUp, k.PageDn, k.Back}
	}
	return []key.Binding{writeReportKey, k.Up, k.Down, k.PageUp, k.PageDn, k.Back}
}

// Update is the Component's: the RunSummary's handling is update.
func (s *RunSummary) Update(msg tea.Msg) (Component, tea.Cmd) { return s, s.update(msg) }

// Init asks for nothing: what the RunSummary shows comes with the snapshot.
func (s *RunSummary) Init() tea.Cmd { return nil }

func (s *RunSummary) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case reportWrittenMsg:
		s.writing = false
		if msg.err != nil {
			s.wrote, s.writeErr = "", msg.err.Error()
			return nil
		}
		s.wrote, s.writeErr = msg.path, ""
		return nil
	case tea.KeyPressMsg:
		k := s.c.keys
		page := max(1, s.h-2)
		switch {
		case key.Matches(msg, k.NextPending) && s.sec != nil:
			s.c.emit(flowOnMsg{dir: 1})
			return nil
		case key.Matches(msg, writeReportKey):
			if s.writing {
				return nil
			}
			s.writing = true
			return writeReportCmd(s.c)
		case key.Matches(msg, k.Up):
			s.off--
		case key.Matches(msg, k.Down):
			s.off++
		case key.Matches(msg, k.PageUp):
			s.off -= page
		case key.Matches(msg, k.PageDn):
			s.off += page
		case key.Matches(msg, k.Top):
			s.off = 0
		case key.Matches(msg, k.Bottom):
			s.off = 1 << 30
		}
		s.off = max(0, s.off)
	}
	return nil
}

func (s *RunSummary) View() string {
	lines := summaryLines(s.c, s.sec, max(20, s.w-2))
	lines = append(lines, "")
	path := reportPath(s.c)
	switch {
	case s.writing:
		lines = append(lines, s.c.styles.Faint.Render(" writing the report…"))
	case s.writeErr != "":
		lines = append(lines, wrapIndent(s.c.styles.Error, "the report was NOT written: "+s.writeErr, s.w)...)
	case s.wrote != "":
		lines = append(lines, wrapIndent(s.c.styles.OK, "report written: "+s.wrote, s.w)...)
	case path == "":
		lines = append(lines, wrapIndent(s.c.styles.Faint, "no run dir yet: nothing to write a report into", s.w)...)
	default:
		lines = append(lines, wrapIndent(s.c.styles.Faint, "w writes the report (as planner-tui report --format md) to "+path, s.w)...)
	}
	h := max(1, s.h)
	s.off = min(s.off, max(0, len(lines)-h))
	out := lines[s.off:min(len(lines), s.off+h)]
	for i := range out {
		out[i] = fit(out[i], s.w)
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// wrapIndent wraps a message whole (a path is never cut), one space in.
func wrapIndent(st interface{ Render(...string) string }, text string, w int) []string {
	var out []string
	for _, l := range wrapText(text, max(10, w-2)) {
		out = append(out, " "+st.Render(l))
	}
	return out
}

// reportPath is where w writes the report: the run's dir in the state dir
// ("" when the screen has no state dir or the run no id yet).
func reportPath(c *Context) string {
	if c.stateDir == "" || c.run.ID == "" {
		return ""
	}
	return filepath.Join((&checklist.Store{Dir: c.stateDir}).RunDir(c.run.ID), reportName)
}

// writeReportCmd renders the report from the snapshot's run (immutable)
// and writes it atomically, in a Cmd.
func writeReportCmd(c *Context) tea.Cmd {
	path := reportPath(c)
	rb, run := c.rb, c.run.Clone()
	mask := func(s string) string { return s }
	if c.snapshot != nil {
		mask = c.snapshot.Mask
	}
	return func() tea.Msg {
		if path == "" {
			return reportWrittenMsg{err: fmt.Errorf("no run yet: the report needs a run dir")}
		}
		var b bytes.Buffer
		report.Markdown(&b, rb, &run, mask)
		if err := fsutil.WriteFileAtomic(path, b.Bytes(), 0o600); err != nil {
			return reportWrittenMsg{err: fmt.Errorf("write the report: %w", err)}
		}
		return reportWrittenMsg{path: path, size: b.Len()}
	}
}

// procedureEnded says whether the end of cmdID completes its procedure:
// it is the procedure's last command (or of its last alternative group),
// or nothing in the procedure is left to do and nothing runs.
func procedureEnded(c *Context, sec *checklist.Section, cmdID string) bool {
	rows := procRows(sec)
	var last *checklist.Command
	for _, r := range rows {
		if r.kind == rowCmd {
			last = r.cmd
		}
	}
	if last == nil {
		return false
	}
	for _, alt := range c.rb.Alternatives(last.ID) {
		if alt.ID == cmdID {
			return true
		}
	}
	if last.ID == cmdID {
		return true
	}
	v := flowView{
		status: c.status,
		ticked: c.checked,
		group:  c.rb.Alternatives,
		linked: func(r procRow) []procRow { return linkedRows(c.rb, sec, r) },
	}
	for _, r := range rows {
		if v.pendingRow(r) || (r.kind == rowCmd && c.status(r.cmd.ID).Status == checklist.Running) {
			return false
		}
	}
	return true
}

// summaryAfter opens the summary when the end of cmdID completes its
// procedure. Not over another page or a dialog (the operator chose to look
// there: S shows it), not for a procedure of one command (its output says
// it all), nor for the emergency playbooks (each stands alone).
func (m *Model) summaryAfter(cmdID string) {
	c := m.c
	cmd, t := findCommand(c.rb, cmdID)
	if cmd == nil || t.sec == nil || m.page != nil || m.dlg != nil {
		return
	}
	if t.sec == roleSection(c.rb, "emergency", "Emergency Procedures") || countCommands(t.sec) < 2 {
		return
	}
	if !procedureEnded(c, t.sec, cmdID) {
		return
	}
	m.remember()
	m.openPage(newRunSummary(c, t.sec))
}

func isRunSummary(p page) bool {
	_, ok := p.(*RunSummary)
	return ok
}

// openSummary is S: the summary of the procedure shown, or of the run.
func (m *Model) openSummary() tea.Cmd {
	var sec *checklist.Section
	if m.proc != nil {
		sec = m.proc.sec
	}
	if s, ok := m.page.(*RunSummary); ok && s.sec == sec {
		return nil
	}
	m.remember()
	return m.openPage(newRunSummary(m.c, sec))
}

// onReportWritten tells the summary page (when it is still open) and the
// operator where the report went.
func (m *Model) onReportWritten(msg reportWrittenMsg) tea.Cmd {
	if s, ok := m.page.(*RunSummary); ok {
		s.update(msg)
	}
	if msg.err != nil {
		m.setFlash("the report was NOT written: "+msg.err.Error(), m.c.styles.Error)
		return nil
	}
	m.setFlash(fmt.Sprintf("report written: %s (%d bytes)", msg.path, msg.size), m.c.styles.OK)
	return nil
}

func countCommands(sec *checklist.Section) int {
	n := 0
	for _, st := range sec.Steps {
		n += len(st.Commands)
	}
	return n
}
