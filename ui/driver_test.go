package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// driver runs the model's event loop in the test: every Cmd runs in its own
// goroutine like in Bubble Tea, its message comes back through a channel and
// goes into Update on the test goroutine. Views are checked after Update.
type driver struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
}

func newDriver(t *testing.T, b backend, w, h int) *driver {
	t.Helper()
	return newDriverOpts(t, b, w, h, Options{NoColor: true})
}

func newDriverOpts(t *testing.T, b backend, w, h int, o Options) *driver {
	t.Helper()
	d := &driver{t: t, m: newModel(b, o), msgs: make(chan tea.Msg, 4096)}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.exec(d.m.Init())
	// like a user, act only once the screen knows whether a command from
	// an earlier run is still going
	d.waitFor("the re-attach look-up", func(string) bool { return d.m.attached })
	return d
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		if msg := cmd(); msg != nil {
			d.msgs <- msg
		}
	}()
}

func (d *driver) send(msg tea.Msg) {
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.exec(c)
		}
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// keyMsg builds a key press from its name ("enter", "ctrl+c", "y").
func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("keyMsg: unknown key " + s)
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

func (d *driver) keys(ks ...string) {
	for _, k := range ks {
		d.send(keyMsg(k))
		d.pump()
	}
}

func (d *driver) typ(s string) {
	for _, r := range s {
		d.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d.pump()
}

// pump feeds the messages that are ready now, without waiting; anything
// asynchronous is waited for with waitFor.
func (d *driver) pump() {
	for {
		select {
		case msg := <-d.msgs:
			d.send(msg)
		default:
			return
		}
	}
}

func (d *driver) view() string { return ansi.Strip(d.m.View().Content) }

// waitFor runs the loop until the screen satisfies cond.
func (d *driver) waitFor(what string, cond func(string) bool) string {
	d.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		v := d.view()
		if cond(v) {
			return v
		}
		select {
		case msg := <-d.msgs:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, v)
		}
	}
}

func (d *driver) waitText(s string) string {
	d.t.Helper()
	return d.waitFor("«"+s+"»", func(v string) bool { return strings.Contains(v, s) })
}

func (d *driver) waitIdle(e testBackend) {
	d.t.Helper()
	d.waitFor("the command to end", func(string) bool { return d.m.c.active == nil && e.idle() })
}

func (e *testEngine) idle() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running == ""
}

func resize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
