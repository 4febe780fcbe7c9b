package ui

import (
	"fmt"
	"time"

	"planner-tui/checklist"
)

// The operator's flow through a procedure: which row is the next thing to
// do, where the procedure is, how long its steps took. Pure functions over
// the rows and the run as the screen sees it, so table tests reach them.

// flowView is what the flow functions read of the run.
type flowView struct {
	status func(cmdID string) checklist.CommandRun
	ticked func(ch *checklist.Check) bool
	// group is the alternative group of a command (itself alone when it
	// has no alternatives).
	group func(cmdID string) []*checklist.Command
	// linked are the rows a step without commands or checks of its own
	// leads to ("See [Database Migration Procedure](#...)"); nil for others.
	linked func(r procRow) []procRow
}

// pendingRow says whether a row is something still to do: a manual check
// not ticked, or a command not run whose alternative group is still open.
// A group with nothing run yet stops on its first command only (enter there
// offers the alternatives); a group where one member ran or was chosen is
// settled for the others ("not chosen"). Failed or warned commands are not
// pending: they wait for the operator's judgement, not for the next key.
func (v flowView) pendingRow(r procRow) bool {
	switch r.kind {
	case rowStep:
		// a step that only leads elsewhere is a stop while what it leads
		// to has work left: the flow must not pass "Run Database
		// Migrations" silently (one level deep: no cycles)
		if v.linked == nil {
			return false
		}
		for _, lr := range v.linked(r) {
			if lr.kind != rowStep && v.pendingRow(lr) {
				return true
			}
		}
		return false
	case rowCheck:
		return !v.ticked(r.check)
	case rowCmd:
		if v.status(r.cmd.ID).Status != checklist.Pending {
			return false
		}
		if r.cmd.AltOf != "" {
			return false // its group's first command stands for it
		}
		for _, alt := range v.group(r.cmd.ID) {
			if alt.ID != r.cmd.ID && v.status(alt.ID).Status != checklist.Pending {
				return false
			}
		}
		return true
	}
	return false
}

// nextPending is the index of the first pending row after from (dir 1) or
// before it (dir -1); -1 when there is none. Going forward, a step whose
// commands are all still to do is entered at its heading (stopAt): enter
// there runs them one after another (chain.go).
func nextPending(rows []procRow, from, dir int, v flowView) int {
	for i := from + dir; i >= 0 && i < len(rows); i += dir {
		if v.pendingRow(rows[i]) {
			if dir > 0 {
				return stopAt(rows, from, i, v)
			}
			return i
		}
	}
	return -1
}

// stopAt is where the flow stops for the pending command row i, reached
// going forward from from: the heading of its step when none of the step's
// commands has run yet and from is not already among them (from the
// heading itself, or from a command of the step, it is the row i). From a
// check of the same step, the heading too: the checks come first in a
// step, and its commands start at the heading.
func stopAt(rows []procRow, from, i int, v flowView) int {
	r := rows[i]
	if r.kind != rowCmd {
		return i
	}
	h := headingRow(rows, i)
	if h < 0 || h == from || (from > h && rows[from].kind != rowCheck) {
		return i
	}
	for _, sr := range rows[h+1:] {
		if sr.step != r.step {
			break
		}
		if sr.kind == rowCmd && v.status(sr.cmd.ID).Status != checklist.Pending {
			return i
		}
	}
	return h
}

// headingRow is the index of the step row of row i's step, -1 if none.
func headingRow(rows []procRow, i int) int {
	for j := i; j >= 0; j-- {
		if rows[j].kind == rowStep && rows[j].step == rows[i].step {
			return j
		}
	}
	return -1
}

// stepSpan is how long a step's commands took: from the first start to the
// last end (now for one still running). ok is false when none has started.
func stepSpan(cmds []*checklist.Command, status func(string) checklist.CommandRun, now time.Time) (d time.Duration, ok bool) {
	var first, last time.Time
	for _, c := range cmds {
		cr := status(c.ID)
		if cr.Started.IsZero() {
			continue
		}
		end := cr.Ended
		if cr.Status == checklist.Running || end.IsZero() {
			end = now
		}
		if first.IsZero() || cr.Started.Before(first) {
			first = cr.Started
		}
		if end.After(last) {
			last = end
		}
	}
	if first.IsZero() {
		return 0, false
	}
	return last.Sub(first), true
}

// progress is where a procedure is, for the strip above the detail.
type progress struct {
	step, steps int // the step of the next pending item (1-based), of steps; 0 when none is pending
	started     bool
	elapsed     time.Duration // since the first command started (to the last end once nothing is left)
	done        bool          // nothing pending, nothing running
}

