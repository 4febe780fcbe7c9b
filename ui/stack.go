package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/docker"
	"planner-tui/ops/host"
	"planner-tui/ops/logscan"
	"planner-tui/ops/monitor"
)

// page is a full-body screen opened over home or a procedure (the stack
// and database panes); esc closes it.
type page interface {
	Component
	Title() string
	// Capturing says whether the page takes every key (typing a search).
	Capturing() bool
	// WantsEsc says whether esc means something inside the page.
	WantsEsc() bool
	// onSnap is called after every new snapshot.
	onSnap() tea.Cmd
	// close stops whatever the page streams.
	close()
}

// Messages of the stack pane.
type (
	restartAskMsg struct{ ct docker.Container }
	restartReqMsg struct{ ct docker.Container }
	restartedMsg  struct {
		ct  docker.Container
		err error
	}
)

// containerLog is the followed output of one container.
type containerLog struct {
	id, name string
	buf      *LogBuffer
	errs     atomic.Int64
	warns    atomic.Int64
}

// Stack lists the compose containers and follows the selected one's log.
type Stack struct {
	c     *Context
	sel   int
	focus int // 0 table, 1 log
	log   LogPane
	cl    *containerLog
	w, h  int
	tblH  int
}

func newStack(c *Context) *Stack {
	s := &Stack{c: c, log: newLogPane(c)}
	s.log.classify = c.classify
	return s
}

// classify says whether a log line is an error or a warning, as
// `planner-tui op logs-scan` counts it (level word first, then words).
func (c *Context) classify(line string) logscan.Class {
	return c.scanner.Classify([]byte(line))
}

func (s *Stack) Title() string   { return "Stack" }
func (s *Stack) Capturing() bool { return s.log.Capturing() }
func (s *Stack) WantsEsc() bool  { return s.focus == 1 && s.log.HasQuery() }
func (s *Stack) containers() []docker.Container {
	if s.c.snap == nil {
		return nil
	}
	return s.c.snap.Containers
}

func (s *Stack) selected() (docker.Container, bool) {
	cs := s.containers()
	if s.sel < 0 || s.sel >= len(cs) {
		return docker.Container{}, false
	}
	return cs[s.sel], true
}

func (s *Stack) FullHelp() [][]key.Binding { return fullHelp(s) }

// ShortHelp is the bottom line while the page is shown.
func (s *Stack) ShortHelp() []key.Binding {
	k := s.c.keys
	if s.focus == 1 {
		b := []key.Binding{k.Up, k.Down, k.Search}
		if s.log.HasQuery() {
			b = append(b, k.Next, k.Prev)
		}
		return append(b, k.Filter, k.NextErr, k.Wrap, k.Bottom, k.Copy, k.PrevPane, k.Back)
	}
	return []key.Binding{k.Up, k.Down, k.NextPane, k.Restart, k.Database, k.Back}
}

func (s *Stack) SetSize(w, h int) {
	s.w, s.h = w, h
	n := max(1, len(s.containers()))
	s.tblH = min(n+3, max(5, h/3))
	s.log.SetSize(w-2, max(1, h-s.tblH-2))
}

// onSnap keeps the selection on the same container and follows it.
func (s *Stack) onSnap() tea.Cmd {
	cs := s.containers()
	if s.cl != nil {
		for i, ct := range cs {
			if ct.ID == s.cl.id {
				s.sel = i
			}
		}
	}
	s.sel = max(0, min(s.sel, len(cs)-1))
	s.SetSize(s.w, s.h)
	return s.followSelected()
}

// followSelected starts streaming the selected container's log when the
// selection moved to another container, stopping the previous stream.
func (s *Stack) followSelected() tea.Cmd {
	ct, ok := s.selected()
	if !ok || s.c.opts.Monitor == nil {
		return nil
	}
	if s.cl != nil && s.cl.id == ct.ID {
		return nil
	}
	s.close()
	cl := &containerLog{id: ct.ID, name: serviceName(ct), buf: NewLogBuffer(logCap)}
	s.cl = cl
	s.log.SetBuffer(cl.buf, "")
	s.log.caption = ""
	mon, classify, mask := s.c.opts.Monitor, s.c.classify, s.c.eng.Mask
	// the one stream the screen follows: the previous container's ends
	// before this one's starts (tasks.go)
	s.c.streams.Start(s.c.ctx, func(ctx context.Context, t *task) {
		err := mon.Logs(ctx, ct.ID, 200, func(l monitor.LogLine) {
			// Apps print DSNs and settings: the .env secrets are masked here
			// as in a step's output.
			text := mask(l.Text)
			if l.Stream == "event" {
				text = "── " + text + " ──"
			}
			t.do(func() {
				switch classify(text) {
				case logscan.Error:
					cl.errs.Add(1)
				case logscan.Warning:
					cl.warns.Add(1)
				}
				cl.buf.Write([]byte(text + "\n"))
			})
		})
		if err != nil && ctx.Err() == nil {
			t.do(func() { cl.buf.Write([]byte("── log stream ended: " + err.Error() + " ──\n")) })
		}
		cl.buf.Close()
	})
	return cl.buf.wait(s.c.ctx)
}

