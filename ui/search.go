package ui

import (
	"strings"

	"planner-tui/checklist"
)

// jumpMsg goes to a search result.
type jumpMsg struct {
	t       target
	checkID string
}

// searchItems indexes the whole runbook: sections, steps, commands (by
// title and script) and checks.
func searchItems(c *Context) []pickItem {
	st := c.styles
	var items []pickItem
	for _, sec := range c.rb.Sections {
		items = append(items, pickItem{
			label: st.Faint.Render("section ") + sec.Title,
			title: sec.Title,
			hay:   sec.Intro,
			pick:  jumpMsg{t: target{sec: sec, step: -1}},
		})
		for si, step := range sec.Steps {
			if !(step.Level == 2 && step.Title == sec.Title) {
				items = append(items, pickItem{
					label:  st.Faint.Render("step    ") + step.Title,
					title:  step.Title,
					detail: sec.Title,
					hay:    step.Group + " " + step.Body,
					pick:   jumpMsg{t: target{sec: sec, step: si}},
				})
			}
			for _, ch := range step.Checks {
				items = append(items, pickItem{
					label:  st.Faint.Render("check   ") + ch.Text,
					title:  ch.Text,
					detail: sec.Title + " › " + step.Title,
					pick:   jumpMsg{t: target{sec: sec, step: si}, checkID: ch.ID},
				})
			}
			for _, cmd := range step.Commands {
				items = append(items, pickItem{
					label:  st.Faint.Render("command ") + cmd.Title,
					title:  cmd.Title,
					detail: sec.Title + " › " + step.Title,
					hay:    cmd.Script,
					pick:   jumpMsg{t: target{sec: sec, step: si, cmdID: cmd.ID}},
				})
			}
		}
	}
	return items
}

func newSearchDialog(c *Context) *pickerDialog {
	return newPicker("Search the runbook", "", searchItems(c), true)
}

// firstLine is the first line of a script, for short listings.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

var _ = checklist.Safe
