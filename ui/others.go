package ui

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"planner-tui/checklist"
)

// What other processes did to the run (a headless `planner-tui run`, a
// second screen) reaches this screen through the engine's snapshot (the
// session's watcher publishes a new one when the state dir changes). The
// screen shows it and never runs such a command again without asking.

// ranElsewhere is the record of a command this screen did not start but
// the run says ran or runs (another process, or an earlier screen); ok is
// false for one still pending, skipped, or whose latest attempt started
// here. Compared by job and attempt: a command this screen ran (or tried
// to: a refused start leaves its buffer) and another process ran again
// since is "elsewhere" again.
func (c *Context) ranElsewhere(cmdID string) (checklist.CommandRun, bool) {
	if c.isMine(cmdID) {
		return checklist.CommandRun{}, false
	}
	cr := c.run.Commands[cmdID]
	if cr == nil || cr.Status == "" || cr.Status == checklist.Pending || cr.Status == checklist.Skipped {
		return checklist.CommandRun{}, false
	}
	return *cr, true
}

// describeRun says in words what a run record says: "ok, exit 0, ended
// 12:03:04 (4.2s)". Plain words, so a status added later reads right too.
func describeRun(cr checklist.CommandRun) string {
	s := string(cr.Status)
	if cr.Status != checklist.Running {
		s += fmt.Sprintf(", exit %d", cr.ExitCode)
	}
	switch {
	case cr.Status == checklist.Running && !cr.Started.IsZero():
		s += ", since " + cr.Started.Local().Format("15:04:05")
	case !cr.Ended.IsZero():
		s += ", ended " + cr.Ended.Local().Format("15:04:05")
		if !cr.Started.IsZero() {
			s += " (" + fmtDuration(cr.Ended.Sub(cr.Started)) + ")"
		}
	}
	if cr.Error != "" {
		s += " — " + cr.Error
	}
	return s
}

// askRerun opens the question for a command that ran outside this screen:
// its result is shown, and only "y" goes on to the usual guards.
func (m *Model) askRerun(f flow, cr checklist.CommandRun) {
	st := m.c.styles
	title := m.cmdTitle(f.cmdID)
	lines := []string{
		st.Bold.Render(title) + " already ran outside this screen (a headless run or another planner-tui):",
		"  " + describeRun(cr),
	}
	if cr.Log != "" {
		lines = append(lines, st.Faint.Render("  its output: "+cr.Log))
	}
	lines = append(lines, "", "Run it again? Its own confirmation follows if it needs one.")
	again := f
	again.again = true
	m.setDialog(&confirmDialog{
		title: "Run again?",
		lines: lines,
		onYes: flowMsg{again},
		onNo:  flashMsg{text: "not run again: " + title + " stays " + string(cr.Status)},
	})
}

// noticeOthers flashes what changed in the run that this screen did not
// do: a command another process started or finished.
func (m *Model) noticeOthers(before checklist.Run) {
	c := m.c
	if before.ID != "" && c.run.ID != before.ID {
		// `runs new` / `runs resume` elsewhere: the watcher moved the
		// session to the runbook's current run
		m.setFlash("now showing run "+c.run.ID+" ("+c.run.Title+"): made current by another process", c.styles.Warn)
		return
	}
	ids := slices.Sorted(maps.Keys(c.run.Commands))
	for _, id := range ids {
		now := c.run.Commands[id]
		if c.isMine(id) || c.launching[id] || (c.active != nil && c.active.cmdID == id) {
			continue
		}
		was := before.Commands[id]
		if was != nil && was.Status == now.Status && was.Attempt == now.Attempt {
			continue
		}
		who := "another process"
		if sn := c.snapshot; sn != nil && sn.Holder != nil && !sn.Mine {
			who = sn.Holder.User + "@" + sn.Holder.Host + " pid " + fmt.Sprint(sn.Holder.PID)
		}
		switch now.Status {
		case checklist.Running:
			m.setFlash("▶ "+m.cmdTitle(id)+" was started by "+who, c.styles.Running)
		case checklist.Pending, checklist.Skipped, "":
		default:
			m.setFlash(m.cmdTitle(id)+" ran elsewhere: "+describeRun(*now), c.styles.Warn)
		}
	}
}

// followTail is the output of a command running in another process: the
// tail of its log file, read again (in a Cmd) at most once a second and
// never while a read is under way (a read's answer refreshes the screen,
// which must not ask for the next one at once).
func (c *Context) followTail(path string) *LogBuffer {
	if !c.tailBusy[path] && c.now.Sub(c.tailAt[path]) >= time.Second {
		c.tailBusy[path] = true
		c.tailAt[path] = c.now
		c.liveTails[path] = true
		c.emit(tailReqMsg{path: path})
	}
	return c.tails[path]
}
