package ui

import tea "charm.land/bubbletea/v2"

// ownerID names the component that asked for something asynchronous (a
// plan built, a list of targets, a poll): its answer comes back wrapped
// with the id (gh-dash's SectionMsg), and the root hands it to that
// component if it is still open, without knowing the answer's type. A
// page or dialog closed since drops it, and one asked twice tells its
// answers apart itself.
type ownerID uint64

// ownedMsg is an answer addressed to its owner.
type ownedMsg struct {
	owner ownerID
	msg   tea.Msg
}

// owns is embedded by components that receive owned answers.
type owns struct{ id ownerID }

func (o *owns) ownerID() ownerID { return o.id }

// owner is a component that receives owned answers.
type owner interface {
	Component
	ownerID() ownerID
}

// newOwner hands out an id no other component of this screen has had.
func (c *Context) newOwner() ownerID {
	c.owners++
	return ownerID(c.owners)
}

// ownedCmd addresses what cmd returns to its owner (a batch's every
// command, likewise).
func ownedCmd(id ownerID, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, len(msg))
			for i, c := range msg {
				out[i] = ownedCmd(id, c)
			}
			return out
		default:
			return ownedMsg{owner: id, msg: msg}
		}
	}
}

// openDialogMsg asks the root to open a dialog (a page's picker).
type openDialogMsg struct{ d dialog }

// route hands an owned answer to its owner among the open components;
// nobody: it is dropped (the page or dialog that asked was closed).
func (m *Model) route(msg ownedMsg) tea.Cmd {
	if d, ok := m.dlg.(owner); ok && d.ownerID() == msg.owner {
		next, cmd := m.dlg.Update(msg.msg)
		m.setDialog(next)
		return cmd
	}
	open := []Component{m.home}
	if m.page != nil {
		open = append(open, m.page)
	}
	if m.proc != nil {
		open = append(open, m.proc)
	}
	for _, o := range open {
		if o, ok := o.(owner); ok && o.ownerID() == msg.owner {
			return send(o, msg.msg)
		}
	}
	return nil
}
