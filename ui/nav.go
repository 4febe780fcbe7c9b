package ui

import (
	"regexp"
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

var stepNumber = regexp.MustCompile(`(?i)^step\s+\d+\s*:\s*`)

func norm(s string) string {
	s = stepNumber.ReplaceAllString(strings.TrimSpace(s), "")
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i] // "(if needed)", "(if applicable)"
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// checkTarget is where a summary item leads: its link when it has one, else
// the command or step whose title says the same thing, else the section
// whose title it mentions ("Execute rollback procedure").
func checkTarget(rb *checklist.Runbook, ch *checklist.Check, home *checklist.Section) target {
	if ch.Link != "" {
		if t := findAnchor(rb, ch.Link); t.ok() {
			return t
		}
	}
	text := norm(ch.Text)
	if text == "" {
		return target{}
	}
	for _, sec := range rb.Sections {
		if sec == home {
			continue
		}
		for si, st := range sec.Steps {
			for _, c := range st.Commands {
				if norm(c.Title) == text {
					return target{sec, si, c.ID}
				}
			}
		}
	}
	for _, sec := range rb.Sections {
		if sec == home {
			continue
		}
		for si, st := range sec.Steps {
			if norm(st.Title) == text {
				return target{sec, si, ""}
			}
		}
	}
	for _, sec := range rb.Sections {
		if sec != home && strings.Contains(text, norm(sec.Title)) {
			return target{sec, -1, ""}
		}
	}
	return target{}
}

// commandsOf lists the commands a target covers, following one level of
// links from steps without commands of their own ("See [Database Migration
// Procedure](#...)").
func commandsOf(rb *checklist.Runbook, t target) []*checklist.Command {
	if !t.ok() {
		return nil
	}
	if t.cmdID != "" {
		c, _ := findCommand(rb, t.cmdID)
		if c == nil {
			return nil
		}
		return []*checklist.Command{c}
	}
	var steps []*checklist.Step
	if t.step >= 0 {
		steps = t.sec.Steps[t.step : t.step+1]
	} else {
		steps = t.sec.Steps
	}
	var out []*checklist.Command
	for _, st := range steps {
		out = append(out, st.Commands...)
		if len(st.Commands) == 0 {
			for _, l := range st.Links {
				lt := findAnchor(rb, l)
				if lt.ok() && lt.sec != t.sec {
					lt.cmdID = ""
					out = append(out, commandsOfShallow(lt)...)
				}
			}
		}
	}
	return out
}

func commandsOfShallow(t target) []*checklist.Command {
	var out []*checklist.Command
	if t.step >= 0 {
		return t.sec.Steps[t.step].Commands
	}
	for _, st := range t.sec.Steps {
		out = append(out, st.Commands...)
	}
	return out
}

// itemState is how far a summary item is.
type itemState int

const (
	itemTodo itemState = iota
	itemPartial
	itemRunning
	itemFailed
	itemDone
)

// checkState derives a summary item's state: ticked wins; else the commands
// of what it links to (all of an alternative group count as one).
func (c *Context) checkState(ch *checklist.Check, t target) (itemState, int, int) {
	if c.checked(ch) {
		return itemDone, 0, 0
	}
	cmds := commandsOf(c.rb, t)
	done, total := 0, 0
	failed, running := false, false
	for _, cmd := range cmds {
		st := c.status(cmd.ID).Status
		if cmd.AltOf != "" {
			// counted with the first command of its group
			if st == checklist.OK || st == checklist.Skipped {
				done++
			}
			continue
		}
		total++
		switch st {
		case checklist.OK, checklist.Skipped:
			done++
		case checklist.Failed, checklist.Interrupted:
			failed = true
		case checklist.Running:
			running = true
		}
	}
	if done > total {
		done = total
	}
	switch {
	case running:
		return itemRunning, done, total
	case failed:
		return itemFailed, done, total
	case total > 0 && done == total:
		return itemDone, done, total
	case done > 0:
		return itemPartial, done, total
	}
	return itemTodo, done, total
}