// stripText renders the progress strip: "Step 4/7 · 3:12 elapsed".
// Only what the run says: no time before a command ran, "took" once
// nothing is left to do.
func stripText(p progress) string {
	var s string
	switch {
	case p.done:
		s = fmt.Sprintf("%d steps · nothing pending", p.steps)
	case p.step > 0:
		s = fmt.Sprintf("Step %d/%d", p.step, p.steps)
	default:
		s = fmt.Sprintf("%d steps", p.steps)
	}
	switch {
	case !p.started:
		return s + " · not started"
	case p.done:
		return s + " · took " + fmtDuration(p.elapsed)
	}
	return s + " · " + fmtDuration(p.elapsed) + " elapsed"
}

// flowView is the run as this screen sees it (the command it runs overlaid).
func (p *Procedure) flowView() flowView { return sectionFlow(p.c, p.sec) }

// linkedRows are the rows a step row of sec leads to when the step has no
// commands or checks of its own: its first link's section (only that
// step's rows when the link names a step). Nil for other rows, and for a
// target in sec itself (its rows are on the way already) or nowhere.
func linkedRows(rb *checklist.Runbook, sec *checklist.Section, r procRow) []procRow {
	if r.kind != rowStep {
		return nil
	}
	st := sec.Steps[r.step]
	if len(st.Commands) > 0 || len(st.Checks) > 0 || len(st.Links) == 0 {
		return nil
	}
	tsec, tst := rb.Anchor(st.Links[0])
	if tsec == nil || tsec == sec {
		return nil
	}
	rows := procRows(tsec)
	if tst == nil {
		return rows
	}
	var out []procRow
	for _, lr := range rows {
		if tsec.Steps[lr.step] == tst {
			out = append(out, lr)
		}
	}
	return out
}

// counted says whether a step counts in "Step k/N": an implicit step (the
// section's prose before its first heading) with nothing to do does not.
func counted(st *checklist.Step) bool {
	return st.Level > 2 || len(st.Commands) > 0 || len(st.Checks) > 0
}

// progress is where the procedure is: the step of the command running in
// it, else of its first pending item; elapsed since its first command
// started.
func (p *Procedure) progress() progress {
	var pr progress
	ordinal := map[int]int{}
	for i, st := range p.sec.Steps {
		if counted(st) {
			pr.steps++
			ordinal[i] = pr.steps
		}
	}
	v := p.flowView()
	running, pending := -1, -1
	var first, last time.Time
	for _, r := range p.rows {
		if r.kind == rowCmd {
			cr := v.status(r.cmd.ID)
			if cr.Status == checklist.Running && running < 0 {
				running = r.step
			}
			if !cr.Started.IsZero() {
				end := cr.Ended
				if cr.Status == checklist.Running || end.IsZero() {
					end = p.c.now
				}
				if first.IsZero() || cr.Started.Before(first) {
					first = cr.Started
				}
				if end.After(last) {
					last = end
				}
			}
		}
		if pending < 0 && v.pendingRow(r) {
			pending = r.step
		}
	}
	switch {
	case running >= 0:
		pr.step = ordinal[running]
	case pending >= 0:
		pr.step = ordinal[pending]
	default:
		pr.done = true
	}
	if !first.IsZero() {
		pr.started = true
		pr.elapsed = p.c.now.Sub(first)
		if pr.done {
			pr.elapsed = last.Sub(first)
		}
	}
	return pr
}

// stepDuration is the faint duration shown on a step row once its commands ran.
func (p *Procedure) stepDuration(step int) string {
	d, ok := stepSpan(p.sec.Steps[step].Commands, p.c.status, p.c.now)
	if !ok {
		return ""
	}
	return fmtDuration(d)
}

// gotoPending moves the selection to the next (dir 1) or previous (dir -1)
// pending item; false when there is none that way.
func (p *Procedure) gotoPending(dir int) bool {
	i := nextPending(p.rows, p.sel, dir, p.flowView())
	if i < 0 {
		return false
	}
	p.sel = i
	p.refresh()
	return true
}

// gotoFirst selects the procedure's first thing to do, if any.
func (p *Procedure) gotoFirst() {
	if i := nextPending(p.rows, -1, 1, p.flowView()); i >= 0 {
		p.sel = i
		p.refresh()
	}
}

// advanceAfter moves the selection from a command that just ended ok to
// the next pending item, when the selection is still on that command and
// the list has the focus: an operator who looked elsewhere meanwhile, or
// who reads the output (its pane focused or zoomed), is not moved.
func (p *Procedure) advanceAfter(cmdID string) bool {
	r, ok := p.selected()
	if !ok || r.kind != rowCmd || r.cmd.ID != cmdID || p.focus != 0 || p.zoom {
		return false
	}
	return p.gotoPending(1)
}
