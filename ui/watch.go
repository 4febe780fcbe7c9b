package ui

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"planner-tui/ops/session"
)

// Watch mode (planner-tui watch, Options.Watch): the same screens over a
// read-only session. Navigation, output, the pager, the timeline, the
// review and help work; every message that would act (run, tick, skip,
// note, new run, restart, cancel, a phrase) is answered with a flash
// naming who drives instead (watchUpdate, called first in update), so no
// dialog that could act ever opens. The session refuses them too. A
// request awaiting approval in the run is shown in the header and a opens
// the approval dialog, which decides through session.Decide exactly as
// `planner-tui approve` does.

// watchState is what the watcher's screen keeps besides the run.
type watchState struct {
	// pending are the run's requests awaiting a decision, read every
	// second in a Cmd.
	pending []*session.ApprovalStatus
	// decide records a decision (session.Decide); a test may replace it.
	decide func(id string, approve bool, note string) (*session.ApprovalStatus, error)
	// list reads the requests awaiting a decision in the state dir.
	list func() ([]*session.ApprovalStatus, error)
	// self is this process's pid: its own presence file is "you" in the
	// list of who watches.
	self int
}

// watchApprovalsMsg: the requests awaiting a decision, as read now.
type watchApprovalsMsg struct{ pending []*session.ApprovalStatus }

// watchDecideMsg asks to record a decision; watchDecidedMsg is its result.
type (
	watchDecideMsg struct {
		id      string
		approve bool
		note    string
	}
	watchDecidedMsg struct {
		id      string
		approve bool
		st      *session.ApprovalStatus
		err     error
	}
)

// watchStart sets the screen up for watching (newModel calls it).
func (m *Model) watchStart() {
	c := m.c
	if !c.opts.Watch {
		return
	}
	dir := c.stateDir
	c.stateDir = "" // the run summary writes no report into the operator's run
	ver := c.opts.Version
	c.watch = &watchState{
		decide: func(id string, approve bool, note string) (*session.ApprovalStatus, error) {
			return session.Decide(dir, id, approve, note, ver)
		},
		list: func() ([]*session.ApprovalStatus, error) { return session.PendingApprovals(dir) },
		self: os.Getpid(),
	}
	if dir == "" {
		c.watch.list = func() ([]*session.ApprovalStatus, error) { return nil, nil }
	}
	if c.opts.WatchNote != "" {
		m.setFlash(c.opts.WatchNote, c.styles.Warn)
	}
}

// watchActs says whether msg would change the run, the stack or the state
// dir: refused when watching.
func watchActs(msg tea.Msg) bool {
	switch msg.(type) {
	case runMsg, flowMsg, startReqMsg, tickMsg, noteReqMsg, noteMsg, skipReqMsg,
		newRunReqMsg, newRunMsg, chainReqMsg, restartAskMsg, restartReqMsg,
		cancelReqMsg, wrongPhraseMsg, interactiveMsg:
		return true
	}
	return false
}

// watchUpdate handles msg for a watcher's screen; done says update must
// not handle it further.
func (m *Model) watchUpdate(msg tea.Msg) (cmd tea.Cmd, done bool) {
	c := m.c
	if !c.opts.Watch || c.watch == nil {
		return nil, false
	}
	if watchActs(msg) {
		m.setFlash(c.readOnlyText(), c.styles.Warn)
		return nil, true
	}
	switch msg := msg.(type) {
	case secondMsg:
		m.sync()
		return tea.Batch(m.second(), c.pollApprovals()), true
	case watchApprovalsMsg:
		c.watch.pending = msg.pending
		return nil, true
	case watchDecideMsg:
		decide := c.watch.decide
		return func() tea.Msg {
			st, err := decide(msg.id, msg.approve, msg.note)
			return watchDecidedMsg{id: msg.id, approve: msg.approve, st: st, err: err}
		}, true
	case watchDecidedMsg:
		m.setFlash(decidedText(msg), decidedStyle(c, msg))
		return c.pollApprovals(), true
	case tea.KeyPressMsg:
		if m.dlg != nil || msg.String() != "a" || m.tooSmall() ||
			(m.page != nil && m.page.Capturing()) || (m.proc != nil && m.proc.Capturing()) {
			return nil, false
		}
		m.flash = ""
		st := c.awaiting()
		if st == nil {
			m.setFlash("no request of this run awaits a decision", c.styles.Faint)
			return nil, true
		}
		m.setDialog(newWatchApproveDialog(st))
		return nil, true
	}
	return nil, false
}

