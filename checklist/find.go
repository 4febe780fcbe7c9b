package checklist

import (
	"fmt"
	"slices"
	"strings"
)

// Commands returns every command in document order.
func (rb *Runbook) Commands() []*Command {
	var out []*Command
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			out = append(out, st.Commands...)
		}
	}
	return out
}

// Steps returns every step in document order.
func (rb *Runbook) Steps() []*Step {
	var out []*Step
	for _, sec := range rb.Sections {
		out = append(out, sec.Steps...)
	}
	return out
}

// Command finds a command by its exact id or by a unique suffix of it that
// starts at a "/" ("create-backup/backup-database"). An ambiguous suffix is
// an error that lists the candidates; an unknown id is an error that names
// close matches.
func (rb *Runbook) Command(id string) (*Command, error) {
	cmds := rb.Commands()
	ids := make([]string, len(cmds))
	for i, c := range cmds {
		ids[i] = c.ID
	}
	i, err := lookup("command", id, ids)
	if err != nil {
		return nil, err
	}
	return cmds[i], nil
}

// Step finds a step with the same rules as Command.
func (rb *Runbook) Step(id string) (*Step, error) {
	steps := rb.Steps()
	ids := make([]string, len(steps))
	for i, s := range steps {
		ids[i] = s.ID
	}
	i, err := lookup("step", id, ids)
	if err != nil {
		return nil, err
	}
	return steps[i], nil
}

func lookup(kind, id string, ids []string) (int, error) {
	id = strings.Trim(strings.TrimSpace(id), "/")
	if id == "" {
		return -1, fmt.Errorf("empty %s id", kind)
	}
	if i := slices.Index(ids, id); i >= 0 {
		return i, nil
	}
	var hits []int
	for i, full := range ids {
		if strings.HasSuffix(full, "/"+id) {
			hits = append(hits, i)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		var close []string
		for _, full := range ids {
			last := full[strings.LastIndexByte(full, '/')+1:]
			if strings.Contains(full, id) || editDistance(last, id) <= max(2, len(id)/4) {
				close = append(close, full)
			}
		}
		if len(close) > 5 {
			close = close[:5]
		}
		if len(close) == 0 {
			return -1, fmt.Errorf("no %s %q", kind, id)
		}
		return -1, fmt.Errorf("no %s %q; did you mean %s?", kind, id, strings.Join(close, ", "))
	default:
		var names []string
		for _, i := range hits {
			names = append(names, ids[i])
		}
		return -1, fmt.Errorf("%s %q is ambiguous: %s", kind, id, strings.Join(names, ", "))
	}
}

// EditDistance is the Levenshtein distance of two short strings (bytes).
func EditDistance(a, b string) int { return editDistance(a, b) }

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// StepOf returns the step that holds a command, or nil.
func (rb *Runbook) StepOf(cmdID string) *Step {
	for _, st := range rb.Steps() {
		for _, c := range st.Commands {
			if c.ID == cmdID {
				return st
			}
		}
	}
	return nil
}

// SectionOf returns the section that holds a step, or nil.
func (rb *Runbook) SectionOf(stepID string) *Section {
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			if st.ID == stepID {
				return sec
			}
		}
	}
	return nil
}

// Anchor resolves a link target ("#rollback-procedure" or
// "rollback-procedure") to a section (step nil) or to a step and its
// section. A group heading ("Rollback Steps") resolves to its first step.
// Both are nil when nothing matches.
func (rb *Runbook) Anchor(anchor string) (sec *Section, step *Step) {
	a := normAnchor(anchor)
	if a == "" {
		return nil, nil
	}
	for _, s := range rb.Sections {
		if s.ID == a {
			return s, nil
		}
	}
	for _, s := range rb.Sections {
		for _, st := range s.Steps {
			if st.Level > 2 && st.Anchor == a {
				return s, st
			}
		}
	}
	for _, s := range rb.Sections {
		for _, st := range s.Steps {
			if st.Group != "" && githubAnchor(st.Group) == a {
				return s, st
			}
		}
	}
	return nil, nil
}

// Alternatives returns the "Or ..." group a command belongs to, the first
// command of the group first; a command with no alternatives comes back
// alone. Nil for an unknown id.
func (rb *Runbook) Alternatives(cmdID string) []*Command {
	st := rb.StepOf(cmdID)
	if st == nil {
		return nil
	}
	head := cmdID
	for _, c := range st.Commands {
		if c.ID == cmdID && c.AltOf != "" {
			head = c.AltOf
		}
	}
	var out []*Command
	for _, c := range st.Commands {
		if c.ID == head || c.AltOf == head {
			out = append(out, c)
		}
	}
	return out
}

// SectionByTitle finds a section by its title, ignoring case; nil if none.
func (rb *Runbook) SectionByTitle(title string) *Section {
	for _, s := range rb.Sections {
		if strings.EqualFold(strings.TrimSpace(s.Title), strings.TrimSpace(title)) {
			return s
		}
	}
	return nil
}
