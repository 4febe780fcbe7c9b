package ui

import (
	"fmt"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/report"
)

// The run summary's lines (runsummary.go shows them): pure functions over
// the runbook and the run as the screen sees it, so tests reach them.

// summaryEntry is one command the summary lists.
type summaryEntry struct {
	cmd      *checklist.Command
	cr       checklist.CommandRun
	via      string // the procedure it is in, when reached through a link
	attempts int
}

// procSummary is what a procedure (or the run) did, as the summary shows it.
type procSummary struct {
	entries     []summaryEntry
	counts      map[checklist.Status]int
	notChosen   int
	first, last time.Time
	running     bool
	checks      int // manual checks in scope
	ticked      int
	notes       []summaryNote
}

type summaryNote struct {
	step string
	note checklist.Note
}

// summarise gathers the commands of secs (and of the procedures their
// link-only steps lead to) with their state in run.
func summarise(rb *checklist.Runbook, secs []*checklist.Section, status func(string) checklist.CommandRun, run *checklist.Run, now time.Time) procSummary {
	ps := procSummary{counts: map[checklist.Status]int{}}
	seen := map[string]bool{}
	add := func(cmd *checklist.Command, via string) {
		if seen[cmd.ID] {
			return
		}
		seen[cmd.ID] = true
		cr := status(cmd.ID)
		if cr.Status == checklist.Pending {
			for _, alt := range rb.Alternatives(cmd.ID) {
				if alt.ID != cmd.ID && status(alt.ID).Status != checklist.Pending {
					ps.notChosen++
					return
				}
			}
		}
		ps.counts[cr.Status]++
		if cr.Status == checklist.Running {
			ps.running = true
		}
		if !cr.Started.IsZero() {
			end := cr.Ended
			if end.IsZero() {
				end = now
			}
			if ps.first.IsZero() || cr.Started.Before(ps.first) {
				ps.first = cr.Started
			}
			if end.After(ps.last) {
				ps.last = end
			}
		}
		n := 0
		if run != nil {
			n = len(run.AttemptsOf(cmd.ID))
		}
		ps.entries = append(ps.entries, summaryEntry{cmd: cmd, cr: cr, via: via, attempts: n})
	}
	for _, sec := range secs {
		for si, st := range sec.Steps {
			for _, cmd := range st.Commands {
				add(cmd, "")
			}
			for _, ch := range st.Checks {
				ps.checks++
				if run != nil && run.Ticked(ch) {
					ps.ticked++
				}
			}
			if run != nil {
				for _, n := range run.Notes[st.ID] {
					ps.notes = append(ps.notes, summaryNote{step: st.Title, note: n})
				}
			}
			if len(secs) == 1 {
				for _, lr := range linkedRows(rb, sec, procRow{kind: rowStep, step: si}) {
					if lr.kind == rowCmd {
						tsec, _ := rb.Anchor(st.Links[0])
						add(lr.cmd, tsec.Title)
					}
				}
			}
		}
	}
	return ps
}

// summaryMark is a command's outcome as one mark: ✓ only for ok.
func summaryMark(s checklist.Status) string {
	switch s {
	case checklist.OK:
		return "✓"
	case checklist.Warning:
		return "⚠"
	case checklist.Failed:
		return "✗"
	case checklist.Interrupted:
		return "!"
	case checklist.Skipped:
		return "↷"
	case checklist.Running:
		return "▶"
	}
	return "·"
}