// close stops the followed stream; its buffer is closed here (a stream
// superseded before it ran never closes it), so its wait ends (final).
func (s *Stack) close() {
	if s.cl != nil {
		s.c.streams.Stop()
		s.cl.buf.Close()
		s.cl = nil
	}
}

// Update is the Component's: the Stack's handling is update.
func (s *Stack) Update(msg tea.Msg) (Component, tea.Cmd) { return s, s.update(msg) }

// Init asks for nothing: what the Stack shows comes with the snapshot.
func (s *Stack) Init() tea.Cmd { return nil }

func (s *Stack) update(msg tea.Msg) tea.Cmd {
	k := s.c.keys
	switch msg := msg.(type) {
	case tea.MouseWheelMsg, logMsg:
		return send(&s.log, msg)
	case tea.KeyPressMsg:
		if s.log.Capturing() || (s.focus == 1 && !key.Matches(msg, k.NextPane, k.PrevPane, k.Restart)) {
			return send(&s.log, msg)
		}
		switch {
		case key.Matches(msg, k.NextPane), key.Matches(msg, k.PrevPane):
			s.focus = 1 - s.focus
		case key.Matches(msg, k.Up):
			s.sel = max(0, s.sel-1)
			return s.followSelected()
		case key.Matches(msg, k.Down):
			s.sel = max(0, min(len(s.containers())-1, s.sel+1))
			return s.followSelected()
		case key.Matches(msg, k.Enter):
			s.focus = 1
			return s.followSelected()
		case key.Matches(msg, k.Restart):
			if ct, ok := s.selected(); ok {
				s.c.emit(restartAskMsg{ct: ct})
			}
		case key.Matches(msg, k.Wrap), key.Matches(msg, k.Bottom), key.Matches(msg, k.Top), key.Matches(msg, k.Search):
			return send(&s.log, msg)
		}
	}
	return nil
}

func fmtUptime(now time.Time, ct docker.Container) string {
	if !ct.Running() || ct.StartedAt.IsZero() {
		return "–"
	}
	d := now.Sub(ct.StartedAt)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func (s *Stack) View() string {
	c, st := s.c, s.c.styles
	inner := s.w - 2
	var rows []string
	head := fmt.Sprintf("  %-14s %-10s %-10s %7s %8s %6s %8s", "SERVICE", "STATE", "HEALTH", "UPTIME", "RESTARTS", "CPU", "MEM")
	rows = append(rows, st.Faint.Render(fit(head, inner)))
	title := "Containers"
	switch {
	case c.opts.Monitor == nil:
		rows = append(rows, st.Faint.Render("  the stack is not monitored"))
	case c.snap == nil || !c.snap.DockerKnown:
		rows = append(rows, st.Faint.Render("  looking at docker…"))
	default:
		title += " of " + c.snap.Project
		if c.snap.DockerErr != "" {
			rows = append(rows, " "+st.Error.Render(dockerProblem(c.snap.DockerErr, false)))
		}
		if len(c.snap.Containers) == 0 && c.snap.DockerErr == "" {
			rows = append(rows, st.Warn.Render("  no containers in compose project "+c.snap.Project))
		}
		for i, ct := range c.snap.Containers {
			health := ct.Health
			if health == "" {
				health = "–"
			}
			state := ct.State
			if !ct.Running() {
				state += fmt.Sprintf(" (%d)", ct.ExitCode)
			}
			cpu, mem := "–", "–"
			if ct.Running() {
				cpu = fmtCPU(ct.CPUPercent)
				if ct.MemBytes > 0 {
					mem = host.Bytes(ct.MemBytes)
				}
			}
			line := fmt.Sprintf("%-14s %-10s %-10s %7s %8d %6s %8s", fit(serviceName(ct), 14), state, health,
				fmtUptime(c.now, ct), ct.Restarts, cpu, mem)
			if i == s.sel {
				rows = append(rows, st.Selected.Render(fit("▌"+c.healthMarkPlain(ct)+line, inner)))
			} else {
				rows = append(rows, fit(" "+c.healthMark(ct)+line, inner))
			}
		}
	}
	table := st.box(title, rows, s.w, s.tblH, s.focus == 0)
	logTitle := "log"
	if s.cl != nil {
		logTitle = "log of " + s.cl.name
		e, w := s.cl.errs.Load(), s.cl.warns.Load()
		logTitle += fmt.Sprintf(" · %s · %s", plural(int(e), "error"), plural(int(w), "warning"))
	}
	body := strings.Split(s.log.View(), "\n")
	if s.cl == nil {
		body = []string{st.Faint.Render("select a container to follow its log")}
	}
	return table + "\n" + st.box(logTitle, body, s.w, s.h-s.tblH, s.focus == 1)
}

// healthMarkPlain is the mark without colour, for the reversed selection.
func (c *Context) healthMarkPlain(ct docker.Container) string {
	switch {
	case ct.Ready():
		return "✓"
	case ct.State == "restarting" || ct.State == "created" || (ct.Running() && ct.Health == "starting"):
		return "…"
	}
	return "✗"
}