// approveKey is the watcher's a.
var approveKey = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "approve request"))

// watchKeys is the key line's bindings for a watcher: those that would
// act are left out, a comes first when a request awaits a decision.
func (c *Context) watchKeys(b []key.Binding) []key.Binding {
	if !c.opts.Watch {
		return b
	}
	k := c.keys
	acting := [][]string{k.Tick.Keys(), k.Skip.Keys(), k.Note.Keys(), k.NewRun.Keys(), k.Cancel.Keys(), k.Restart.Keys()}
	var out []key.Binding
	if c.awaiting() != nil {
		out = append(out, approveKey)
	}
	for _, kb := range b {
		if slices.Equal(kb.Keys(), k.Enter.Keys()) { // never "run" here
			kb = key.NewBinding(key.WithKeys(kb.Keys()...), key.WithHelp(kb.Help().Key, "open"))
		}
		isNav := kb.Help().Desc == k.Next.Help().Desc || kb.Help().Desc == k.Prev.Help().Desc // n/N in the output
		if isNav || !slices.ContainsFunc(acting, func(a []string) bool { return slices.Equal(a, kb.Keys()) }) {
			out = append(out, kb)
		}
	}
	return out
}

// pollApprovals reads the requests awaiting a decision (two small files
// each; in a Cmd).
func (c *Context) pollApprovals() tea.Cmd {
	list := c.watch.list
	return func() tea.Msg {
		p, err := list()
		if err != nil {
			return nil // unreadable now: keep what is shown
		}
		return watchApprovalsMsg{pending: p}
	}
}

// awaiting is the oldest request of this run awaiting a decision.
func (c *Context) awaiting() *session.ApprovalStatus {
	if c.watch == nil {
		return nil
	}
	var best *session.ApprovalStatus
	for _, st := range c.watch.pending {
		if st.RunID != c.run.ID || st.State != session.ApprovalPending {
			continue
		}
		if best == nil || st.Created.Before(best.Created) {
			best = st
		}
	}
	return best
}

// driver is who drives the run: "user@host", "" for nobody.
func (c *Context) driver() (who string, since time.Time) {
	if sn := c.snapshot; sn != nil && sn.Holder != nil {
		return sn.Holder.User + "@" + sn.Holder.Host, sn.Holder.Since
	}
	return "", time.Time{}
}

// readOnlyText is the flash a key that would act gets.
func (c *Context) readOnlyText() string {
	who, _ := c.driver()
	if who == "" {
		return "watching: read-only — nobody drives (the operator runs it with planner-tui)"
	}
	return "watching: read-only — " + who + " drives"
}

// watchMarker is the header's "WATCHING · read-only · driven by …".
func watchMarker(who string, since time.Time) string {
	if who == "" {
		return "WATCHING · read-only · nobody drives"
	}
	return "WATCHING · read-only · driven by " + who + " since " + since.Local().Format("15:04")
}

// watchHeader is what the header adds: the marker (watching) first, then
// the request awaiting approval; and, on any screen, who watches.
func (c *Context) watchHeader() (marker string, parts []string) {
	if c.opts.Watch {
		marker = watchMarker(c.driver())
		if st := c.awaiting(); st != nil {
			parts = append(parts, "approval "+st.ID+" awaits a decision: a")
		}
	}
	if sn := c.snapshot; sn != nil {
		self := 0
		if c.watch != nil {
			self = c.watch.self
		}
		if w := watchersLine(sn.Watchers, self); w != "" {
			parts = append(parts, w)
		}
	}
	return marker, parts
}

// watchersLine says who watches, short: "👁 2 watching: alice, bob"; the
// same user twice (two terminals) is named once; more than three names
// end with "+N". The watcher whose pid is self (this screen's, 0 for the
// operator's) is "you", first.
func watchersLine(ws []session.Watcher, self int) string {
	if len(ws) == 0 {
		return ""
	}
	var names []string
	seen := map[string]bool{}
	for _, w := range ws {
		if self != 0 && w.PID == self {
			names = append([]string{"you"}, names...)
			continue
		}
		if !seen[w.User] {
			seen[w.User] = true
			names = append(names, w.User)
		}
	}
	shown := names
	more := ""
	if len(shown) > 3 {
		shown, more = names[:3], fmt.Sprintf(" +%d", len(names)-3)
	}
	return fmt.Sprintf("👁 %d watching: %s%s", len(ws), strings.Join(shown, ", "), more)
}