// summaryLines are the page's lines, w cells wide, before scrolling.
// sec nil summarises every section of the run.
func summaryLines(c *Context, sec *checklist.Section, w int) []string {
	st := c.styles
	mask := func(s string) string { return s }
	if c.snapshot != nil {
		mask = c.snapshot.Mask
	}
	now := c.now
	if now.IsZero() {
		now = time.Now()
	}
	secs := c.rb.Sections
	title := "The run " + c.run.ID
	if sec != nil {
		secs, title = []*checklist.Section{sec}, sec.Title
	}
	ps := summarise(c.rb, secs, c.status, &c.run, now)
	var lines []string
	add := func(style interface{ Render(...string) string }, text string, indent int) {
		pad := strings.Repeat(" ", indent)
		for i, l := range wrapText(text, max(10, w-indent)) {
			if i > 0 {
				l = "  " + l
			}
			lines = append(lines, pad+style.Render(l))
		}
	}
	add(st.Bold, title, 1)

	// how long, how it went
	var head []string
	switch {
	case ps.first.IsZero():
		head = append(head, "nothing ran yet")
	case ps.running:
		head = append(head, fmtDuration(now.Sub(ps.first))+" so far (a command is running)")
	default:
		head = append(head, "took "+fmtDuration(ps.last.Sub(ps.first))+
			" ("+ps.first.Local().Format("15:04:05")+" → "+ps.last.Local().Format("15:04:05")+")")
	}
	ran := ps.counts[checklist.OK] + ps.counts[checklist.Warning] + ps.counts[checklist.Failed] + ps.counts[checklist.Interrupted]
	head = append(head, fmt.Sprintf("%d ran: %d ✓ ok, %d ⚠ warning, %d ✗ failed", ran, ps.counts[checklist.OK], ps.counts[checklist.Warning], ps.counts[checklist.Failed]))
	if n := ps.counts[checklist.Interrupted]; n > 0 {
		head = append(head, fmt.Sprintf("%d ! interrupted", n))
	}
	if n := ps.counts[checklist.Skipped]; n > 0 {
		head = append(head, fmt.Sprintf("%d ↷ skipped", n))
	}
	if n := ps.counts[checklist.Pending]; n > 0 {
		head = append(head, fmt.Sprintf("%d not run", n))
	}
	if ps.notChosen > 0 {
		head = append(head, fmt.Sprintf("%d alternatives not chosen", ps.notChosen))
	}
	if ps.checks > 0 {
		head = append(head, fmt.Sprintf("checks ticked %d/%d", ps.ticked, ps.checks))
	}
	add(st.Faint, strings.Join(head, " · "), 1)

	// the deployment record, when there is one
	if d := report.DeploymentOf(c.rb, &c.run, mask); d != nil {
		lines = append(lines, "")
		if d.Statement != "" {
			add(st.Bold, d.Statement, 1)
		}
		for _, side := range []struct {
			name string
			s    *checklist.StackState
		}{{"from", d.From}, {"to", d.To}} {
			if side.s != nil {
				add(st.Faint, side.name+": "+stateLine(side.s), 3)
			}
		}
		for _, o := range d.Outages {
			if o.To.IsZero() {
				add(st.Warn, "outage since "+o.From.Local().Format("15:04:05")+", not seen healthy since", 3)
				continue
			}
			add(st.Faint, fmt.Sprintf("outage %s → %s, %s", o.From.Local().Format("15:04:05"), o.To.Local().Format("15:04:05"), fmtDuration(time.Duration(o.Seconds*float64(time.Second)))), 3)
		}
	}

	// each command
	lines = append(lines, "", " "+st.Bold.Render("Commands"))
	if len(ps.entries) == 0 {
		add(st.Faint, "(no commands)", 2)
	}
	nameW := 0
	for _, e := range ps.entries {
		nameW = max(nameW, ansiWidth(entryName(e)))
	}
	nameW = min(nameW, max(10, w/2))
	for _, e := range ps.entries {
		text := summaryMark(e.cr.Status) + " " + padRight(entryName(e), nameW) + "  " + entryOutcome(e, now)
		add(statusStyle(st, e.cr.Status), text, 2)
	}

	// what needs a look
	var look []summaryEntry
	for _, e := range ps.entries {
		switch e.cr.Status {
		case checklist.Failed, checklist.Warning, checklist.Interrupted:
			look = append(look, e)
		}
	}
	if len(look) > 0 {
		lines = append(lines, "", " "+st.Bold.Render("Failed or warned"))
		for _, e := range look {
			why := strings.TrimSpace(strings.Join(nonEmpty(mask(e.cr.Detail), mask(e.cr.Error)), "; "))
			if why == "" {
				why = "no reason recorded"
			}
			add(statusStyle(st, e.cr.Status), summaryMark(e.cr.Status)+" "+e.cmd.Title+": "+why, 2)
		}
	}

	// notes
	if len(ps.notes) > 0 {
		lines = append(lines, "", " "+st.Bold.Render("Notes"))
		for _, n := range ps.notes {
			add(lipglossPlain{}, n.note.At.Local().Format("15:04")+" "+n.step+" ("+mask(n.note.By)+"): "+mask(n.note.Text), 2)
		}
	}
	return lines
}

// lipglossPlain renders text as it is.
type lipglossPlain struct{}

func (lipglossPlain) Render(s ...string) string { return strings.Join(s, " ") }

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func entryName(e summaryEntry) string {
	if e.via != "" {
		return e.via + " › " + e.cmd.Title
	}
	return e.cmd.Title
}

// entryOutcome is a command's outcome in words: status, exit code, how
// long, attempts.
func entryOutcome(e summaryEntry, now time.Time) string {
	cr := e.cr
	var s string
	switch cr.Status {
	case checklist.Pending:
		return "not run"
	case checklist.Running:
		s = "running"
	case checklist.Skipped:
		s = "skipped"
	case checklist.OK, checklist.Warning, checklist.Failed:
		s = fmt.Sprintf("%s, exit %d", cr.Status, cr.ExitCode)
	default:
		s = string(cr.Status)
	}
	if !cr.Started.IsZero() {
		end := cr.Ended
		if end.IsZero() {
			end = now
		}
		s += " · " + fmtDuration(end.Sub(cr.Started))
	}
	if e.attempts > 1 {
		s += fmt.Sprintf(" · %d attempts", e.attempts)
	}
	return s
}

func statusStyle(st Styles, s checklist.Status) interface{ Render(...string) string } {
	switch s {
	case checklist.OK:
		return st.OK
	case checklist.Warning:
		return st.Warn
	case checklist.Failed, checklist.Interrupted:
		return st.Error
	}
	return st.Faint
}

// stateLine is one side of the deployment record on one line.
func stateLine(s *checklist.StackState) string {
	var parts []string
	if s.AppVersion != "" {
		parts = append(parts, "version "+s.AppVersion)
	}
	if s.Tag != "" {
		parts = append(parts, "tag "+s.Tag)
	}
	if s.Commit != "" {
		c := s.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		parts = append(parts, "commit "+c)
	}
	if s.Revision != "" {
		parts = append(parts, "revision "+s.Revision)
	}
	if s.Backup != nil {
		parts = append(parts, "backup "+s.Backup.Path)
	}
	if !s.At.IsZero() {
		parts = append(parts, "at "+s.At.Local().Format("15:04:05"))
	}
	if len(parts) == 0 {
		return "not read"
	}
	return strings.Join(parts, " · ")
}
