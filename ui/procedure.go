package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

type rowKind int

const (
	rowStep rowKind = iota
	rowCheck
	rowCmd
)

type procRow struct {
	kind  rowKind
	step  int
	check *checklist.Check
	cmd   *checklist.Command
}

// Procedure is one section of the runbook: its steps, checks and commands on
// the left; the selected step's description, command, risk, status and log
// on the right.
type Procedure struct {
	c     *Context
	sec   *checklist.Section
	rows  []procRow
	sel   int
	off   int // first visible row
	focus int // 0 list, 1 log
	// zoom shows the output pane over the whole procedure; zoomFrom is
	// the focus to go back to.
	zoom     bool
	zoomFrom int
	log      LogPane

	plan    *session.Plan // of the selected command, refreshed in Update
	planErr error

	detail []string
	logH   int
	w, h   int
}

func newProcedure(c *Context, sec *checklist.Section) *Procedure {
	p := &Procedure{c: c, sec: sec, log: newLogPane(c), rows: procRows(sec)}
	p.sel = p.firstUseful(0)
	p.refresh()
	return p
}

// procRows lists a section as the procedure shows it: each step, then its
// checks, then its commands.
func procRows(sec *checklist.Section) []procRow {
	var rows []procRow
	for si, st := range sec.Steps {
		rows = append(rows, procRow{kind: rowStep, step: si})
		for _, ch := range st.Checks {
			rows = append(rows, procRow{kind: rowCheck, step: si, check: ch})
		}
		for _, cmd := range st.Commands {
			rows = append(rows, procRow{kind: rowCmd, step: si, cmd: cmd})
		}
	}
	return rows
}

// firstUseful skips from a step row to its first command or check when the
// step has exactly one of them... no: keep the step row, it carries the
// description. It only clamps.
func (p *Procedure) firstUseful(i int) int {
	return max(0, min(i, len(p.rows)-1))
}

// Select puts the cursor on a step (and a command of it, when given).
func (p *Procedure) Select(t target) {
	if t.cmdID != "" {
		for i, r := range p.rows {
			if r.kind == rowCmd && r.cmd.ID == t.cmdID {
				p.sel = i
				p.refresh()
				return
			}
		}
	}
	if t.step >= 0 {
		for i, r := range p.rows {
			if r.kind == rowStep && r.step == t.step {
				p.sel = i
				// a step whose work starts with checks opens on the
				// first one not ticked (space ticks it)
				if j := nextPending(p.rows, i, 1, p.flowView()); j >= 0 && p.rows[j].step == t.step && p.rows[j].kind == rowCheck {
					p.sel = j
				}
				p.refresh()
				return
			}
		}
	}
	p.refresh()
}

// SelectCheck puts the cursor on a check row.
func (p *Procedure) SelectCheck(id string) {
	for i, r := range p.rows {
		if r.kind == rowCheck && r.check.ID == id {
			p.sel = i
		}
	}
	p.refresh()
}

func (p *Procedure) selected() (procRow, bool) {
	if p.sel < 0 || p.sel >= len(p.rows) {
		return procRow{}, false
	}
	return p.rows[p.sel], true
}

func (p *Procedure) step() *checklist.Step {
	r, ok := p.selected()
	if !ok {
		return nil
	}
	return p.sec.Steps[r.step]
}