func decidedText(msg watchDecidedMsg) string {
	word := "approved"
	if !msg.approve {
		word = "rejected"
	}
	if msg.err != nil {
		return "not " + word + ": " + msg.err.Error()
	}
	s := msg.id + ": " + word + " by you; the operator's planner-tui sees it within a second"
	if msg.approve {
		s += " (they still type the confirmation phrase)"
	}
	return s
}

func decidedStyle(c *Context, msg watchDecidedMsg) lipgloss.Style {
	if msg.err != nil {
		return c.styles.Error
	}
	return c.styles.OK
}

// watchApproveDialog shows a request as an approver judges it: the filled
// command, its risk, what it destroys, who asked and their note. enter
// after the note asks approve or reject; y approves, r rejects.
type watchApproveDialog struct {
	dlgBase
	st     *session.ApprovalStatus
	input  textinput.Model
	choose bool // the note is typed: y / r / esc
}

func newWatchApproveDialog(st *session.ApprovalStatus) *watchApproveDialog {
	return &watchApproveDialog{st: st, input: newInput("note> ", "a note for the operator (optional), enter")}
}

func (d *watchApproveDialog) Update(msg tea.Msg) (Component, tea.Cmd) {
	c := d.c
	km, ok := msg.(tea.KeyPressMsg)
	if ok && d.choose {
		switch km.String() {
		case "y", "Y":
			c.emit(watchDecideMsg{id: d.st.ID, approve: true, note: strings.TrimSpace(d.input.Value())})
			return nil, nil
		case "r", "R":
			c.emit(watchDecideMsg{id: d.st.ID, approve: false, note: strings.TrimSpace(d.input.Value())})
			return nil, nil
		case "esc":
			d.choose = false
			d.input.Focus()
		}
		return d, nil
	}
	if ok {
		switch km.String() {
		case "esc":
			c.emit(flashMsg{text: "no decision: request " + d.st.ID + " still waits"})
			return nil, nil
		case "enter":
			d.choose = true
			d.input.Blur()
			return d, nil
		}
	}
	var cmd tea.Cmd
	d.input, cmd = updateInput(d.input, msg)
	return d, cmd
}

func (d *watchApproveDialog) View() string {
	c := d.c
	st := d.st
	b := c.styles.Bold
	lines := []string{
		"run       " + clean(st.RunID+"  "+st.RunTitle),
		"command   " + b.Render(clean(st.CommandTitle)) + "  [" + clean(st.CommandID) + "]",
		"risk      " + riskStyle(c, st.Risk).Render(clean(st.Risk)),
	}
	if st.Destroys != "" {
		lines = append(lines, "destroys  "+c.styles.Error.Render(clean(st.Destroys)))
	}
	lines = append(lines, "asked by  "+clean(st.Operator.String())+" at "+st.Created.Local().Format("15:04:05")+", expires "+st.Expires.Local().Format("15:04:05"))
	if st.Note != "" {
		lines = append(lines, "note      "+clean(st.Note))
	}
	lines = append(lines, "", "it runs exactly:")
	for _, l := range strings.Split(st.Command, "\n") {
		lines = append(lines, "  "+clean(l))
	}
	lines = append(lines, "", d.input.View())
	if d.choose {
		lines = append(lines, "", b.Render("y approve · r reject · esc back to the note"))
	}
	return dialogBox(c, "Approve request "+st.ID+"?", lines)
}

func (d *watchApproveDialog) ShortHelp() []key.Binding {
	if d.choose {
		return hints("y approve · r reject · esc back")
	}
	return hints("type a note · enter: approve or reject · esc: no decision")
}

func (d *watchApproveDialog) FullHelp() [][]key.Binding { return fullHelp(d) }

// riskStyle colours a risk word.
func riskStyle(c *Context, risk string) lipgloss.Style {
	switch risk {
	case "destructive":
		return c.styles.Error
	case "change":
		return c.styles.Warn
	}
	return c.styles.Faint
}

// clean replaces control characters (a note must not move the cursor).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || (r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f)) {
			return r
		}
		return '?'
	}, s)
}
