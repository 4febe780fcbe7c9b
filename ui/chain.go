package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
)

// A chain is a step run as a whole: enter on a step's heading runs its
// commands still to do one after another. Each goes through the same
// advance as a single enter (plan, guards, dialogs), so nothing is
// confirmed for the operator: a change still asks y, a destructive one its
// phrase, a placeholder its value, an editor gets the terminal; the chain
// goes on once the command ended ok. It stops at the first warning or
// failure, when a dialog is declined, when the engine refuses or blocks a
// command, and after the running command when the operator presses esc.
// Of an alternative group only the first command runs (the runbook's
// default); a group where one ran, or was chosen and ran, is passed: the
// chain never runs an alternative the operator did not choose.
//
// The chain lives in the Context (the procedure draws it) and is written
// only by the root model, from the messages that end each command.
type chain struct {
	sec   *checklist.Section
	step  int
	total int    // commands to run when it started (more may follow a re-plan)
	n     int    // the one it is on, 1-based
	cur   string // the command it is on: being asked for, started or running
	stop  bool   // esc: stop after cur
	// handedOff: cur (interactive) has the terminal; recording: its end
	// is being recorded (RecordInteractive), after which the chain goes on.
	handedOff, recording bool
	// follow: the selection followed cur when its interactive end came.
	follow bool
	// deferred: cur ended ok while a dialog of the operator's was open
	// (help, search, a note); the chain goes on once it closes.
	deferred bool
	// selRow is the row the chain last selected: it moves the selection
	// along only while the operator left it there.
	selRow int
}

type (
	// chainReqMsg: enter on a step's heading.
	chainReqMsg struct {
		sec  *checklist.Section
		step int
	}
	// flowOnMsg: ] (dir 1) or [ (-1) found nothing more in the procedure.
	flowOnMsg struct{ dir int }
)

// stepEnterKey is how the key line names enter on a step's heading.
var stepEnterKey = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run the step"))

// chainStopKey is how the key line names esc while a chain runs.
var chainStopKey = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "stop after this"))

// shortStep is a step's title up to its colon ("Step 3"), for the chain's line.
func shortStep(title string) string {
	if i := strings.Index(title, ":"); i > 0 {
		return title[:i]
	}
	return title
}

// text is the chain's line atop the procedure's detail.
func (ch *chain) text() string {
	step := shortStep(ch.sec.Steps[ch.step].Title)
	s := fmt.Sprintf("running %d of %d in %s", ch.n, max(ch.total, ch.n), step)
	if ch.stop {
		return s + " · stops after this one"
	}
	return s + " · esc stops after this one"
}

// chainQueue lists the commands of st a chain runs, in order: after the
// command after ("" from the start), each alternative group's first command
// when nothing of the group ran. A group that ran (ok, warning) or was
// skipped is passed; one that failed, was interrupted or runs ends the
// list, and why says so (the operator decides: run it again, or skip it).
func chainQueue(c *Context, st *checklist.Step, after string) (ids []string, why string) {
	started := after == ""
	for _, cmd := range st.Commands {
		if !started {
			started = cmd.ID == after
			continue
		}
		if cmd.AltOf != "" {
			continue // its group's first command stands for it
		}
		group := c.rb.Alternatives(cmd.ID)
		if len(group) == 0 {
			group = []*checklist.Command{cmd}
		}
		settled, open := false, ""
		for _, alt := range group {
			switch cr := c.status(alt.ID); cr.Status {
			case checklist.Pending:
			case checklist.OK, checklist.Warning, checklist.Skipped:
				settled = true
			case checklist.Running:
				return ids, fmt.Sprintf("%q is running in %s", alt.Title, st.Title)
			default:
				open = fmt.Sprintf("%q %s: enter on it runs it again, x skips it; then enter on %s runs the rest", alt.Title, cr.Status, shortStep(st.Title))
			}
		}
		switch {
		case settled:
		case open != "":
			return ids, open
		default:
			ids = append(ids, cmd.ID)
		}
	}
	return ids, ""
}