// refresh recomputes what depends on the selection and on the run: the plan
// of the selected command and the log shown.
func (p *Procedure) refresh() {
	p.plan, p.planErr = nil, nil
	r, ok := p.selected()
	var buf *LogBuffer
	empty := "no output yet"
	caption, path := "", ""
	switch {
	case ok && r.kind == rowCmd:
		// As advance plans it (no values given): what the run would
		// reuse shows as reused, and the pane shows the plan enter acts on.
		p.plan, p.planErr = p.c.eng.Plan(r.cmd.ID, nil)
		buf = p.c.logs[r.cmd.ID]
		if _, other := p.c.ranElsewhere(r.cmd.ID); other && !p.c.launching[r.cmd.ID] {
			// run (again) by another process since: its log, not what
			// this screen kept of an older attempt
			buf = nil
		}
		cr := p.c.status(r.cmd.ID)
		path = cr.Log
		if buf == nil {
			switch {
			case cr.Log != "" && cr.Status != checklist.Running:
				// ran before this screen started: show the file's tail
				tail, asked := p.c.tails[cr.Log]
				if !asked || p.c.liveTails[cr.Log] {
					// (a tail read while it ran elsewhere is read once more)
					delete(p.c.liveTails, cr.Log)
					p.c.tails[cr.Log] = tail
					p.c.emit(tailReqMsg{path: cr.Log})
				}
				buf = tail
				empty = "reading the end of " + cr.Log + "…"
				caption = "the end of an earlier run"
			case cr.Log != "":
				buf = p.c.followTail(cr.Log)
				empty = "running elsewhere; reading " + cr.Log + "…"
				caption = "running in another process (read again every second)"
			default:
				empty = notRunYet(r.cmd, p.c.rb.Alternatives(r.cmd.ID), p.c.status, p.plan)
			}
		}
	case p.c.active != nil:
		if a, t := findCommand(p.c.rb, p.c.active.cmdID); a != nil && t.sec == p.sec {
			buf = p.c.active.buf
		}
		empty = "select a command to see its output"
	default:
		empty = "select a command to see its output"
	}
	p.log.path = path // before SetBuffer: the rows left depend on it
	p.log.SetBuffer(buf, empty)
	p.log.caption = caption
	p.layout()
}

// notRunYet is what the output pane of a command never run says: enter
// runs it, unless another of its alternatives ran (it is not chosen) or
// something blocks it.
func notRunYet(cmd *checklist.Command, group []*checklist.Command, status func(string) checklist.CommandRun, plan *session.Plan) string {
	if cr := status(cmd.ID); cr.Status != checklist.Pending && cr.Status != checklist.Running {
		return ranWithoutOutput(cr) // it ran: never "not run yet"
	}
	for _, alt := range group {
		if alt.ID != cmd.ID && status(alt.ID).Status != checklist.Pending {
			return "not chosen: the alternative “" + alt.Title + "” was taken"
		}
	}
	if plan != nil && plan.Blocked != "" {
		return "not run: blocked (" + plan.Blocked + ")"
	}
	return "not run yet: enter runs it"
}

// layout splits the right side between the detail and the log box.
func (p *Procedure) layout() {
	p.detail = p.detailLinesCached()
	p.logH = p.h - len(p.detail)
	if p.zoom {
		p.log.SetSize(p.w-2, max(3, p.h-2-len(p.zoomHeader())))
	} else if p.logH >= 4 {
		p.log.SetSize(p.w-p.leftWidth()-2, p.logH-2)
	}
	p.scrollList()
}

func (p *Procedure) scrollList() {
	n := max(1, p.h-2)
	if p.sel < p.off {
		p.off = p.sel
	}
	if p.sel >= p.off+n {
		p.off = p.sel - n + 1
	}
	p.off = max(0, min(p.off, max(0, len(p.rows)-n)))
}

// zoomHeader is the command atop the zoomed output, whole (wrapped at
// token boundaries), then a rule: the list and detail are hidden, and the
// output is read against what ran. At most a third of the height: a long
// script's other lines are in the detail.
func (p *Procedure) zoomHeader() []string {
	r, ok := p.selected()
	if !ok || r.kind != rowCmd {
		return nil
	}
	display := r.cmd.Script
	if p.plan != nil {
		display = p.plan.Display
	}
	w := p.w - 2
	rows := scriptRows(display, w)
	if limit := max(1, p.h/3); len(rows) > limit {
		more := len(rows) - limit + 1
		rows = append(rows[:limit-1], fmt.Sprintf("  … %d more rows (z: back to the detail)", more))
	}
	st := p.c.styles
	out := make([]string, 0, len(rows)+1)
	for _, r := range rows {
		out = append(out, st.Code.Render(r))
	}
	return append(out, st.Faint.Render(strings.Repeat("─", w)))
}

