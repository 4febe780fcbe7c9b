package ui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/checklist"
	"planner-tui/ops/docker"
	"planner-tui/ops/logscan"
	"planner-tui/ops/session"
)

// Messages between the screens and the root.
type (
	runMsg struct {
		cmdID  string
		picked bool // an alternative chosen on the list: no picker
	}
	openMsg    struct{ t target }
	tickMsg    struct{ check *checklist.Check }
	noteReqMsg struct{ stepID, title string }
	noteMsg    struct{ stepID, text string }
	flashMsg   struct {
		text string
		warn bool
		err  bool
	}
	flowMsg     struct{ f flow }
	startReqMsg struct {
		plan *session.Plan
		conf string
	}
	startedMsg struct {
		cmdID string
		job   job
		buf   *LogBuffer
		err   error
	}
	jobDoneMsg struct {
		cmdID string
		cr    checklist.CommandRun
		err   error
	}
	attachMsg struct {
		job job
		buf *LogBuffer
	}
	cancelReqMsg  struct{}
	cancelDoneMsg struct{ err error }
	secondMsg     struct{ t time.Time }
	quitMsg       struct{}
	// the log of a command that ran before this screen started
	tailReqMsg struct{ path string }
	tailMsg    struct {
		path string
		buf  *LogBuffer
	}
	skipReqMsg  struct{ cmdID string }
	skipDoneMsg struct {
		cmdID string
		err   error
	}
	newRunReqMsg  struct{}
	newRunMsg     struct{ title string }
	newRunDoneMsg struct{ err error }
	// savedMsg: a write to the run (a tick, a note) finished.
	savedMsg struct {
		ok, failed string // flash on success (may be ""), prefix on failure
		err        error
	}
	recordedMsg struct {
		cmdID string
		err   error
	}
)

// flow is a request to run a command on its way through the pickers,
// forms and guards.
type flow struct {
	cmdID  string
	params map[string]string
	picked bool // the alternative was chosen already
	again  bool // the operator said yes to running again what ran elsewhere
}

// Model is the root of the screen: it routes keys to the dialog, the
// procedure or home, and owns everything that talks to the engine.
type Model struct {
	c      *Context
	home   *Home
	proc   *Procedure
	page   page // the stack or database pane, over home or a procedure
	dlg    dialog
	flash  string
	flashS lipgloss.Style

	spin     spinner.Model
	spinning bool
	editor   string
	pager    string // $PAGER ("" is less -R)
	attach   *LogBuffer
	bgKnown  bool
	attached bool // the look-up for a command left running has answered
	// starting counts Start calls under way (admitted or refused, their
	// startedMsg has not come back yet).
	starting int
	// banner: the banner row is shown (gate.go: the health gate, else an
	// incident); gateSeen is the gate last seen (a pass is said once).
	banner   bool
	gateSeen string
	// hist is where esc goes back to (history.go).
	hist history
	// the screen's own state between starts (uistate.go): where it saves
	// it, what it saved last, and the place to open once the screen
	// knows its size.
	stateFile *uiStateFile
	saved     uiState
	saveSeq   uint64
	startAt   *viewKey

	// getenv reads the environment the commands get (EDITOR, VISUAL)
	getenv func(string) string
	// pickedEditor is the editor picked for a step whose editor was
	// missing, kept for its run (editorpicker.go, saved in ui.json)
	pickedEditor pickedEditor
}

// New builds the root model over an engine.
func New(e Engine, o Options) *Model {
	return newModel(engineBackend{e}, o)
}

func newModel(e backend, o Options) *Model {
	noColor := o.NoColor || os.Getenv("NO_COLOR") != ""
	c := &Context{
		ctx:     context.Background(),
		eng:     e,
		rb:      e.Runbook(),
		opts:    o,
		keys:    DefaultKeyMap(),
		dark:    true,
		noColor: noColor,
		logs:    map[string]*LogBuffer{},
		results: map[string]checklist.CommandRun{},
		mine:    map[string]attemptKey{},
		// launching: Start (or StartInteractive) under way in a Cmd
		launching: map[string]bool{},
		tails:     map[string]*LogBuffer{},
		// filled as commands run elsewhere
		liveTails: map[string]bool{},
		tailBusy:  map[string]bool{},
		tailAt:    map[string]time.Time{},
		scanner:   logscan.New(logscan.DefaultErrorWords, logscan.DefaultWarningWords),
		now:       time.Now(),
	}
	if c.rb == nil {
		c.rb = &checklist.Runbook{Title: "no runbook"}
	}
	c.styles = NewStyles(c.dark, noColor)
	if sd, ok := e.(interface{ StateDir() string }); ok {
		c.stateDir = sd.StateDir()
	}
	c.setSnapshot(e.Snapshot())
	m := &Model{
		c:      c,
		spin:   spinner.New(spinner.WithSpinner(spinner.Dot)),
		editor: os.Getenv("EDITOR"),
		pager:  os.Getenv("PAGER"),
		getenv: os.Getenv,
		attach: NewLogBuffer(logCap),
	}
	c.spin = "•"
	m.home = newHome(c)
	m.watchStart() // watch.go: read-only
	return m
}

