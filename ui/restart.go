package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/docker"
	"planner-tui/ops/session"
)

// restarts handles a container restart asked for on the stack pane: y/N, admitted and audited like a command.
func (m *Model) restarts(msg tea.Msg) (tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case restartAskMsg:
		m.askRestart(msg.ct)
		return nil, true
	case restartReqMsg:
		m.setFlash("restarting "+serviceName(msg.ct)+"…", c.styles.Running)
		return m.restart(msg.ct), true
	case restartedMsg:
		var refused *session.RefusedError
		if errors.As(msg.err, &refused) {
			m.setFlash("refused, not restarted: "+refused.Reason, c.styles.Error)
		} else if msg.err != nil {
			m.setFlash("restart of "+serviceName(msg.ct)+" failed: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("restarted "+serviceName(msg.ct)+" (recorded in the audit log)", c.styles.OK)
		}
		return nil, true
	}
	return nil, false
}

// askRestart guards a container restart with y/N (default No).
func (m *Model) askRestart(ct docker.Container) {
	st := m.c.styles
	m.setDialog(&confirmDialog{
		title: "Restart a container",
		lines: []string{
			"Restart " + st.Bold.Render(serviceName(ct)) + " (" + ct.Name + ", now " + ct.State + ")?",
			"It gets 10 s to stop before it is killed; its service is down meanwhile.",
			"The restart is recorded in the audit log.",
		},
		onYes: restartReqMsg{ct: ct},
		onNo:  flashMsg{text: "not restarted"},
	})
}

// restart admits the restart through the session like any command (the
// operator lock, the confirm record: refused while another operator drives),
// restarts, and records the result.
func (m *Model) restart(ct docker.Container) tea.Cmd {
	mon, eng, ctx := m.c.opts.Monitor, m.c.eng, m.c.ctx
	return func() tea.Msg {
		what := fmt.Sprintf("restart container %s (service %s)", ct.Name, ct.Service)
		if mon == nil {
			return restartedMsg{ct: ct, err: errors.New("no stack monitor")}
		}
		act, err := eng.AdmitAction("container.restart", ct.Name, what, "yes")
		if err != nil {
			return restartedMsg{ct: ct, err: err}
		}
		rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		err = mon.Restart(rctx, ct.ID)
		act.Done(err)
		return restartedMsg{ct: ct, err: err}
	}
}
