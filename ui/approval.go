package ui

import (
	"charm.land/bubbles/v2/key"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/session"
)

// Approvals on the screen: a command the runbook says needs another
// engineer's approval opens this dialog before its guard (advance's hook).
// The operator types a note for the approver and enter asks; the dialog
// then shows "awaiting approval ID — ask another engineer to run: planner-tui
// approve ID" and reads the request again every approvalPoll in a Cmd (the
// engine reads two small files; never in Update or View). Once approved it
// closes and the flow goes on to the phrase, which is still typed; a
// rejection (with the approver's note) or an expiry is shown. Admission
// checks the approval again whatever the screen believes.

// approvalPoll is how often the dialog reads the request again: a decision
// shows within a second.
const approvalPoll = 700 * time.Millisecond

// approvalEngine is what the dialog needs of the engine (the Session has
// it; test engines that have not are told apart).
type approvalEngine interface {
	RequestApproval(p *session.Plan, note string) (*session.ApprovalStatus, error)
	ApprovalStatus(id string) (*session.ApprovalStatus, error)
}

// approvalMsg is a request's status read in a Cmd, for the dialog that
// asked (an owned answer: owner.go).
type approvalMsg struct {
	st  *session.ApprovalStatus
	err error
}

// approvalPollMsg asks the dialog to read its request again.
type approvalPollMsg struct{}

type approvalDialog struct {
	dlgBase
	f     flow
	plan  *session.Plan
	eng   approvalEngine
	input textinput.Model
	asked bool // the request was sent (or found)
	st    *session.ApprovalStatus
	err   error
}

// askApproval opens the approval dialog for plan (advance calls it when
// plan needs an approval it does not have).
func (m *Model) askApproval(f flow, plan *session.Plan) tea.Cmd {
	eng, ok := m.c.eng.(approvalEngine)
	if !ok {
		m.setFlash("this command needs another engineer's approval, which this screen cannot ask for: run it with planner-tui run", m.c.styles.Error)
		return nil
	}
	d := &approvalDialog{f: f, plan: plan, eng: eng, input: newInput("> ", "a note for the approver: why, why now (enter asks)")}
	m.setDialog(d)
	if st := plan.Approval; st != nil && st.State == session.ApprovalPending {
		// Asked already: follow that request.
		d.asked, d.st = true, st
		return d.poll()
	}
	return nil
}

func (d *approvalDialog) request(note string) tea.Cmd {
	eng, plan := d.eng, d.plan
	return ownedCmd(d.id, func() tea.Msg {
		st, err := eng.RequestApproval(plan, note)
		return approvalMsg{st: st, err: err}
	})
}

func (d *approvalDialog) poll() tea.Cmd {
	return ownedCmd(d.id, tea.Tick(approvalPoll, func(time.Time) tea.Msg { return approvalPollMsg{} }))
}

func (d *approvalDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	switch msg := msg.(type) {
	case approvalPollMsg:
		if d.st == nil {
			return d, nil
		}
		eng, id := d.eng, d.st.ID
		return d, ownedCmd(d.id, func() tea.Msg {
			st, err := eng.ApprovalStatus(id)
			return approvalMsg{st: st, err: err}
		})
	case approvalMsg:
		d.err = msg.err
		if msg.st != nil {
			st := *msg.st // the engine's memo may hold msg.st: not changed here
			if st.Notes == "" && d.st != nil && d.st.ID == st.ID {
				st.Notes = d.st.Notes // a poll keeps the request's notes
			}
			d.st = &st
		}
		switch {
		case d.st == nil:
			return d, nil
		case d.st.State == session.ApprovalApproved:
			// On to the guard: the plan now knows it is approved.
			c.emit(flashMsg{text: "approval " + d.st.ID + " granted: type the phrase to run it"})
			c.emit(flowMsg{d.f})
			return nil, nil
		case d.st.State == session.ApprovalPending:
			return d, d.poll()
		}
		return d, nil // rejected, expired, used: shown until closed
	case tea.KeyPressMsg:
		switch msg.String() {
		case "esc":
			if d.asked && d.st != nil && d.st.State == session.ApprovalPending {
				c.emit(flashMsg{text: "nothing ran: still awaiting approval " + d.st.ID + " (enter on the command follows it again)", warn: true})
			} else {
				c.emit(flashMsg{text: "nothing ran"})
			}
			return nil, nil
		case "enter":
			if !d.asked {
				d.asked = true
				return d, d.request(d.input.Value())
			}
			if d.st != nil && d.st.State != session.ApprovalPending {
				// Closed (rejected, expired): ask anew.
				d.asked, d.st, d.err = false, nil, nil
				d.input.Reset()
			}
			return d, nil
		}
		if d.asked {
			return d, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = updateInput(d.input, msg)
	return d, cmd
}

func (d *approvalDialog) View() string {
	c := d.c
	st := c.styles
	p := d.plan
	lines := []string{st.RiskLabel(p.Risk) + "  " + st.Bold.Render(p.Command.Title), ""}
	lines = append(lines, c.commandBlock(p.Display, dialogTextWidth(c))...)
	if p.Destroys != "" {
		lines = append(lines, "", st.Destructive.Render("Destroys:")+" "+p.Destroys)
	}
	lines = append(lines, "")
	switch a := d.st; {
	case !d.asked:
		lines = append(lines, "The runbook asks another engineer to approve this command before it runs.", d.input.View())
	case a == nil && d.err == nil:
		lines = append(lines, st.Faint.Render("asking…"))
	case a == nil:
	case a.State == session.ApprovalPending:
		// The command on a line of its own: copied whole, never wrapped
		// mid-word by the sentence before it.
		lines = append(lines, st.Warn.Render("awaiting approval "+a.ID)+" — ask another engineer to run:")
		for _, r := range scriptRows(a.ApproveCommand(), dialogTextWidth(c)-2) {
			lines = append(lines, "  "+st.Bold.Render(r))
		}
		lines = append(lines, st.Faint.Render("expires "+a.Expires.Local().Format("15:04:05")+"; this dialog follows it, esc leaves it waiting"))
	case a.State == session.ApprovalRejected:
		line := "approval " + a.ID + " was rejected"
		if r := a.Rejection(); r != nil {
			line += " by " + r.Approver.String()
			if r.Note != "" {
				line += ": " + r.Note
			}
		}
		lines = append(lines, st.Error.Render(line), "Nothing ran. enter asks again, esc closes.")
	default:
		lines = append(lines, st.Warn.Render("approval "+a.ID+" is "+a.State+"."), "Nothing ran. enter asks again, esc closes.")
	}
	if d.st != nil && d.st.Notes != "" {
		lines = append(lines, st.Warn.Render(d.st.Notes))
	}
	for _, why := range d.invalid() {
		lines = append(lines, st.Warn.Render("ignored: "+why))
	}
	if d.err != nil {
		lines = append(lines, st.Error.Render(d.err.Error()))
	}
	return dialogBox(c, "Approval needed", lines)
}

func (d *approvalDialog) invalid() []string {
	if d.st == nil {
		return nil
	}
	return d.st.Invalid
}

func (d *approvalDialog) ShortHelp() []key.Binding {
	if !d.asked {
		return hints("type a note, enter asks for the approval · esc cancels")
	}
	return hints("esc closes (the request stays) · enter asks again once closed")
}

func (d *approvalDialog) FullHelp() [][]key.Binding { return fullHelp(d) }
