package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// A wrong phrase typed in the phrase dialog is audited like a headless
// refusal by sending it through the engine's admission (Start), which
// refuses it: the phrase does not match the plan's. The session exports no
// way to audit a refusal without asking to start, so if Start ever admitted
// it (a bug in admission), the job is cancelled the moment Start returns,
// waited for so its end is recorded, never attached to the screen, and the
// screen says loudly what happened instead of "nothing ran".

// wrongPhraseMsg is the engine's answer to a wrong phrase.
type wrongPhraseMsg struct {
	cmdID string
	err   error // the refusal (expected), or why it could not be asked
	// admitted is set when Start admitted the wrong phrase (a bug): cr is
	// how the job ended after the cancel, stopErr what cancelling or
	// waiting said.
	admitted bool
	cr       checklist.CommandRun
	stopErr  error
}

// auditWrongPhrase asks the engine to start plan with the phrase typed,
// for the refusal and its audit record; it never lets a job run.
func auditWrongPhrase(ctx context.Context, eng backend, plan *session.Plan, typed string) tea.Cmd {
	id := plan.Command.ID
	return func() tea.Msg {
		j, err := eng.Start(ctx, plan, typed, nil)
		if err != nil || j == nil {
			return wrongPhraseMsg{cmdID: id, err: err}
		}
		stopErr := j.Cancel() // first, before anything else
		cr, werr := j.Wait()
		return wrongPhraseMsg{cmdID: id, admitted: true, cr: cr, stopErr: errors.Join(stopErr, werr)}
	}
}

// onWrongPhrase shows the answer: in the dialog while it is open for the
// command, else in the flash line.
func (m *Model) onWrongPhrase(msg wrongPhraseMsg) {
	c := m.c
	d, open := m.dlg.(*phraseDialog)
	open = open && d.plan.Command.ID == msg.cmdID
	var refused *session.RefusedError
	switch {
	case msg.admitted:
		text := fmt.Sprintf("BUG: %s was admitted with a wrong phrase; planner-tui cancelled it at once (%s). "+
			"Report this; check what it did: %s", m.cmdTitle(msg.cmdID), describeRun(msg.cr), msg.cr.Log)
		if msg.stopErr != nil {
			text += "; stopping it said: " + msg.stopErr.Error()
		}
		m.setFlash(text, c.styles.Error)
		if open {
			d.wrong = text
		}
	case errors.As(msg.err, &refused):
		if open {
			d.wrong = "That is not the phrase: nothing ran (refused and audited). Type it exactly, or esc to cancel."
		}
	case msg.err != nil:
		text := "wrong phrase, nothing ran; but its refusal could not be recorded: " + msg.err.Error()
		m.setFlash(text, c.styles.Error)
		if open {
			d.wrong = text
		}
	default:
		// Start returned neither a job nor an error: nothing ran.
	}
}