// setZoom shows the output pane over the whole screen (on) or puts it back.
// Zoomed, the keys go to the log pane, as with its focus.
func (p *Procedure) setZoom(on bool) {
	if on == p.zoom {
		return
	}
	if on {
		p.zoomFrom, p.focus = p.focus, 1
	} else {
		p.focus = p.zoomFrom
	}
	p.zoom = on
	p.layout()
}

// Capturing reports whether the procedure takes every key (log search).
func (p *Procedure) Capturing() bool { return p.log.Capturing() }

// SetSize lays out the panes.
func (p *Procedure) SetSize(w, h int) {
	p.w, p.h = w, h
	p.layout()
}

func (p *Procedure) leftWidth() int {
	return max(28, min(48, p.w*2/5))
}

// emergency says whether this is the emergency playbooks section, whose
// steps open with the state of the stack.
func (p *Procedure) emergency() bool {
	return p.sec == roleSection(p.c.rb, "emergency", "Emergency Procedures")
}

// detailLines renders the upper right part: everything but the log.
func (p *Procedure) detailLines(w int) []string {
	var top []string
	if ch := p.c.chain; ch != nil && ch.sec == p.sec {
		top = append(top, p.c.styles.Running.Render(ch.text()))
	}
	if p.emergency() {
		return wrapLines(append(append(p.c.stackLines(w), top...), p.detailBody(w)...), w)
	}
	if pr := p.progress(); pr.steps > 1 {
		top = append([]string{p.c.styles.Bold.Render(fit(stripText(pr), w))}, top...)
	}
	return wrapLines(append(top, p.detailBody(w)...), w)
}

// wrapLines wraps the lines wider than w: the detail's risk text, reasons,
// gates and paths are read whole, never cut with "…".
func wrapLines(lines []string, w int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansiWidth(l) > w {
			out = append(out, wrapText(l, w)...)
			continue
		}
		out = append(out, l)
	}
	return out
}

func (p *Procedure) detailBody(w int) []string {
	st := p.c.styles
	r, ok := p.selected()
	if !ok {
		out := []string{st.Bold.Render(p.sec.Title)}
		out = append(out, st.renderMarkdown(p.sec.Intro, w)...)
		return append(out, "", st.Faint.Render("(no steps or commands in this section)"))
	}
	step := p.sec.Steps[r.step]
	var out []string
	title := step.Title
	if step.Group != "" {
		title = step.Group + " › " + title
	}
	out = append(out, st.Bold.Render(title))
	desc := step.Body
	if r.step == 0 && step.Level == 2 && p.sec.Intro != "" && desc == "" {
		desc = p.sec.Intro
	}
	md := st.renderMarkdown(desc, w)
	maxDesc := max(2, p.h/4)
	if r.kind == rowStep && len(step.Commands) == 0 {
		maxDesc = max(2, p.h-6)
	}
	if len(md) > maxDesc {
		md = append(md[:maxDesc-1], st.Faint.Render("…"))
	}
	out = append(out, md...)
	if n := p.c.run.Notes[step.ID]; len(n) > 0 {
		last := n[len(n)-1]
		out = append(out, st.Faint.Render(fmt.Sprintf("note (%d) %s: ", len(n), last.By))+last.Text)
	}
	switch r.kind {
	case rowCheck:
		out = append(out, "", p.c.checkMark(r.check, p.sec)+" "+r.check.Text, st.Faint.Render("space ticks it"))
		if r.check.Link != "" {
			out = append(out, st.Faint.Render("enter opens ")+st.Link.Render(r.check.Link))
		}
	case rowCmd:
		out = append(out, p.commandLines(r.cmd, w)...)
	case rowStep:
		if len(step.Links) > 0 {
			out = append(out, st.Faint.Render("enter opens ")+st.Link.Render(step.Links[0]))
		}
		if len(step.Commands) > 0 {
			ids, why := chainQueue(p.c, step, "")
			switch {
			case len(ids) > 0:
				out = append(out, "", st.Faint.Render(fmt.Sprintf("enter runs the %s still to do, one after another (asking for y or the phrase where one is needed; esc stops after the running one); ↓ selects one:", plural(len(ids), "command"))))
			case why != "":
				out = append(out, "", st.Warn.Render(why))
			default:
				out = append(out, "", st.Faint.Render(plural(len(step.Commands), "command")+", none left to run (↓ or enter selects one; enter on a command runs it):"))
			}
			for _, cmd := range step.Commands {
				out = append(out, "  "+p.icon(cmd)+" "+cmd.Title+"  "+st.RiskLabel(cmd.Risk))
			}
		}
	}
	return out
}

