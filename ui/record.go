package ui

import (
	"strings"
	"time"
)

// The deployment record in the TUI: the parameter pickers open with the
// value recorded before the deploy chosen (the commit, revision or backup
// to go back to), and the header says what the run deployed and whether it
// rolled back.

// chooseRecorded fills an empty field with the choice the deployment
// record holds (session.Choice.Recorded, listed first) and, when the field
// has the focus, selects it in the list: the operator sees it chosen,
// marked "recorded before this deploy", and enter takes it. A value
// already in the field (typed, or given earlier in the run) stays.
func (d *paramsDialog) chooseRecorded(name string) {
	ch := d.choices[name]
	if len(ch) == 0 || !ch[0].Recorded {
		return
	}
	for i, n := range d.names {
		if n != name || strings.TrimSpace(d.inputs[i].Value()) != "" {
			continue
		}
		d.inputs[i].SetValue(ch[0].Value)
		d.inputs[i].CursorEnd()
		if i == d.focus {
			d.csel = 0
		}
	}
}

// deploymentParts is what the header says first about the run's
// deployment ("deployed 1.2.2 → 1.2.3, rolled back to 1.2.2 at 06:12"),
// nothing when the run has not deployed.
func (c *Context) deploymentParts() []string {
	if s := c.run.Deployment.Statement(time.Local); s != "" {
		return []string{s}
	}
	return []string{}
}
