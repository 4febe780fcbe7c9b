package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
)

// writes handles the writes to the run asked for on screen (a tick, a note, a new run): each runs in a Cmd (the operator lock, fsync) and comes back as a flash.
func (m *Model) writes(msg tea.Msg) (tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case newRunReqMsg:
		if c.active != nil {
			m.setFlash("a step is running: wait for it or cancel it before a new run", c.styles.Warn)
			return nil, true
		}
		m.setDialog(&newRunDialog{input: newInput("> ", "what is this run for? (enter: the runbook title)")})
		return nil, true
	case newRunMsg:
		eng, title := c.eng, msg.title
		return func() tea.Msg { return newRunDoneMsg{err: eng.NewRun(title)} }, true
	case newRunDoneMsg:
		if msg.err != nil {
			m.setFlash("no new run: "+msg.err.Error(), c.styles.Error)
			return nil, true
		}
		c.logs = map[string]*LogBuffer{}
		c.results = map[string]checklist.CommandRun{}
		c.tails = map[string]*LogBuffer{}
		c.liveTails, c.tailBusy, c.tailAt = map[string]bool{}, map[string]bool{}, map[string]time.Time{}
		c.chain = nil // a step of the old run does not go on in the new one
		m.proc = nil
		m.sync()
		m.setFlash("new run "+c.run.ID+" started: "+c.run.Title, c.styles.OK)
		return nil, true
	case tickMsg:
		// SetCheck takes the operator lock and saves the run (fsync): in a
		// Cmd, never in Update.
		id, done, eng := msg.check.ID, !c.checked(msg.check), c.eng
		return func() tea.Msg {
			return savedMsg{failed: "could not tick", err: eng.SetCheck(id, done)}
		}, true
	case savedMsg:
		m.sync()
		switch {
		case msg.err != nil:
			m.setFlash(msg.failed+": "+msg.err.Error(), c.styles.Error)
		case msg.ok != "":
			m.setFlash(msg.ok, c.styles.OK)
		}
		return nil, true
	case noteReqMsg:
		m.setDialog(&noteDialog{stepID: msg.stepID, title: msg.title, input: newInput("> ", "what happened")})
		return nil, true
	case noteMsg:
		stepID, text, eng := msg.stepID, msg.text, c.eng
		return func() tea.Msg {
			return savedMsg{ok: "note saved", failed: "could not save the note", err: eng.AddNote(stepID, text)}
		}, true
	}
	return nil, false
}