func (p *Procedure) commandLines(cmd *checklist.Command, w int) []string {
	st := p.c.styles
	out := []string{""}
	out = append(out, st.Bold.Render(cmd.Title))
	if p.planErr != nil {
		return append(out, st.Error.Render("cannot plan: "+p.planErr.Error()))
	}
	display := cmd.Script
	risk, reason := cmd.Risk, cmd.Reason
	if p.plan != nil {
		display = p.plan.Display
		risk, reason = p.plan.Risk, p.plan.Reason // judged on the filled command
	}
	// A long script is cut only between its lines, never inside one:
	// each line shows whole, wrapped at token boundaries.
	lines := strings.Split(display, "\n")
	if maxCmd := max(2, p.h/5); len(lines) > maxCmd {
		more := len(lines) - maxCmd
		display = strings.Join(lines[:maxCmd], "\n")
		out = append(out, p.c.commandBlock(display, w)...)
		out = append(out, st.Faint.Render(fmt.Sprintf("  … %d more lines of script", more)))
	} else {
		out = append(out, p.c.commandBlock(display, w)...)
	}
	riskLine := "risk: " + st.RiskLabel(risk)
	if reason != "" {
		riskLine += st.Faint.Render(" — " + reason)
	}
	out = append(out, riskLine)
	if o := cmd.Outcome.String(); o != "" {
		out = append(out, st.Faint.Render("judged by: "+o))
	}
	cr := p.c.status(cmd.ID)
	out = append(out, "status: "+p.statusWord(cr)+p.elapsed(cr))
	if p.plan != nil {
		// The status line already says a running command is running.
		if p.plan.Blocked != "" && cr.Status != checklist.Running {
			out = append(out, st.Warn.Render("blocked: "+p.plan.Blocked))
		}
		if p.plan.Gate != "" {
			out = append(out, st.Warn.Render(p.plan.Gate))
		}
		if len(p.plan.Missing) > 0 {
			out = append(out, st.Faint.Render("asks for: "+strings.Join(p.plan.Missing, ", ")))
		}
		for _, name := range slices.Sorted(maps.Keys(p.plan.Reused)) {
			from := p.plan.Reused[name]
			if c, _ := findCommand(p.c.rb, from); c != nil {
				from = c.Title
			}
			line := fmt.Sprintf("reuses <%s> = %s, the value given to %s", name, p.c.eng.Mask(p.plan.Params[name]), from)
			if p.plan.NeedsPhrase() {
				line += " (confirmed before it runs)"
			}
			out = append(out, st.Warn.Render(line))
		}
		if len(p.plan.Alternatives) > 1 && cr.Status == checklist.Pending && p.plan.Blocked == "" {
			if cmd.AltOf != "" {
				out = append(out, st.Faint.Render(fmt.Sprintf("one of %d alternatives: enter runs this one (choosing it)", len(p.plan.Alternatives))))
			} else {
				out = append(out, st.Faint.Render(fmt.Sprintf("one of %d alternatives: enter picks; running the step runs this one", len(p.plan.Alternatives))))
			}
		}
	}
	if cmd.Interactive {
		out = append(out, st.Faint.Render("interactive: gets the terminal, the screen comes back after"))
	}
	return append(out, p.c.reviewHint(cmd)...)
}

