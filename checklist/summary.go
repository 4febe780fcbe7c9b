package checklist

import (
	"fmt"
	"regexp"
	"strings"
)

// A summary item ("- [ ] [Backup database](#step-1-create-backup)") stands
// for the procedure it leads to. Its state is derived here, in one place,
// for the screen, `status` and `report`: it is done (✓) only when every
// command of that procedure the run needs ended ok and every manual check
// of it was ticked by a person. A person's tick on the summary item itself
// counts only when the item leads to nothing that can be derived (no
// commands, no checks): then it is an ordinary manual check.

// ItemStatus is the derived state of a summary item.
type ItemStatus string

const (
	ItemPending    ItemStatus = "pending"     // nothing done yet
	ItemInProgress ItemStatus = "in-progress" // some done, not all
	ItemRunning    ItemStatus = "running"     // one of its commands runs now
	ItemFailed     ItemStatus = "failed"      // a command failed or was interrupted
	ItemWarning    ItemStatus = "warning"     // a command ended with a warning: needs a look, not done
	ItemSkipped    ItemStatus = "skipped"     // all settled, but a command was skipped: not ✓
	ItemDone       ItemStatus = "done"        // every command ok, every check ticked
)

// RunView is what the derivation reads of a run. *Run is one; the screen
// gives its own, with the command it is running overlaid.
type RunView interface {
	// CommandStatus is a command's status in the run (Pending if none).
	CommandStatus(id string) Status
	// Ticked says whether a person ticked a manual check in this run (a
	// "[x]" in the document does not count).
	Ticked(ch *Check) bool
	// Chosen is the command chosen in an alternative group, by the id of
	// the group's first command; "" when none is.
	Chosen(headID string) string
}

// CommandStatus implements RunView.
func (r *Run) CommandStatus(id string) Status {
	if c := r.Commands[id]; c != nil && c.Status != "" {
		return c.Status
	}
	return Pending
}

// Ticked implements RunView. Only a person's tick in this run counts: a
// "[x]" in the document (a runbook copied from a finished checklist) is
// no one's word that it is done now.
func (r *Run) Ticked(ch *Check) bool {
	st := r.Checks[ch.ID]
	return st != nil && st.Done
}

// Chosen implements RunView.
func (r *Run) Chosen(headID string) string { return r.Choices[headID] }

// Item is a summary item with its derived state.
type Item struct {
	Check  *Check
	Status ItemStatus
	// Done counts what is ✓-worthy (commands ok, checks ticked) of Total
	// (command groups, an alternative group counting once, plus checks).
	// An item that derives from nothing counts as one manual check.
	Done, Total int
	// Why says briefly what keeps it from done ("failed: Health check",
	// "3 of 8 checks not ticked"); "" when done or not started.
	Why string
}

// Mark is the item's one-column mark in text output: ✓ only for done.
func (i Item) Mark() string {
	switch i.Status {
	case ItemDone:
		return "✓"
	case ItemFailed:
		return "✗"
	case ItemWarning:
		return "⚠"
	case ItemRunning:
		return "▶"
	case ItemSkipped:
		return "↷"
	case ItemInProgress:
		return "~"
	}
	return " "
}

// SummarySection is the section playing the summary role: the front
// matter's `summary` (a title or an anchor), else "Deployment Checklist
// Summary". Nil when there is none.
func (rb *Runbook) SummarySection() *Section {
	return rb.RoleSection("summary", "Deployment Checklist Summary")
}

// RoleSection finds the section playing a role (summary, emergency,
// rollback): the front matter names it by title or anchor, else def.
func (rb *Runbook) RoleSection(role, def string) *Section {
	if t := rb.Meta[role]; t != "" {
		if s := rb.SectionByTitle(t); s != nil {
			return s
		}
		if s, st := rb.Anchor(t); s != nil && st == nil {
			return s
		}
	}
	return rb.SectionByTitle(def)
}

// ItemTarget is where a summary item leads: its link when it has one,
// else the command, then the step, whose title says the same thing, else
// a section whose title it mentions ("Execute rollback procedure"). The
// summary section itself is never a target. All nil when nothing matches.
func (rb *Runbook) ItemTarget(ch *Check) (sec *Section, step *Step, cmd *Command) {
	if ch.Link != "" {
		if sec, step = rb.Anchor(ch.Link); sec != nil {
			return sec, step, nil
		}
	}
	home := rb.SummarySection()
	text := normTitle(ch.Text)
	if text == "" {
		return nil, nil, nil
	}
	for _, s := range rb.Sections {
		if s == home {
			continue
		}
		for _, st := range s.Steps {
			for _, c := range st.Commands {
				if normTitle(c.Title) == text {
					return s, st, c
				}
			}
		}
	}
	for _, s := range rb.Sections {
		if s == home {
			continue
		}
		for _, st := range s.Steps {
			if normTitle(st.Title) == text {
				return s, st, nil
			}
		}
	}
	for _, s := range rb.Sections {
		if s != home && strings.Contains(text, normTitle(s.Title)) {
			return s, nil, nil
		}
	}
	return nil, nil, nil
}

var stepNumber = regexp.MustCompile(`(?i)^step\s+\d+\s*:\s*`)

