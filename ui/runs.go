package ui

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// runs handles the messages of running commands: the flow from a run request through its guards to Start, the job's end, cancel, skip, re-attach and the spinner.
func (m *Model) runs(msg tea.Msg) (tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case skipReqMsg:
		return m.skip(msg.cmdID), true
	case skipDoneMsg:
		m.sync()
		if msg.err != nil {
			m.setFlash("could not skip: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("↷ skipped "+m.cmdTitle(msg.cmdID)+" (recorded)", c.styles.Faint)
			m.summaryAfter(msg.cmdID) // skipping the last command ends it too
		}
		return nil, true
	case recordedMsg:
		m.sync()
		if msg.err != nil {
			m.setFlash("the result of "+m.cmdTitle(msg.cmdID)+" was NOT recorded: "+msg.err.Error(), c.styles.Error)
		}
		if ch := c.chain; ch != nil && ch.cur == msg.cmdID && ch.recording {
			ch.recording = false
			if msg.err != nil {
				m.endChain("the step stopped")
				return nil, true
			}
			return m.chainAfter(msg.cmdID, ch.follow), true
		}
		return nil, true
	case spinner.TickMsg:
		if c.active == nil {
			m.spinning = false
			return nil, true
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		c.spin = ansi.Strip(m.spin.View())
		return cmd, true
	case attachMsg:
		m.attached = true
		if msg.job == nil {
			return nil, true
		}
		id := msg.job.CommandID()
		if _, mine := c.logs[id]; mine || c.active != nil {
			// the engine handed back the command this screen started
			// (Init's look-up raced with a quick enter): already followed
			return nil, true
		}
		c.logs[id] = msg.buf
		c.active = &activeJob{cmdID: id, job: msg.job, buf: msg.buf, started: time.Now()}
		m.syncMine(id)
		title := id
		if cmd, t := findCommand(c.rb, id); cmd != nil {
			title = cmd.Title
			m.open(t)
		}
		m.setFlash("re-attached to "+title+", still running", c.styles.Running)
		return tea.Batch(m.waitJob(msg.job, msg.buf), msg.buf.wait(c.ctx), m.startSpin()), true
	case startedMsg:
		return m.onStarted(msg), true
	case jobDoneMsg:
		follow := c.chain != nil && c.chain.cur == msg.cmdID && m.chainFollows()
		m.onDone(msg)
		return m.chainAfter(msg.cmdID, follow), true
	case chainReqMsg:
		return m.startChain(msg.sec, msg.step), true
	case flowOnMsg:
		if s, ok := m.page.(*RunSummary); ok && s.sec != nil {
			// ] on a procedure's summary: back to the procedure (as esc
			// would), then on from its end
			cmd, _ := m.back()
			return tea.Batch(cmd, m.flowOn(msg.dir)), true
		}
		return m.flowOn(msg.dir), true
	case cancelDoneMsg:
		if msg.err != nil {
			m.setFlash("cancel failed: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("cancel sent: SIGTERM, then SIGKILL after the grace period", c.styles.Warn)
		}
		return nil, true
	case interactiveMsg:
		// an editor step's way through its check, the terminal and its
		// record (interactive.go)
		return m.onInteractive(msg), true
	case runMsg:
		return m.advance(flow{cmdID: msg.cmdID, picked: msg.picked}), true
	case flowMsg:
		return m.advance(msg.f), true
	case startReqMsg:
		return m.start(msg.plan, msg.conf), true
	case wrongPhraseMsg:
		m.onWrongPhrase(msg)
		m.sync()
		return nil, true
	case cancelReqMsg:
		if c.active == nil {
			m.setFlash("nothing is running", c.styles.Faint)
			return nil, true
		}
		j := c.active.job
		return func() tea.Msg { return cancelDoneMsg{err: j.Cancel()} }, true
	}
	return nil, false
}

// advance takes a run request one step further: alternatives, parameters,
// then the guard that fits the risk.
func (m *Model) advance(f flow) tea.Cmd {
	c := m.c
	// Only the values given in this flow: Plan takes the others from the
	// run and marks them Reused, to be confirmed before a destructive run.
	plan, err := c.eng.Plan(f.cmdID, f.params)
	if err != nil {
		m.setFlash("cannot run: "+err.Error(), c.styles.Error)
		return nil
	}
	if plan.Blocked != "" {
		m.setFlash("blocked: "+plan.Blocked, c.styles.Warn)
		return nil
	}
	if cr, ok := c.ranElsewhere(f.cmdID); ok && !f.again {
		m.askRerun(f, cr)
		return nil
	}
	if !f.picked && len(plan.Alternatives) > 1 {
		var items []pickItem
		sel := 0
		for i, alt := range plan.Alternatives {
			if alt.ID == f.cmdID {
				sel = i
			}
			items = append(items, pickItem{
				label:   alt.Title,
				detail:  firstLine(alt.Script),
				command: alt.Script,
				pick:    flowMsg{flow{cmdID: alt.ID, params: f.params, picked: true, again: f.again && alt.ID == f.cmdID}},
			})
		}
		d := newPicker("Pick one", "These are alternatives: one of them runs, never both.", items, false)
		d.sel = sel
		m.setDialog(d)
		return nil
	}
	if reuse := plan.NeedsPhrase() && len(plan.Reused) > 0; len(plan.Missing) > 0 || reuse {
		id, base, again := f.cmdID, f.params, f.again
		names := slices.Clone(plan.Missing)
		if reuse {
			names = append(names, slices.Sorted(maps.Keys(plan.Reused))...)
		}
		d := newParamsDialog(plan.Command.Title, names, func(vals map[string]string) tea.Msg {
			p := maps.Clone(base)
			if p == nil {
				p = map[string]string{}
			}
			maps.Copy(p, vals)
			return flowMsg{flow{cmdID: id, params: p, picked: true, again: again}}
		})
		d.display = plan.Display
		if reuse {
			for name, from := range plan.Reused {
				d.prefill(name, plan.Params[name], from)
			}
		}
		m.setDialog(d)
		var cmds []tea.Cmd
		for _, name := range names {
			cmds = append(cmds, ownedCmd(d.id, m.choices(name)))
		}
		return tea.Batch(cmds...)
	}
	if !plan.Approved() {
		return m.askApproval(f, plan) // ui/approval.go
	}
	if plan.NeedsPhrase() {
		m.setDialog(newPhraseDialog(plan, func(phrase string) tea.Msg {
			return startReqMsg{plan: plan, conf: phrase}
		}))
		return nil
	}
	if plan.Risk == checklist.Change {
		lines := []string{c.styles.RiskLabel(plan.Risk) + "  " + c.styles.Bold.Render(plan.Command.Title), ""}
		lines = append(lines, c.commandBlock(plan.Display, dialogTextWidth(c))...)
		if plan.Reason != "" {
			lines = append(lines, "", c.styles.Faint.Render(plan.Reason))
		}
		m.setDialog(&confirmDialog{
			title: "Run this change?",
			lines: lines,
			onYes: startReqMsg{plan: plan, conf: "yes"},
			onNo:  flashMsg{text: "not run"},
		})
		return nil
	}
	return m.start(plan, "")
}

func (m *Model) choices(name string) tea.Cmd {
	eng, ctx := m.c.eng, m.c.ctx
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		ch, err := eng.ParamChoices(cctx, name)
		return paramChoicesMsg{name: name, choices: ch, err: err}
	}
}

// start runs a plan that passed its guard: interactive commands get the
// terminal, the others run in the background with their output streamed.
func (m *Model) start(plan *session.Plan, conf string) tea.Cmd {
	c := m.c
	id := plan.Command.ID
	if plan.Command.Interactive {
		return m.interactive(plan, conf)
	}
	buf := NewLogBuffer(logCap)
	c.logs[id] = buf
	c.launching[id] = true
	delete(c.results, id)
	if m.proc != nil {
		m.proc.refresh()
	}
	m.setFlash("starting "+plan.Command.Title+"…", c.styles.Faint)
	m.starting++
	eng, ctx := c.eng, c.ctx
	return func() tea.Msg {
		j, err := eng.Start(ctx, plan, conf, buf)
		return startedMsg{cmdID: id, job: j, buf: buf, err: err}
	}
}

func (m *Model) onStarted(msg startedMsg) tea.Cmd {
	c := m.c
	m.starting--
	delete(c.launching, msg.cmdID)
	if msg.err != nil || msg.job == nil {
		msg.buf.Close()
		var refused *session.RefusedError
		switch {
		case errors.As(msg.err, &refused):
			m.setFlash("refused, nothing ran: "+refused.Reason, c.styles.Error)
		case msg.err != nil:
			m.setFlash("could not start: "+msg.err.Error(), c.styles.Error)
		}
		m.sync()
		return nil
	}
	c.active = &activeJob{cmdID: msg.cmdID, job: msg.job, buf: msg.buf, started: time.Now()}
	m.setFlash("", c.styles.Faint)
	m.syncMine(msg.cmdID) // Start marked it running before it returned
	return tea.Batch(m.waitJob(msg.job, msg.buf), msg.buf.wait(c.ctx), m.startSpin())
}

func (m *Model) startSpin() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

func (m *Model) waitJob(j job, buf *LogBuffer) tea.Cmd {
	eng := m.c.eng
	return func() tea.Msg {
		cr, err := j.Wait()
		buf.Close()
		// Wait made the engine learn the secrets the step created (the
		// runner re-masked output.log with them): the lines the live
		// stream brought must not keep them in clear. onDone's sync
		// redraws the panes.
		buf.Remask(eng.Mask)
		return jobDoneMsg{cmdID: j.CommandID(), cr: cr, err: err}
	}
}

func (m *Model) onDone(msg jobDoneMsg) {
	c := m.c
	if c.active != nil && c.active.cmdID == msg.cmdID {
		c.active = nil
	}
	title := msg.cmdID
	if cmd, _ := findCommand(c.rb, msg.cmdID); cmd != nil {
		title = cmd.Title
	}
	m.sync()
	cr := msg.cr
	if cr.Status == "" {
		cr = c.status(msg.cmdID)
	}
	text, t := doneFlash(title, cr, msg.err)
	m.setFlash(text, t.style(c.styles))
	if msg.err == nil && cr.Status == checklist.OK && m.proc != nil {
		// on to the next thing to do; a warning or a failure keeps the
		// selection, so the operator reads it
		m.proc.advanceAfter(msg.cmdID)
	}
	m.summaryAfter(msg.cmdID) // the procedure's end opens its summary
}

func (m *Model) skip(id string) tea.Cmd {
	if m.c.active != nil && m.c.active.cmdID == id {
		m.setFlash("it is running: ctrl+c cancels it", m.c.styles.Warn)
		return nil
	}
	eng := m.c.eng
	return func() tea.Msg { return skipDoneMsg{cmdID: id, err: eng.Skip(id)} }
}

func (m *Model) activeTitle() string {
	if m.c.active == nil {
		return ""
	}
	if cmd, _ := findCommand(m.c.rb, m.c.active.cmdID); cmd != nil {
		return cmd.Title
	}
	return m.c.active.cmdID
}

func (m *Model) cmdTitle(id string) string {
	if cmd, _ := findCommand(m.c.rb, id); cmd != nil {
		return cmd.Title
	}
	return id
}