func (p *Procedure) statusWord(cr checklist.CommandRun) string {
	st := p.c.styles
	switch cr.Status {
	case checklist.Running:
		return st.Running.Render(p.c.spin + " running")
	case checklist.OK:
		return st.OK.Render("✓ ok") + st.Faint.Render(fmt.Sprintf(" (exit %d)", cr.ExitCode)) + p.outcomeDetail(cr.Detail)
	case checklist.Warning:
		return st.Warn.Render(fmt.Sprintf("⚠ warning, exit %d", cr.ExitCode)) + p.outcomeDetail(cr.Detail)
	case checklist.Failed:
		s := st.Error.Render(fmt.Sprintf("✗ failed, exit %d", cr.ExitCode))
		if cr.Error != "" {
			s += st.Faint.Render(" — " + cr.Error)
		}
		return s + p.outcomeDetail(cr.Detail)
	case checklist.Skipped:
		return st.Faint.Render("↷ skipped")
	case checklist.Interrupted:
		s := st.Warn.Render("⚠ interrupted")
		if cr.Error != "" {
			s += st.Faint.Render(" — " + cr.Error)
		}
		return s
	}
	return st.Faint.Render("· pending")
}

// outcomeDetail is why a command's outcome is what it is ("output matched
// fail-if ..."); the engine masked it.
func (p *Procedure) outcomeDetail(d string) string {
	if d == "" {
		return ""
	}
	return p.c.styles.Faint.Render(" — " + d)
}

func (p *Procedure) elapsed(cr checklist.CommandRun) string {
	if cr.Started.IsZero() {
		return ""
	}
	end := cr.Ended
	if cr.Status == checklist.Running || end.IsZero() {
		end = p.c.now
	}
	return p.c.styles.Faint.Render(" · " + fmtDuration(end.Sub(cr.Started)))
}

func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// icon is the status mark of a command row.
func (p *Procedure) icon(cmd *checklist.Command) string {
	st := p.c.styles
	cr := p.c.status(cmd.ID)
	switch cr.Status {
	case checklist.Running:
		return st.Running.Render(p.c.spin)
	case checklist.OK:
		return st.OK.Render("✓")
	case checklist.Warning:
		return st.Warn.Render("⚠")
	case checklist.Failed:
		return st.Error.Render("✗")
	case checklist.Skipped:
		return st.Faint.Render("↷")
	case checklist.Interrupted:
		return st.Warn.Render("!") // not ⚠: that is a warning
	}
	return st.Faint.Render("·")
}

// detailLinesCached keeps the height computation consistent with View; the
// detail is a few dozen lines, cheap enough to render twice.
func (p *Procedure) detailLinesCached() []string {
	lw := p.leftWidth()
	lines := p.detailLines(max(10, p.w-lw-2))
	limit := max(4, p.h-2-max(5, p.h/3))
	if len(p.rows) == 0 {
		limit = p.h
	}
	if len(lines) > limit {
		lines = lines[:limit]
	}
	return lines
}

// Update handles the procedure's own keys. Actions that need dialogs or the
// engine go to the root as messages.
// Update is the Component's: the Procedure's handling is update.
func (p *Procedure) Update(msg tea.Msg) (Component, tea.Cmd) { return p, p.update(msg) }

// Init asks for nothing: what the Procedure shows comes with the snapshot.
func (p *Procedure) Init() tea.Cmd { return nil }

