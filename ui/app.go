package ui

import (
	"context"
	"os"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"planner-tui/checklist"
	"planner-tui/ops/logscan"
)

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

// setDialog opens d over the screen (nil closes the open one), bound to
// the shared context.
func (m *Model) setDialog(d Component) {
	if d == nil {
		m.dlg = nil
		return
	}
	dl := d.(dialog)
	dl.bind(m.c)
	m.dlg = dl
}

func (m *Model) setFlash(text string, s lipgloss.Style) {
	m.flash, m.flashS = text, s
}

// Update is the one place the state changes. Actions the screens emit are
// handled right after the message that caused them, every one of them, in
// the order emitted: not as Cmds, which run concurrently and would let a key
// typed right after enter slip in before the dialog it opens.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{m.update(msg)}
	cmds = append(cmds, m.drain()...)
	cmds = append(cmds, m.chainCheck())
	// what the chain's next command asked for (its dialog's own messages
	// come later, with keys)
	cmds = append(cmds, m.drain()...)
	cmds = append(cmds, m.stateCmd())
	return m, tea.Batch(cmds...)
}

// drain handles the actions emitted so far, and those they emit in turn,
// until none is left. Nothing is dropped (an earlier loop stopped at 16 and
// threw the rest away).
func (m *Model) drain() []tea.Cmd {
	var cmds []tea.Cmd
	for len(m.c.pending) > 0 {
		next := m.c.pending[0]
		m.c.pending = m.c.pending[1:]
		cmds = append(cmds, m.update(next))
	}
	m.c.pending = nil
	return cmds
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
	case secondMsg:
		m.sync()
		return tea.Batch(m.second(), c.pollNotify())
	case notifyStatusMsg:
		c.onNotifyStatus(msg) // notifystatus.go
		return nil
	case snapshotMsg:
		// the engine published a newer run: this process wrote it, or the
		// watcher saw another process (a headless run) write it
		before := c.run
		m.sync()
		m.noticeOthers(before)
		return waitSnapshot(c.ctx, c.snapshot)
	case ownedMsg:
		return m.route(msg) // owner.go
	case openDialogMsg:
		m.setDialog(msg.d)
		return nil
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
	case tea.MouseWheelMsg:
		if m.dlg == nil && m.page != nil {
			return send(m.page, msg)
		}
		if m.dlg == nil && m.proc != nil {
			return send(m.proc, msg)
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
	// the root's parts (runs.go, writes.go, outputs.go, restart.go), each
	// with the messages of its own
	for _, part := range []func(tea.Msg) (tea.Cmd, bool){m.runs, m.writes, m.outputs, m.restarts} {
		if cmd, ok := part(msg); ok {
			return cmd
		}
	}
	if m.dlg != nil {
		// what the open dialog's own parts need (its input's cursor blink)
		next, cmd := m.dlg.Update(msg)
		m.setDialog(next)
		return cmd
	}
	return nil
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