// startChain runs the commands of a step still to do (enter on its heading).
func (m *Model) startChain(sec *checklist.Section, step int) tea.Cmd {
	c := m.c
	if c.chain != nil {
		m.setFlash("a step runs already: esc stops it after its running command", c.styles.Warn)
		return nil
	}
	st := sec.Steps[step]
	ids, why := chainQueue(c, st, "")
	if len(ids) == 0 {
		if why == "" {
			why = "nothing left to run in " + st.Title
		}
		m.setFlash(why, c.styles.Warn)
		return nil
	}
	ch := &chain{sec: sec, step: step, total: len(ids), selRow: -1}
	if m.proc != nil && m.proc.sec == sec {
		ch.selRow = m.proc.sel
	}
	c.chain = ch
	return m.chainRun(ids[0])
}

// chainFollows says whether the selection is where the chain last put it
// (the operator did not look elsewhere), in the list, not zoomed.
func (m *Model) chainFollows() bool {
	ch := m.c.chain
	return ch != nil && m.proc != nil && m.proc.sec == ch.sec && m.proc.sel == ch.selRow && m.proc.focus == 0 && !m.proc.zoom
}

// chainRun asks for (or starts) the chain's next command, the selection on
// it when the operator follows the chain.
func (m *Model) chainRun(id string) tea.Cmd {
	ch := m.c.chain
	follow := m.chainFollows()
	ch.cur, ch.n = id, ch.n+1
	ch.handedOff, ch.recording = false, false
	if follow || (m.proc != nil && m.proc.sec == ch.sec && m.proc.focus == 0 && !m.proc.zoom && m.selectedID() == id) {
		m.proc.Select(target{cmdID: id})
		ch.selRow = m.proc.sel
	}
	// picked: the chain runs the group's first command, never the picker
	return m.advance(flow{cmdID: id, picked: true})
}

// selectedID is the command selected in the procedure, "" for none.
func (m *Model) selectedID() string {
	if m.proc == nil {
		return ""
	}
	if r, ok := m.proc.selected(); ok && r.kind == rowCmd {
		return r.cmd.ID
	}
	return ""
}

// chainAfter goes on after the chain's command id ended (its end is in the
// run): the next command when it ended ok, else the chain stops. The flash
// onDone set says how it ended; the chain adds what is left.
func (m *Model) chainAfter(id string, follow bool) tea.Cmd {
	c := m.c
	ch := c.chain
	if ch == nil || ch.cur != id {
		return nil
	}
	st := ch.sec.Steps[ch.step]
	if cr := c.status(id); cr.Status != checklist.OK {
		note := fmt.Sprintf("%s stopped at %s", shortStep(st.Title), cr.Status)
		// after a warning the heading goes on with the rest; after a
		// failure it refuses until the failed one ran again or was skipped
		if left, _ := chainQueue(c, st, id); len(left) > 0 && cr.Status == checklist.Warning {
			note += fmt.Sprintf(": %s still to do (enter on %s runs them)", plural(len(left), "command"), shortStep(st.Title))
		}
		m.endChain(note)
		return nil
	}
	ids, why := chainQueue(c, st, id)
	switch {
	case len(ids) > 0 && ch.stop:
		m.endChain(fmt.Sprintf("stopped as asked: %s still to do in %s (enter on it runs them)", plural(len(ids), "command"), shortStep(st.Title)))
		return nil
	case len(ids) == 0:
		if why != "" {
			m.endChain(why)
		} else {
			m.endChain(shortStep(st.Title) + " done")
		}
		return nil
	}
	if follow {
		ch.selRow = m.proc.sel // onDone's advance moved it along: still following
	}
	if m.dlg != nil {
		// never over a dialog the operator opened meanwhile
		ch.deferred = true
		return nil
	}
	return m.chainRun(ids[0])
}

// endChain ends the chain, putting note before the flash: a long one (a
// warning's reason) is cut at its end, and where the step stands must be
// read.
func (m *Model) endChain(note string) {
	m.c.chain = nil
	if note == "" {
		return
	}
	if m.flash == "" {
		m.setFlash(note, m.c.styles.Faint)
		return
	}
	m.flash = note + " · " + m.flash
}