// withContext sets the context that Cmds wait on (the program's lifetime).
func (m *Model) withContext(ctx context.Context) *Model {
	m.c.ctx = ctx
	return m
}

// Init asks the terminal for its background, re-attaches to a command
// still running from an earlier planner-tui, and starts the clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.attachCmd(), m.second(), waitSnapshot(m.c.ctx, m.c.snapshot), m.c.composeNoteCmd()}
	if mon := m.c.opts.Monitor; mon != nil {
		cmds = append(cmds, waitSnap(m.c.ctx, mon.Snapshots()))
	}
	return tea.Batch(cmds...)
}

func (m *Model) second() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return secondMsg{t} })
}

func (m *Model) attachCmd() tea.Cmd {
	eng, buf, ctx := m.c.eng, m.attach, m.c.ctx
	return func() tea.Msg {
		return attachMsg{job: eng.Running(ctx, buf), buf: buf}
	}
}

// sync reads the engine's latest snapshot of the run (an atomic load).
func (m *Model) sync() {
	m.c.setSnapshot(m.c.eng.Snapshot())
	m.c.now = time.Now()
	if m.proc != nil {
		m.proc.refresh()
	}
	m.updateBanner() // gate.go: the health gate's row
}

// syncMine is sync after this screen started cmdID: the attempt the run
// now records is marked as this screen's before the panes are refreshed.
func (m *Model) syncMine(cmdID string) {
	m.c.setSnapshot(m.c.eng.Snapshot())
	m.c.markMine(cmdID)
	m.sync()
}

func (m *Model) bodyHeight() int {
	if m.banner {
		return m.c.height - 4 // the incident banner takes a row
	}
	return m.c.height - 3
}

// resize lays the panes out in the body's size.
func (m *Model) resize() {
	c := m.c
	m.home.SetSize(c.width, m.bodyHeight())
	if m.proc != nil {
		m.proc.SetSize(c.width, m.bodyHeight())
	}
	if m.page != nil {
		m.page.SetSize(c.width, m.bodyHeight())
	}
}

func (m *Model) tooSmall() bool { return m.c.width < 80 || m.c.height < 24 }

func (m *Model) setFlash(text string, s lipgloss.Style) {
	m.flash, m.flashS = text, s
}