func (p *Procedure) update(msg tea.Msg) tea.Cmd {
	k := p.c.keys
	switch msg := msg.(type) {
	case tea.MouseWheelMsg, logMsg:
		return send(&p.log, msg)
	case tea.KeyPressMsg:
		if !p.log.Capturing() && key.Matches(msg, k.Zoom) {
			p.setZoom(!p.zoom)
			return nil
		}
		if p.log.Capturing() || (p.focus == 1 && !key.Matches(msg, k.NextPane, k.PrevPane, k.Enter, k.Note, k.Tick, k.NextPending, k.PrevPending)) ||
			(p.focus == 1 && p.log.HasQuery() && key.Matches(msg, k.Next)) ||
			key.Matches(msg, k.Filter, k.NextErr, k.PrevErr, k.Pager) {
			return send(&p.log, msg)
		}
		switch {
		case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
			if p.zoom {
				return nil // the list is hidden: z or esc shows it
			}
			p.focus = 1 - p.focus
		case key.Matches(msg, k.NextPending):
			if !p.gotoPending(1) {
				// on to the next procedure with work left (the root
				// knows where a link came from)
				p.c.emit(flowOnMsg{dir: 1})
			}
		case key.Matches(msg, k.PrevPending):
			if !p.gotoPending(-1) {
				p.c.emit(flowOnMsg{dir: -1})
			}
		case key.Matches(msg, k.Up):
			p.sel = p.firstUseful(p.sel - 1)
			p.refresh()
		case key.Matches(msg, k.Down):
			p.sel = p.firstUseful(p.sel + 1)
			p.refresh()
		case key.Matches(msg, k.PageUp):
			p.sel = p.firstUseful(p.sel - max(1, p.h-3))
			p.refresh()
		case key.Matches(msg, k.PageDn):
			p.sel = p.firstUseful(p.sel + max(1, p.h-3))
			p.refresh()
		case key.Matches(msg, k.Wrap), key.Matches(msg, k.Bottom), key.Matches(msg, k.Top):
			return send(&p.log, msg)
		case key.Matches(msg, k.Enter):
			r, ok := p.selected()
			if !ok {
				return nil
			}
			switch r.kind {
			case rowCmd:
				// an "or …" row is the operator's choice made on the
				// list: it runs, no picker (the group's first row
				// still offers the picker)
				p.c.emit(runMsg{cmdID: r.cmd.ID, picked: r.cmd.AltOf != ""})
				return nil
			case rowCheck:
				if r.check.Link != "" {
					p.c.emit(openMsg{t: findAnchor(p.c.rb, r.check.Link)})
					return nil
				}
				p.c.emit(tickMsg{check: r.check})
				return nil
			case rowStep:
				st := p.sec.Steps[r.step]
				if ids, _ := chainQueue(p.c, st, ""); len(ids) > 0 {
					// the step's commands still to do, one after another
					p.c.emit(chainReqMsg{sec: p.sec, step: r.step})
					return nil
				}
				if len(st.Links) > 0 {
					p.c.emit(openMsg{t: findAnchor(p.c.rb, st.Links[0])})
					return nil
				}
				if _, why := chainQueue(p.c, st, ""); why != "" {
					p.c.emit(flashMsg{text: why, warn: true})
				}
				// nothing to run: go to its first command
				p.sel = p.firstUseful(p.sel + 1)
				p.refresh()
			}
		case key.Matches(msg, k.Copy):
			// the command as shown (secrets masked): the list's copy;
			// the output pane's y copies output
			if r, ok := p.selected(); ok && r.kind == rowCmd {
				display := r.cmd.Script
				if p.plan != nil {
					display = p.plan.Display
				}
				return p.c.copyText(display, "the command (secrets masked)")
			}
		case key.Matches(msg, k.Skip):
			if r, ok := p.selected(); ok && r.kind == rowCmd {
				p.c.emit(skipReqMsg{cmdID: r.cmd.ID})
				return nil
			}
		case key.Matches(msg, k.Tick):
			if r, ok := p.selected(); ok && r.kind == rowCheck {
				p.c.emit(tickMsg{check: r.check})
				if !p.c.checked(r.check) {
					// ticked: on to the next unticked check (or the
					// next thing to do); an untick stays
					p.gotoPending(1)
				}
				return nil
			}
		case key.Matches(msg, k.Note):
			if st := p.step(); st != nil {
				p.c.emit(noteReqMsg{stepID: st.ID, title: st.Title})
				return nil
			}
		}
	}
	return nil
}

// View renders the procedure in w×h cells.
func (p *Procedure) View() string {
	st := p.c.styles
	if p.zoom {
		title := "output"
		if r, ok := p.selected(); ok && r.kind == rowCmd {
			title += " · " + r.cmd.Title
		}
		rows := append(p.zoomHeader(), strings.Split(p.log.View(), "\n")...)
		return st.box(title+" · z/esc: back", rows, p.w, p.h, true)
	}
	lw := p.leftWidth()
	rw := p.w - lw
	n := max(1, p.h-2)
	var left []string
	for i := p.off; i < len(p.rows) && i < p.off+n; i++ {
		left = append(left, p.rowView(p.rows[i], i == p.sel, lw-2))
	}
	listTitle := p.sec.Title
	if len(p.rows) > n {
		// a position, not progress (progress is "Step 4/7" on the right)
		listTitle += fmt.Sprintf(" · row %d of %d", p.sel+1, len(p.rows))
	}
	leftBox := st.box(listTitle, left, lw, p.h, p.focus == 0)

	// the detail is rendered again (spinner, elapsed) but keeps its height
	detail := p.detailLinesCached()
	var right string
	if p.logH >= 4 {
		right = padLines(detail, rw, p.h-p.logH) + "\n" + st.box("output", strings.Split(p.log.View(), "\n"), rw, p.logH, p.focus == 1)
	} else {
		right = padLines(detail, rw, p.h)
	}
	return joinH(leftBox, right)
}