// chainCheck, after every Update, goes on with a deferred chain once the
// operator's dialog closed, and ends a chain whose command is no longer
// being asked for, started, run or recorded: the operator declined a
// dialog, or the engine refused or blocked it (its flash says why).
func (m *Model) chainCheck() tea.Cmd {
	c := m.c
	ch := c.chain
	if ch == nil || ch.handedOff || ch.recording || m.dlg != nil || c.launching[ch.cur] {
		return nil
	}
	if ch.deferred {
		ch.deferred = false
		return m.chainAfter(ch.cur, false)
	}
	if c.active != nil && c.active.cmdID == ch.cur {
		return nil
	}
	m.endChain(fmt.Sprintf("%s stopped: %q did not run", shortStep(ch.sec.Steps[ch.step].Title), m.cmdTitle(ch.cur)))
	return nil
}

// chainEsc is esc while a chain runs: it stops after the running command.
// False when there is no chain to stop (esc goes back as ever).
func (m *Model) chainEsc() bool {
	ch := m.c.chain
	if ch == nil || ch.stop {
		return false
	}
	ch.stop = true
	m.setFlash("stops after "+m.cmdTitle(ch.cur)+" ends (it keeps running; ctrl+c cancels it)", m.c.styles.Warn)
	return true
}

// sectionFlow is the run as the flow functions read it, for any section.
func sectionFlow(c *Context, sec *checklist.Section) flowView {
	return flowView{
		status: c.status,
		ticked: c.checked,
		group:  c.rb.Alternatives,
		linked: func(r procRow) []procRow { return linkedRows(c.rb, sec, r) },
	}
}

// flowOn is ] past the last item to do of a procedure (dir 1), or [
// before its first (-1). Forward, it goes back to where a link brought the
// operator from when work is left there after that place (Step 5 of the
// deployment, after the migration procedure), else to the next procedure in
// the runbook with work left; backward, to the previous one's last item.
// The summary, the rollback and the emergency playbooks are never reached
// this way (r, e and home open them).
func (m *Model) flowOn(dir int) tea.Cmd {
	c := m.c
	if m.proc == nil {
		return nil
	}
	from := m.proc.sec
	if dir > 0 {
		if v, ok := m.hist.last(); ok && v.Page == "" && v.Section != "" && v.Section != from.ID {
			if sec := sectionByID(c.rb, v.Section); sec != nil {
				if i := nextPending(procRows(sec), v.Row, 1, sectionFlow(c, sec)); i >= 0 {
					m.hist.pop(m.here())
					m.goTo(v)
					m.proc.sel = i
					m.proc.refresh()
					m.setFlash("back to "+sec.Title+", where "+from.Title+" was opened from", c.styles.Faint)
					return nil
				}
			}
		}
	}
	skip := map[*checklist.Section]bool{
		c.rb.SummarySection():                                  true,
		roleSection(c.rb, "rollback", "Rollback Procedure"):    true,
		roleSection(c.rb, "emergency", "Emergency Procedures"): true,
	}
	idx := -1
	for i, s := range c.rb.Sections {
		if s == from {
			idx = i
		}
	}
	for i := idx + dir; idx >= 0 && i >= 0 && i < len(c.rb.Sections); i += dir {
		sec := c.rb.Sections[i]
		if skip[sec] {
			continue
		}
		rows := procRows(sec)
		start := -1
		if dir < 0 {
			start = len(rows)
		}
		at := nextPending(rows, start, dir, sectionFlow(c, sec))
		if at < 0 {
			continue
		}
		m.remember()
		m.open(target{sec: sec, step: -1})
		m.proc.sel = at
		m.proc.refresh()
		m.setFlash("on to "+sec.Title, c.styles.Faint)
		return nil
	}
	where := "after"
	if dir < 0 {
		where = "before"
	}
	m.setFlash("nothing left to do "+where+" this in "+from.Title, c.styles.Faint)
	return nil
}

func sectionByID(rb *checklist.Runbook, id string) *checklist.Section {
	for _, s := range rb.Sections {
		if s.ID == id {
			return s
		}
	}
	return nil
}
