package ui

import (
	"strings"

	"planner-tui/checklist"
)

// The lookups below walk the runbook directly: runbooks are small (a few
// hundred items) and this keeps the screen independent of helper methods.

// target is a place in the runbook the screen can open.
type target struct {
	sec   *checklist.Section
	step  int    // index in sec.Steps; -1 for the section itself
	cmdID string // a command to select, or ""
}

func (t target) ok() bool { return t.sec != nil }

func findCommand(rb *checklist.Runbook, id string) (*checklist.Command, target) {
	for _, sec := range rb.Sections {
		for si, st := range sec.Steps {
			for _, c := range st.Commands {
				if c.ID == id {
					return c, target{sec, si, c.ID}
				}
			}
		}
	}
	return nil, target{}
}

func findStep(rb *checklist.Runbook, id string) target {
	for _, sec := range rb.Sections {
		for si, st := range sec.Steps {
			if st.ID == id {
				return target{sec, si, ""}
			}
		}
	}
	return target{}
}

// findAnchor resolves a "#anchor" link to a section or a step.
func findAnchor(rb *checklist.Runbook, anchor string) target {
	a := strings.TrimPrefix(anchor, "#")
	if a == "" {
		return target{}
	}
	for _, sec := range rb.Sections {
		if sec.ID == a {
			return target{sec, -1, ""}
		}
	}
	for _, sec := range rb.Sections {
		for si, st := range sec.Steps {
			if st.Anchor == a {
				return target{sec, si, ""}
			}
		}
	}
	return target{}
}

func sectionByTitle(rb *checklist.Runbook, title string) *checklist.Section {
	for _, sec := range rb.Sections {
		if strings.EqualFold(strings.TrimSpace(sec.Title), strings.TrimSpace(title)) {
			return sec
		}
	}
	return nil
}

// roleSection finds the section playing a role (summary, emergency,
// rollback): the front matter names it, else the conventional title.
func roleSection(rb *checklist.Runbook, role, def string) *checklist.Section {
	if t := rb.Meta[role]; t != "" {
		if s := sectionByTitle(rb, t); s != nil {
			return s
		}
		if t := findAnchor(rb, t); t.ok() && t.step < 0 {
			return t.sec
		}
	}
	return sectionByTitle(rb, def)
}

// checkTarget is where a summary item leads (checklist.ItemTarget: its
// link, else the command, step or section its text names); the screen
// opens what the item's state is derived from.
func checkTarget(rb *checklist.Runbook, ch *checklist.Check, _ *checklist.Section) target {
	sec, step, cmd := rb.ItemTarget(ch)
	if sec == nil {
		return target{}
	}
	t := target{sec: sec, step: -1}
	for i, st := range sec.Steps {
		if st == step {
			t.step = i
		}
	}
	if cmd != nil {
		t.cmdID = cmd.ID
	}
	return t
}

// screenRun is the run as the screen shows it (the command it follows
// overlaid), for checklist.SummaryItem.
type screenRun struct{ c *Context }

func (r screenRun) CommandStatus(id string) checklist.Status { return r.c.status(id).Status }
func (r screenRun) Ticked(ch *checklist.Check) bool          { return r.c.checked(ch) }
func (r screenRun) Chosen(head string) string                { return r.c.run.Choices[head] }

// checkState derives a summary item's state, the one way status and
// report do (checklist.SummaryItem).
func (c *Context) checkState(ch *checklist.Check) checklist.Item {
	return checklist.SummaryItem(c.rb, ch, screenRun{c})
}

// itemMark is a summary item's box: [x] only when it is done.
func (c *Context) itemMark(it checklist.Item) string {
	st := c.styles
	switch it.Status {
	case checklist.ItemDone:
		return st.OK.Render("[x]")
	case checklist.ItemRunning:
		return st.Running.Render("[" + c.spin + "]")
	case checklist.ItemFailed:
		return st.Error.Render("[✗]")
	case checklist.ItemWarning:
		return st.Warn.Render("[⚠]")
	case checklist.ItemSkipped:
		return st.Faint.Render("[↷]")
	case checklist.ItemInProgress:
		return st.Warn.Render("[~]")
	}
	return "[ ]"
}

// checkMark is a check's box in a procedure: a person's tick, or, for an
// item of the summary section, its derived state (the same as on home).
func (c *Context) checkMark(ch *checklist.Check, sec *checklist.Section) string {
	if sec != nil && sec == c.rb.SummarySection() {
		return c.itemMark(c.checkState(ch))
	}
	if c.checked(ch) {
		return c.styles.OK.Render("[x]")
	}
	return "[ ]"
}
