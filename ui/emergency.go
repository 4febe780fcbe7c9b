package ui

import "fmt"

// newEmergencyDialog lists the emergency playbooks (the steps of the
// emergency section), filterable by typing; enter opens one.
func newEmergencyDialog(c *Context) *pickerDialog {
	sec := roleSection(c.rb, "emergency", "Emergency Procedures")
	if sec == nil {
		return nil
	}
	var items []pickItem
	for si, st := range sec.Steps {
		detail := ""
		if n := len(st.Commands); n > 0 {
			detail = plural(n, "command")
		}
		hay := ""
		for _, cmd := range st.Commands {
			hay += " " + cmd.Title
		}
		items = append(items, pickItem{label: st.Title, detail: detail, hay: hay, pick: openMsg{t: target{sec: sec, step: si}}})
	}
	d := newPicker("Emergency playbooks", "What is wrong?", items, true)
	// what the stack watcher sees wrong now picks its playbook
	if c.snap != nil {
		if ins := incidents(*c.snap); len(ins) > 0 {
			if i := playbookFor(sec, ins[0]); i >= 0 {
				d.sel = i
				d.intro = "What is wrong? Now: " + ins[0].text
			}
		}
	}
	return d
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