// normTitle compares titles loosely: no "Step 3:", no "(if needed)", any case.
func normTitle(s string) string {
	s = stepNumber.ReplaceAllString(strings.TrimSpace(s), "")
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// ItemScope is what a summary item stands for: the command groups (an
// alternative group is one entry, its first command first) and the manual
// checks of its target. A step without commands of its own stands for what
// its prose links to as well, one level deep ("See [Database Migration
// Procedure](#...)"). The emergency section as a whole is a menu of
// playbooks, not a procedure to run through: an item leading there
// ("Investigate root cause") stands for nothing and is ticked by a person.
func (rb *Runbook) ItemScope(ch *Check) (groups [][]*Command, checks []*Check) {
	sec, step, cmd := rb.ItemTarget(ch)
	if sec == nil || (step == nil && cmd == nil && sec == rb.RoleSection("emergency", "Emergency Procedures")) {
		return nil, nil
	}
	if cmd != nil {
		return [][]*Command{rb.Alternatives(cmd.ID)}, nil
	}
	home := rb.SummarySection()
	seenCmd, seenCheck := map[string]bool{}, map[string]bool{}
	add := func(st *Step) {
		for _, c := range st.Commands {
			if c.AltOf != "" || seenCmd[c.ID] {
				continue // an alternative comes with its group's first command
			}
			seenCmd[c.ID] = true
			groups = append(groups, rb.Alternatives(c.ID))
		}
		for _, k := range st.Checks {
			if k != ch && !seenCheck[k.ID] {
				seenCheck[k.ID] = true
				checks = append(checks, k)
			}
		}
	}
	steps := sec.Steps
	if step != nil {
		steps = []*Step{step}
	}
	for _, st := range steps {
		add(st)
		if len(st.Commands) > 0 {
			continue
		}
		for _, l := range st.Links {
			ls, lst := rb.Anchor(l)
			if ls == nil || ls == sec || ls == home {
				continue
			}
			if lst != nil {
				add(lst)
				continue
			}
			for _, x := range ls.Steps {
				add(x)
			}
		}
	}
	return groups, checks
}

// SummaryItem derives a summary item's state from the runbook and the run.
func SummaryItem(rb *Runbook, ch *Check, v RunView) Item {
	groups, checks := rb.ItemScope(ch)
	it := Item{Check: ch, Total: len(groups) + len(checks)}
	if it.Total == 0 {
		// Nothing to derive from: an ordinary manual check.
		it.Total = 1
		if v.Ticked(ch) {
			it.Status, it.Done = ItemDone, 1
		} else {
			it.Status = ItemPending
		}
		return it
	}
	var running, failed, warned, skipped []string
	settled := 0
	for _, g := range groups {
		st := groupStatus(g, v)
		switch st {
		case OK:
			it.Done++
			settled++
		case Skipped:
			skipped = append(skipped, g[0].Title)
			settled++
		case Warning:
			warned = append(warned, g[0].Title)
			settled++
		case Failed, Interrupted:
			failed = append(failed, g[0].Title)
			settled++
		case Running:
			running = append(running, g[0].Title)
		}
	}
	unticked := 0
	for _, k := range checks {
		if v.Ticked(k) {
			it.Done++
			settled++
		} else {
			unticked++
		}
	}
	switch {
	case len(running) > 0:
		it.Status, it.Why = ItemRunning, "running: "+running[0]
	case len(failed) > 0:
		it.Status, it.Why = ItemFailed, "failed: "+strings.Join(failed, ", ")
	case len(warned) > 0:
		it.Status, it.Why = ItemWarning, "needs a look: "+strings.Join(warned, ", ")
	case it.Done == it.Total:
		it.Status = ItemDone
	case settled == it.Total:
		it.Status, it.Why = ItemSkipped, "skipped: "+strings.Join(skipped, ", ")
	case settled > 0:
		it.Status = ItemInProgress
		if unticked > 0 && settled+unticked == it.Total {
			it.Why = fmt.Sprintf("%d of %d checks not ticked", unticked, len(checks))
		}
	default:
		it.Status = ItemPending
	}
	return it
}

// groupStatus is the status of an alternative group: its chosen command's;
// with none chosen (a choice is recorded when a member starts), the first
// member that is not pending (a skipped one), else pending.
func groupStatus(g []*Command, v RunView) Status {
	if len(g) > 1 {
		if c := v.Chosen(g[0].ID); c != "" {
			return v.CommandStatus(c)
		}
	}
	for _, c := range g {
		if st := v.CommandStatus(c.ID); st != Pending {
			return st
		}
	}
	return Pending
}

// SummaryGroup is one group of the summary section ("Pre-Deployment")
// with its items.
type SummaryGroup struct {
	Step  *Step
	Items []Item
}

// Summary derives every item of the summary section, group by group
// (steps without checks left out). Nil when the runbook has no summary.
func Summary(rb *Runbook, v RunView) []SummaryGroup {
	sec := rb.SummarySection()
	if sec == nil {
		return nil
	}
	var out []SummaryGroup
	for _, st := range sec.Steps {
		if len(st.Checks) == 0 {
			continue
		}
		g := SummaryGroup{Step: st}
		for _, ch := range st.Checks {
			g.Items = append(g.Items, SummaryItem(rb, ch, v))
		}
		out = append(out, g)
	}
	return out
}