// Update is the one place the state changes. Actions the screens emit are
// handled right after the message that caused them.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.update(msg)}
	for i := 0; len(m.c.pending) > 0 && i < 16; i++ {
		next := m.c.pending[0]
		m.c.pending = m.c.pending[1:]
		cmds = append(cmds, m.update(next))
	}
	m.c.pending = nil
	cmds = append(cmds, m.chainCheck())
	for i := 0; len(m.c.pending) > 0 && i < 16; i++ {
		// what the chain's next command asked for (its dialog's own
		// messages come later, with keys)
		next := m.c.pending[0]
		m.c.pending = m.c.pending[1:]
		cmds = append(cmds, m.update(next))
	}
	m.c.pending = nil
	cmds = append(cmds, m.stateCmd())
	return m, tea.Batch(cmds...)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	c := m.c
	if cmd, done := m.watchUpdate(msg); done { // watch.go: read-only
		return cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.width, c.height = msg.Width, msg.Height
		m.resize()
		if v := m.startAt; v != nil {
			// where the last planner-tui left off
			m.startAt = nil
			return m.goTo(*v)
		}
		return nil
	case tea.BackgroundColorMsg:
		c.dark = msg.IsDark()
		c.styles = NewStyles(c.dark, c.noColor)
		m.bgKnown = true
		if m.proc != nil {
			m.proc.refresh()
		}
		return nil
	case quitMsg:
		return tea.Quit
	case snapMsg:
		s := msg.s
		c.snap = &s
		c.now = time.Now()
		m.updateBanner() // the banner comes or goes: the panes get or give its row
		var cmds []tea.Cmd
		if m.page != nil {
			cmds = append(cmds, m.page.onSnap())
		}
		if m.proc != nil && m.proc.emergency() {
			m.proc.layout()
		}
		cmds = append(cmds, waitSnap(c.ctx, c.opts.Monitor.Snapshots()))
		return tea.Batch(cmds...)
	case tailReqMsg:
		return readTail(msg.path)
	case tailMsg:
		delete(c.tailBusy, msg.path)
		c.tails[msg.path] = msg.buf
		if m.proc != nil {
			m.proc.refresh()
		}
		return nil
	case restartAskMsg:
		m.askRestart(msg.ct)
		return nil
	case restartReqMsg:
		m.setFlash("restarting "+serviceName(msg.ct)+"…", c.styles.Running)
		return m.restart(msg.ct)
	case restartedMsg:
		var refused *session.RefusedError
		if errors.As(msg.err, &refused) {
			m.setFlash("refused, not restarted: "+refused.Reason, c.styles.Error)
		} else if msg.err != nil {
			m.setFlash("restart of "+serviceName(msg.ct)+" failed: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("restarted "+serviceName(msg.ct)+" (recorded in the audit log)", c.styles.OK)
		}
		return nil
	case skipReqMsg:
		return m.skip(msg.cmdID)
	case skipDoneMsg:
		m.sync()
		if msg.err != nil {
			m.setFlash("could not skip: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("↷ skipped "+m.cmdTitle(msg.cmdID)+" (recorded)", c.styles.Faint)
			m.summaryAfter(msg.cmdID) // skipping the last command ends it too
		}
		return nil
	case newRunReqMsg:
		if c.active != nil {
			m.setFlash("a step is running: wait for it or cancel it before a new run", c.styles.Warn)
			return nil
		}
		m.dlg = &newRunDialog{input: newInput("> ", "what is this run for? (enter: the runbook title)")}
		return nil
	case newRunMsg:
		eng, title := c.eng, msg.title
		return func() tea.Msg { return newRunDoneMsg{err: eng.NewRun(title)} }
	case newRunDoneMsg:
		if msg.err != nil {
			m.setFlash("no new run: "+msg.err.Error(), c.styles.Error)
			return nil
		}
		c.logs = map[string]*LogBuffer{}
		c.results = map[string]checklist.CommandRun{}
		c.tails = map[string]*LogBuffer{}
		c.liveTails, c.tailBusy, c.tailAt = map[string]bool{}, map[string]bool{}, map[string]time.Time{}
		c.chain = nil // a step of the old run does not go on in the new one
		m.proc = nil
		m.sync()
		m.setFlash("new run "+c.run.ID+" started: "+c.run.Title, c.styles.OK)
		return nil
	case recordedMsg:
		m.sync()
		if msg.err != nil {
			m.setFlash("the result of "+m.cmdTitle(msg.cmdID)+" was NOT recorded: "+msg.err.Error(), c.styles.Error)
		}
		if ch := c.chain; ch != nil && ch.cur == msg.cmdID && ch.recording {
			ch.recording = false
			if msg.err != nil {
				m.endChain("the step stopped")
				return nil
			}
			return m.chainAfter(msg.cmdID, ch.follow)
		}
		return nil
	case secondMsg:
		m.sync()
		return m.second()
	case snapshotMsg:
		// the engine published a newer run: this process wrote it, or the
		// watcher saw another process (a headless run) write it
		before := c.run
		m.sync()
		m.noticeOthers(before)
		return waitSnapshot(c.ctx, c.snapshot)
	case spinner.TickMsg:
		if c.active == nil {
			m.spinning = false
			return nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		c.spin = ansi.Strip(m.spin.View())
		return cmd
	case logMsg:
		var cmd tea.Cmd
		if !msg.final {
			cmd = msg.buf.wait(c.ctx)
		}
		if m.proc != nil && m.proc.log.buf == msg.buf {
			if msg.final {
				m.proc.log.refresh()
			} else {
				m.proc.log.onOutput()
			}
		}
		// a container log stream the pane stopped following ends with
		// Close (final), so its wait is not re-armed forever
		if st, ok := m.page.(*Stack); ok && st.log.buf == msg.buf {
			if msg.final {
				st.log.refresh()
			} else {
				st.log.onOutput()
			}
		}
		return cmd
	case attachMsg:
		m.attached = true
		if msg.job == nil {
			return nil
		}
		id := msg.job.CommandID()
		if _, mine := c.logs[id]; mine || c.active != nil {
			// the engine handed back the command this screen started
			// (Init's look-up raced with a quick enter): already followed
			return nil
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
		return tea.Batch(m.waitJob(msg.job, msg.buf), msg.buf.wait(c.ctx), m.startSpin())
	case reviewResultMsg, reviewTargetsMsg, reviewTargetMsg:
		return m.onReview(msg) // review.go
	case startedMsg:
		return m.onStarted(msg)
	case jobDoneMsg:
		follow := c.chain != nil && c.chain.cur == msg.cmdID && m.chainFollows()
		m.onDone(msg)
		return m.chainAfter(msg.cmdID, follow)
	case chainReqMsg:
		return m.startChain(msg.sec, msg.step)
	case flowOnMsg:
		if s, ok := m.page.(*RunSummary); ok && s.sec != nil {
			// ] on a procedure's summary: back to the procedure (as esc
			// would), then on from its end
			cmd, _ := m.back()
			return tea.Batch(cmd, m.flowOn(msg.dir))
		}
		return m.flowOn(msg.dir)
	case cancelDoneMsg:
		if msg.err != nil {
			m.setFlash("cancel failed: "+msg.err.Error(), c.styles.Error)
		} else {
			m.setFlash("cancel sent: SIGTERM, then SIGKILL after the grace period", c.styles.Warn)
		}
		return nil
	case interactiveMsg:
		// an editor step's way through its check, the terminal and its
		// record (interactive.go)
		return m.onInteractive(msg)
	case flashMsg:
		s := c.styles.Faint
		if msg.warn {
			s = c.styles.Warn
		}
		if msg.err {
			s = c.styles.Error
		}
		m.setFlash(msg.text, s)
		return nil
	case reportWrittenMsg:
		return m.onReportWritten(msg)
	case pagerReqMsg:
		return m.openPager(msg.path)
	case pagerDoneMsg:
		if msg.err != nil {
			m.setFlash("the pager on "+msg.path+" failed: "+msg.err.Error()+" (set $PAGER)", c.styles.Error)
		}
		return nil
	case runMsg:
		return m.advance(flow{cmdID: msg.cmdID, picked: msg.picked})
	case flowMsg:
		return m.advance(msg.f)
	case startReqMsg:
		return m.start(msg.plan, msg.conf)
	case wrongPhraseMsg:
		m.onWrongPhrase(msg)
		m.sync()
		return nil
	case cancelReqMsg:
		if c.active == nil {
			m.setFlash("nothing is running", c.styles.Faint)
			return nil
		}
		j := c.active.job
		return func() tea.Msg { return cancelDoneMsg{err: j.Cancel()} }
	case openMsg:
		if !msg.t.ok() {
			m.setFlash("the link leads nowhere in this runbook", c.styles.Warn)
			return nil
		}
		m.remember()
		m.closePage()
		m.open(msg.t)
		return nil
	case jumpMsg:
		m.remember()
		if msg.checkID != "" && msg.t.sec == m.home.summary && m.home.FocusCheck(msg.checkID) {
			m.proc = nil
			return nil
		}
		m.open(msg.t)
		if msg.checkID != "" {
			m.proc.SelectCheck(msg.checkID)
		}
		return nil
	case tickMsg:
		// SetCheck takes the operator lock and saves the run (fsync): in a
		// Cmd, never in Update.
		id, done, eng := msg.check.ID, !c.checked(msg.check), c.eng
		return func() tea.Msg {
			return savedMsg{failed: "could not tick", err: eng.SetCheck(id, done)}
		}
	case savedMsg:
		m.sync()
		switch {
		case msg.err != nil:
			m.setFlash(msg.failed+": "+msg.err.Error(), c.styles.Error)
		case msg.ok != "":
			m.setFlash(msg.ok, c.styles.OK)
		}
		return nil
	case noteReqMsg:
		m.dlg = &noteDialog{stepID: msg.stepID, title: msg.title, input: newInput("> ", "what happened")}
		return nil
	case noteMsg:
		stepID, text, eng := msg.stepID, msg.text, c.eng
		return func() tea.Msg {
			return savedMsg{ok: "note saved", failed: "could not save the note", err: eng.AddNote(stepID, text)}
		}
	case tea.MouseWheelMsg:
		if m.dlg == nil && m.page != nil {
			return m.page.Update(msg)
		}
		if m.dlg == nil && m.proc != nil {
			return m.proc.Update(msg)
		}
		return nil
	case tea.KeyPressMsg:
		editing := m.dlg != nil || (m.page != nil && m.page.Capturing()) || (m.proc != nil && m.proc.Capturing())
		var cmds []tea.Cmd
		for _, k := range splitAlt(msg, editing) {
			cmds = append(cmds, m.onKey(k))
		}
		return tea.Batch(cmds...)
	}
	if m.dlg != nil {
		var cmd tea.Cmd
		m.dlg, cmd = m.dlg.Update(c, msg)
		return cmd
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	c, k := m.c, m.c.keys
	m.flash = ""
	if m.dlg != nil {
		var cmd tea.Cmd
		m.dlg, cmd = m.dlg.Update(c, msg)
		return cmd
	}
	if m.tooSmall() {
		if key.Matches(msg, k.Quit, k.Cancel) {
			return m.quit()
		}
		return nil
	}
	if m.page != nil {
		return m.pageKey(msg)
	}
	if m.proc != nil && m.proc.Capturing() {
		return m.proc.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Stack):
		m.remember()
		return m.openPage(newStack(c))
	case key.Matches(msg, k.Database):
		m.remember()
		return m.openPage(newDBPane(c))
	case key.Matches(msg, k.Timeline):
		return m.openPage(newTimeline(c))
	case key.Matches(msg, k.Summary):
		return m.openSummary()
	case key.Matches(msg, k.Review):
		m.remember()
		return m.openReview()
	case key.Matches(msg, k.NewRun) && !(m.proc != nil && m.proc.focus == 1):
		c.emit(newRunReqMsg{})
		return nil
	case key.Matches(msg, k.Help):
		m.dlg = helpDialog{}
		return nil
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Cancel):
		if c.active == nil {
			return tea.Quit
		}
		m.dlg = &confirmDialog{
			title: "Cancel the running step",
			lines: []string{c.styles.Bold.Render(m.activeTitle()) + " is running.", "Cancelling sends SIGTERM to its process group, then SIGKILL after a grace period."},
			onYes: cancelReqMsg{},
			onNo:  flashMsg{text: "not cancelled: the step keeps running"},
		}
		return nil
	case key.Matches(msg, k.Search):
		if m.proc != nil && m.proc.focus == 1 {
			return m.proc.Update(msg)
		}
		m.dlg = newSearchDialog(c)
		return nil
	case key.Matches(msg, k.Emergency):
		if d := newEmergencyDialog(c); d != nil {
			m.dlg = d
		} else {
			m.setFlash("this runbook has no Emergency Procedures section", c.styles.Warn)
		}
		return nil
	case key.Matches(msg, k.Rollback) || (msg.String() == "R" && c.gateFailed()): // R: the failed gate's banner
		sec := roleSection(c.rb, "rollback", "Rollback Procedure")
		if sec == nil {
			m.setFlash("this runbook has no Rollback Procedure section", c.styles.Warn)
			return nil
		}
		m.remember()
		m.open(target{sec: sec, step: -1})
		return nil
	case key.Matches(msg, k.Sections):
		m.remember()
		m.proc = nil
		m.home.FocusSections()
		return nil
	case key.Matches(msg, k.Back):
		if m.proc != nil {
			if m.proc.log.HasQuery() && m.proc.focus == 1 {
				return m.proc.Update(msg)
			}
			if m.proc.zoom {
				m.proc.setZoom(false)
				return nil
			}
		}
		if m.chainEsc() {
			return nil
		}
		// back where the operator came from; with no history, a
		// procedure goes back to home
		if cmd, ok := m.back(); ok {
			return cmd
		}
		m.proc = nil
		return nil
	}
	if m.proc != nil {
		return m.proc.Update(msg)
	}
	return m.home.Update(msg)
}

func (m *Model) quit() tea.Cmd {
	if m.c.active == nil {
		return tea.Quit
	}
	m.dlg = &confirmDialog{
		title: "Quit planner-tui",
		lines: []string{
			m.c.styles.Bold.Render(m.activeTitle()) + " is still running.",
			"It keeps running in the background (the runner is detached from this screen); its output goes on to its log file and planner-tui re-attaches at the next start.",
		},
		onYes: quitMsg{},
	}
	return nil
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

func (m *Model) open(t target) {
	fresh := m.proc == nil || m.proc.sec != t.sec
	if fresh {
		m.proc = newProcedure(m.c, t.sec)
		m.proc.SetSize(m.c.width, m.bodyHeight())
	}
	m.proc.focus = 0
	m.proc.Select(t)
	if fresh && t.step < 0 && t.cmdID == "" {
		// a procedure opened whole starts at its first thing to do
		m.proc.gotoFirst()
	}
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
		m.dlg = d
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
		m.dlg = d
		var cmds []tea.Cmd
		for _, name := range names {
			cmds = append(cmds, m.choices(name))
		}
		return tea.Batch(cmds...)
	}
	if !plan.Approved() {
		return m.askApproval(f, plan) // ui/approval.go
	}
	if plan.NeedsPhrase() {
		m.dlg = newPhraseDialog(plan, func(phrase string) tea.Msg {
			return startReqMsg{plan: plan, conf: phrase}
		})
		return nil
	}
	if plan.Risk == checklist.Change {
		lines := []string{c.styles.RiskLabel(plan.Risk) + "  " + c.styles.Bold.Render(plan.Command.Title), ""}
		lines = append(lines, c.commandBlock(plan.Display, dialogTextWidth(c))...)
		if plan.Reason != "" {
			lines = append(lines, "", c.styles.Faint.Render(plan.Reason))
		}
		m.dlg = &confirmDialog{
			title: "Run this change?",
			lines: lines,
			onYes: startReqMsg{plan: plan, conf: "yes"},
			onNo:  flashMsg{text: "not run"},
		}
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
	dur := ""
	if !cr.Started.IsZero() && !cr.Ended.IsZero() {
		dur = " in " + fmtDuration(cr.Ended.Sub(cr.Started))
	}
	switch {
	case msg.err != nil:
		m.setFlash(title+": "+msg.err.Error(), c.styles.Error)
	case cr.Status == checklist.OK:
		m.setFlash(fmt.Sprintf("✓ %s: ok (exit %d)%s", title, cr.ExitCode, dur), c.styles.OK)
		// on to the next thing to do; a warning or a failure keeps the
		// selection, so the operator reads it
		if m.proc != nil {
			m.proc.advanceAfter(msg.cmdID)
		}
	case cr.Status == checklist.Warning:
		m.setFlash(fmt.Sprintf("⚠ %s: warning, exit %d%s: %s", title, cr.ExitCode, dur, cr.Detail), c.styles.Warn)
	case cr.Status == checklist.Failed:
		m.setFlash(fmt.Sprintf("✗ %s: failed, exit %d%s", title, cr.ExitCode, dur), c.styles.Error)
	default:
		m.setFlash(fmt.Sprintf("%s: %s%s", title, cr.Status, dur), c.styles.Warn)
	}
	m.summaryAfter(msg.cmdID) // the procedure's end opens its summary
}

// View renders the whole screen; only the root returns a tea.View.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "planner-tui: " + m.c.rb.Title
	return v
}

func (m *Model) render() string {
	c := m.c
	if c.width == 0 {
		return ""
	}
	if m.tooSmall() {
		msg := fmt.Sprintf("planner-tui needs at least 80×24 (now %d×%d)", c.width, c.height)
		return lipgloss.Place(c.width, c.height, lipgloss.Center, lipgloss.Center,
			c.styles.Bold.Render(msg)+"\n"+c.styles.Faint.Render("enlarge the window, or q to quit"))
	}
	where := ""
	var body string
	if m.page != nil {
		where = m.page.Title()
		body = m.page.View()
	} else if m.proc != nil {
		where = m.proc.sec.Title
		body = m.proc.View()
	} else {
		body = m.home.View()
	}
	lines := []string{fit(c.header(c.width, where), c.width)}
	if m.banner {
		lines = append(lines, fit(c.banner(), c.width))
	}
	status, bottom := c.withEnvWarning(c.statusBar(c.width), c.width), m.bottomLine()
	if rows := flashRows(m.flash, c.width); len(rows) == 2 {
		// a long message (a refusal and its reason) is read whole: it
		// takes the status bar's row until the next key
		status, bottom = m.flashS.Render(rows[0]), m.flashS.Render(rows[1])
	}
	lines = append(lines, body, status, bottom)
	screen := strings.Join(lines, "\n")
	if m.dlg != nil {
		box := m.dlg.View(c)
		x := max(0, (c.width-lipgloss.Width(box))/2)
		y := max(1, (c.height-lipgloss.Height(box))/2)
		screen = lipgloss.NewCompositor(
			lipgloss.NewLayer(screen),
			lipgloss.NewLayer(box).X(x).Y(y).Z(1),
		).Render()
	}
	return screen
}

// flashRows splits a message too long for one row into two (at spaces;
// what a third row would hold is cut); nil when it fits one row.
func flashRows(text string, w int) []string {
	if text == "" || ansiWidth(text) <= w {
		return nil
	}
	rows := wrapText(text, w)
	if len(rows) < 2 {
		return nil
	}
	second := strings.Join(rows[1:], " ")
	return []string{fit(rows[0], w), fit(second, w)}
}

// bottomLine is the flash message, or the keys that work now.
func (m *Model) bottomLine() string {
	c := m.c
	if m.flash != "" {
		return fit(m.flashS.Render(m.flash), c.width)
	}
	if m.dlg != nil {
		return fit(c.styles.Faint.Render(m.dlg.Help()), c.width)
	}
	k := c.keys
	var b []key.Binding
	switch {
	case m.page != nil && m.page.Capturing():
		return fit(c.styles.Faint.Render("type to search the log · enter find · esc cancel"), c.width)
	case m.page != nil:
		b = m.page.Keys()
	case m.proc != nil && m.proc.Capturing():
		return fit(c.styles.Faint.Render("type to search the log · enter find · esc cancel"), c.width)
	case m.proc != nil && m.proc.zoom:
		b = []key.Binding{unzoomKey, k.Up, k.Down, k.Search}
		if m.proc.log.HasQuery() {
			b = append(b, k.Next, k.Prev)
		}
		b = append(b, k.Filter, k.NextErr, k.Wrap, k.Bottom, k.Pager, k.Copy, k.NextPending, k.PrevPending)
	case m.proc != nil && m.proc.focus == 1:
		b = []key.Binding{k.Up, k.Down, k.Search}
		if m.proc.log.HasQuery() {
			b = append(b, k.Next, k.Prev)
		}
		b = append(b, k.Filter, k.NextErr, k.Wrap, k.Bottom, k.Zoom, k.Pager, k.Copy, k.PrevPane, k.Back)
	case m.proc != nil:
		enter := k.Enter
		if r, ok := m.proc.selected(); ok && r.kind == rowStep {
			if ids, _ := chainQueue(c, m.proc.sec.Steps[r.step], ""); len(ids) > 0 {
				enter = stepEnterKey
			}
		}
		b = []key.Binding{k.Up, k.Down, enter}
		if c.chain != nil && !c.chain.stop {
			// first: the line is cut at its end
			b = []key.Binding{chainStopKey, k.Up, k.Down, enter}
		}
		if r, ok := m.proc.selected(); ok && r.kind == rowCheck {
			b = append(b, k.Tick)
		}
		if r, ok := m.proc.selected(); ok && r.kind == rowCmd {
			b = append(b, k.Skip)
		}
		// [ is in help: the line has no room for every pair
		if reviewOffered(m.proc.step()) {
			b = append(b, k.Review) // near the migrations: review them first
		}
		b = append(b, k.NextPending, k.Zoom, k.NextPane, k.Note)
		if c.chain == nil || c.chain.stop {
			b = append(b, k.Back)
		}
		b = append(b, k.Search, k.Emergency, k.Rollback, k.Stack, k.Database)
	default:
		b = []key.Binding{k.Up, k.Down, k.NextPane, k.Enter, k.Tick, k.Search, k.Emergency, k.Rollback, k.Review, k.Sections, k.Stack, k.Database, k.NewRun}
	}
	if c.active != nil {
		b = append(b, k.Cancel)
	}
	b = append(b, k.Quit)
	b = c.watchKeys(b) // watch.go: no key that would act
	return keyLine(c.styles, b, k.Help, c.width)
}

// unzoomKey is how the key line names the way back from the zoomed output.
var unzoomKey = key.NewBinding(key.WithKeys("z", "esc"), key.WithHelp("z/esc", "unzoom"))

// keyLine renders bindings in w cells, always ending with the help key:
// what does not fit is cut before it, never it.
func keyLine(st Styles, b []key.Binding, help key.Binding, w int) string {
	render := func(kb key.Binding) string {
		h := kb.Help()
		return st.Key.Render(h.Key) + " " + st.Faint.Render(h.Desc)
	}
	var parts []string
	for _, kb := range b {
		parts = append(parts, render(kb))
	}
	tail := render(help)
	rest := w - ansiWidth(tail) - 2
	if rest < 1 {
		return fit(tail, w)
	}
	line := strings.Join(parts, "  ")
	if ansiWidth(line) > rest {
		line = ansi.Truncate(line, rest, "…")
	}
	return fit(line+"  "+tail, w)
}

// Run shows the screen until the user quits. A hang-up (SSH dropped) only
// restores the terminal and exits: commands run detached and go on.
func Run(ctx context.Context, e Engine, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go e.Watch(ctx)
	m := New(e, o).withContext(ctx)
	if sd, ok := e.(interface{ StateDir() string }); ok && sd.StateDir() != "" && !o.Watch {
		m.withUIState(filepath.Join(sd.StateDir(), uiStateName))
	}
	p := tea.NewProgram(m, tea.WithContext(ctx))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	hung := make(chan struct{})
	go func() {
		select {
		case <-hup:
			close(hung)
			p.Kill()
		case <-ctx.Done():
		}
	}()
	_, err := p.Run()
	select {
	case <-hung:
		return nil
	default:
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ui: %w", err)
	}
	return nil
}

func (m *Model) cmdTitle(id string) string {
	if cmd, _ := findCommand(m.c.rb, id); cmd != nil {
		return cmd.Title
	}
	return id
}

// openPage shows the stack or database pane over the current screen.
func (m *Model) openPage(p page) tea.Cmd {
	if m.page != nil {
		m.page.close()
	}
	m.page = p
	p.SetSize(m.c.width, m.bodyHeight())
	if m.c.opts.Monitor != nil {
		m.c.opts.Monitor.Refresh()
	}
	return p.onSnap()
}

func (m *Model) closePage() {
	if m.page != nil {
		m.page.close()
		m.page = nil
	}
}

// pageKey routes keys while the stack or database pane is open: q, ctrl+c,
// ?, e and switching panes stay global; esc closes the pane.
func (m *Model) pageKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if m.page.Capturing() {
		return m.page.Update(msg)
	}
	switch {
	case key.Matches(msg, k.Help):
		m.dlg = helpDialog{}
		return nil
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Cancel):
		m.closePage()
		return m.onKey(msg)
	case key.Matches(msg, k.Back) && !m.page.WantsEsc():
		if cmd, ok := m.back(); ok {
			return cmd
		}
		m.closePage()
		return nil
	case key.Matches(msg, k.Emergency):
		m.closePage()
		return m.onKey(msg)
	case (key.Matches(msg, k.Rollback) || msg.String() == "R" && m.c.gateFailed()) && isRunSummary(m.page):
		// the end of a deployment is where a rollback is decided (other
		// pages keep r for themselves: check again, render again)
		m.closePage()
		return m.onKey(msg)
	case key.Matches(msg, k.Summary):
		return m.openSummary()
	case key.Matches(msg, k.Stack):
		if _, ok := m.page.(*Stack); !ok {
			m.remember()
			return m.openPage(newStack(m.c))
		}
		return nil
	case key.Matches(msg, k.Database):
		if st, ok := m.page.(*Stack); !ok || st.focus == 0 {
			m.remember()
			return m.openPage(newDBPane(m.c))
		}
	}
	return m.page.Update(msg)
}

// askRestart guards a container restart with y/N (default No).
func (m *Model) askRestart(ct docker.Container) {
	st := m.c.styles
	m.dlg = &confirmDialog{
		title: "Restart a container",
		lines: []string{
			"Restart " + st.Bold.Render(serviceName(ct)) + " (" + ct.Name + ", now " + ct.State + ")?",
			"It gets 10 s to stop before it is killed; its service is down meanwhile.",
			"The restart is recorded in the audit log.",
		},
		onYes: restartReqMsg{ct: ct},
		onNo:  flashMsg{text: "not restarted"},
	}
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

func (m *Model) skip(id string) tea.Cmd {
	if m.c.active != nil && m.c.active.cmdID == id {
		m.setFlash("it is running: ctrl+c cancels it", m.c.styles.Warn)
		return nil
	}
	eng := m.c.eng
	return func() tea.Msg { return skipDoneMsg{cmdID: id, err: eng.Skip(id)} }
}