func (p *Procedure) rowView(r procRow, sel bool, w int) string {
	st := p.c.styles
	var s string
	switch r.kind {
	case rowStep:
		title := p.sec.Steps[r.step].Title
		if d := p.stepDuration(r.step); d != "" && w > len(d)+8 {
			// the duration flush right, the title cut before it
			tw := w - 1 - len(d) - 1
			title = fit(title, tw)
			s = st.Bold.Render(title) + strings.Repeat(" ", max(1, tw-ansiWidth(title)+1)) + st.Faint.Render(d)
		} else {
			s = st.Bold.Render(title)
		}
	case rowCheck:
		s = "  " + p.c.checkMark(r.check, p.sec) + " " + r.check.Text
	case rowCmd:
		s = "  " + p.icon(r.cmd) + " " + r.cmd.Title
		if r.cmd.AltOf != "" {
			s = "  " + p.icon(r.cmd) + " " + st.Faint.Render("or ") + strings.TrimPrefix(strings.TrimPrefix(r.cmd.Title, "Or "), "or ")
		}
		switch cr := p.c.status(r.cmd.ID); cr.Status {
		case checklist.Failed:
			s += st.Error.Render(fmt.Sprintf(" exit %d", cr.ExitCode))
		case checklist.Warning:
			s += st.Warn.Render(" warning")
		}
		if r.cmd.Risk == checklist.Destructive {
			s += " " + st.Destructive.Render("!")
		}
	}
	if sel {
		return st.Selected.Render(fit("▌"+ansi.Strip(s), w))
	}
	return fit(" "+s, w)
}

// ShortHelp is the bottom line's keys over the procedure: the zoomed
// output's, the output pane's when it has the focus, else the list's
// (the root adds cancel, quit and help).
func (p *Procedure) ShortHelp() []key.Binding {
	c, k := p.c, p.c.keys
	switch {
	case p.zoom:
		b := append([]key.Binding{unzoomKey}, p.log.ShortHelp()...)
		return append(b, k.Pager, k.Copy, k.NextPending, k.PrevPending)
	case p.focus == 1:
		return append(p.log.ShortHelp(), k.Zoom, k.Pager, k.Copy, k.PrevPane, k.Back)
	}
	enter := k.Enter
	if r, ok := p.selected(); ok && r.kind == rowStep {
		if ids, _ := chainQueue(c, p.sec.Steps[r.step], ""); len(ids) > 0 {
			enter = stepEnterKey
		}
	}
	b := []key.Binding{k.Up, k.Down, enter}
	if c.chain != nil && !c.chain.stop {
		// first: the line is cut at its end
		b = []key.Binding{chainStopKey, k.Up, k.Down, enter}
	}
	if r, ok := p.selected(); ok && r.kind == rowCheck {
		b = append(b, k.Tick)
	}
	if r, ok := p.selected(); ok && r.kind == rowCmd {
		b = append(b, k.Skip)
	}
	// [ is in help: the line has no room for every pair
	if reviewOffered(p.step()) {
		b = append(b, k.Review) // near the migrations: review them first
	}
	b = append(b, k.NextPending, k.Zoom, k.NextPane, k.Note)
	if c.chain == nil || c.chain.stop {
		b = append(b, k.Back)
	}
	return append(b, k.Search, k.Emergency, k.Rollback, k.Stack, k.Database)
}

func (p *Procedure) FullHelp() [][]key.Binding { return fullHelp(p) }
