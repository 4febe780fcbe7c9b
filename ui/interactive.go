package ui

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// A command that needs the terminal (an editor on .env) goes: the editor
// check (editorpicker.go), the engine's admission (StartInteractive, in a
// Cmd), the terminal (tea.ExecProcess), then its end: the exit code and
// stderr in the output pane, the .env keys it changed, and the record
// (RecordInteractive, in a Cmd). The output pane holds a transcript of it
// all, which the run keeps as the attempt's output.log.

// interactiveMsg is a message of that way; app.go routes them here.
type interactiveMsg interface{ interactive() }

type (
	// interactiveReadyMsg: the engine admitted the command (or refused
	// it); cmd is the process to give the terminal to.
	interactiveReadyMsg struct {
		cmdID  string
		cmd    *exec.Cmd
		err    error
		shown  string // the command as it runs (the editor filled in)
		stderr *tailWriter
		before []envSnapshot
	}
	interactiveDoneMsg struct {
		ready   interactiveReadyMsg
		err     error
		started time.Time
	}
)

func (interactiveReadyMsg) interactive() {}
func (interactiveDoneMsg) interactive()  {}

func (m *Model) onInteractive(msg interactiveMsg) tea.Cmd {
	switch msg := msg.(type) {
	case editorCheckedMsg:
		return m.onEditorChecked(msg)
	case editorPickedMsg:
		return m.onEditorPicked(msg)
	case interactiveReadyMsg:
		return m.onInteractiveReady(msg)
	case interactiveDoneMsg:
		return m.onInteractiveDone(msg)
	}
	return nil
}

// interactive hands the terminal to the command (an editor) and takes it
// back after, once its editor is known to be there (checkEditor).
func (m *Model) interactive(plan *session.Plan, conf string) tea.Cmd {
	return m.checkEditor(plan, conf)
}

// launchInteractive has the engine admit the command through the same
// guards, lock, state and audit as any other (in a Cmd: it writes state),
// with editor in place of the script's, and reads the env files it edits.
func (m *Model) launchInteractive(plan *session.Plan, conf string, use editorUse, editor string) tea.Cmd {
	eng, id := m.c.eng, plan.Command.ID
	m.c.launching[id] = true
	shown := use.filled(plan.Display, use.effective(editor, m.getenv))
	return func() tea.Msg {
		cmd, err := eng.StartInteractive(plan, conf, editor)
		if err != nil {
			return interactiveReadyMsg{cmdID: id, err: err}
		}
		if editor != "" && use.variable != "" {
			// ${EDITOR:-nano} runs the chosen editor (a later entry wins)
			cmd.Env = append(cmd.Env, "EDITOR="+editor, "VISUAL="+editor)
		}
		// stderr goes to the terminal as usual, and its end is kept for
		// the output pane and the record
		tail := &tailWriter{max: 16 << 10}
		cmd.Stderr = io.MultiWriter(os.Stderr, tail)
		return interactiveReadyMsg{cmdID: id, cmd: cmd, shown: shown, stderr: tail, before: readEnvFiles(cmd.Dir, use.files)}
	}
}

func (m *Model) onInteractiveReady(msg interactiveReadyMsg) tea.Cmd {
	c := m.c
	delete(c.launching, msg.cmdID)
	if msg.err != nil {
		m.setFlash(msg.err.Error(), c.styles.Error)
		return nil
	}
	started := time.Now()
	buf := NewLogBuffer(logCap)
	fmt.Fprintf(buf, "$ %s\n", strings.ReplaceAll(msg.shown, "\n", "\n  "))
	c.logs[msg.cmdID] = buf
	delete(c.results, msg.cmdID)
	if c.chain != nil && c.chain.cur == msg.cmdID {
		c.chain.handedOff = true
	}
	m.syncMine(msg.cmdID) // admitted: the run says running, this attempt
	return tea.ExecProcess(msg.cmd, func(err error) tea.Msg {
		return interactiveDoneMsg{ready: msg, err: err, started: started}
	})
}

// onInteractiveDone shows how the command ended (exit code, stderr), then,
// in a Cmd, the env keys it changed and the record.
func (m *Model) onInteractiveDone(msg interactiveDoneMsg) tea.Cmd {
	c, id := m.c, msg.ready.cmdID
	stderr := msg.ready.stderr.String()
	cr := checklist.CommandRun{Status: checklist.OK, Started: msg.started, Ended: time.Now()}
	if msg.err != nil {
		cr.Status = checklist.Failed
		cr.ExitCode = -1
		var ee *exec.ExitError
		if errors.As(msg.err, &ee) {
			cr.ExitCode = ee.ExitCode()
		}
		cr.Error = msg.err.Error()
	}
	if cmd, _ := findCommand(c.rb, id); cmd != nil && cr.ExitCode >= 0 {
		// as the engine will record it (RecordInteractive)
		cr.Status, cr.Detail = cmd.Outcome.JudgeUnseen(cr.ExitCode)
		cr.Error = ""
		if cr.Status == checklist.Failed {
			cr.Error = fmt.Sprintf("exited with %d", cr.ExitCode)
		}
	}
	if last := lastStderrLine(stderr); last != "" && cr.Error != "" {
		cr.Error += ": " + c.eng.Mask(last)
	}
	buf := c.logs[id]
	if buf == nil {
		buf = NewLogBuffer(logCap)
		c.logs[id] = buf
	}
	if s := strings.TrimRight(stderr, "\n"); s != "" {
		for _, l := range strings.Split(s, "\n") {
			fmt.Fprintln(buf, c.eng.Mask(l))
		}
	}
	exitLine := fmt.Sprintf("exit %d · %s", cr.ExitCode, cr.Status)
	if cr.ExitCode < 0 {
		exitLine = "could not start: " + c.eng.Mask(cr.Error)
	}
	fmt.Fprintln(buf, exitLine)
	// the attempt it answers for: a later one (another process) wins
	k := c.mine[id]
	cr.JobID, cr.Attempt = k.jobID, k.attempt
	c.results[id] = cr
	if ch := c.chain; ch != nil && ch.cur == id {
		// the chain goes on once the end is recorded (the run says
		// running until then, and would block the next command)
		ch.follow = m.chainFollows()
		ch.handedOff, ch.recording = false, true
	}
	m.onDone(jobDoneMsg{cmdID: id, cr: cr})
	eng, before, ended := c.eng, msg.ready.before, cr
	return func() tea.Msg {
		for _, b := range before {
			for _, l := range envEditLines(b, eng.Mask) {
				fmt.Fprintln(buf, l)
			}
		}
		buf.Close()
		total, _ := buf.Stats()
		lines, _ := buf.Lines(0, total)
		err := eng.RecordInteractive(id, session.InteractiveEnd{
			ExitCode: ended.ExitCode, Started: ended.Started, Ended: ended.Ended,
			Stderr: stderr, Transcript: strings.Join(lines, "\n") + "\n",
		})
		return recordedMsg{cmdID: id, err: err}
	}
}

// envEditLines reads an env file again after the edit and says which keys
// changed since before (I/O: in a Cmd).
func envEditLines(before envSnapshot, maskFn func(string) string) []string {
	name := filepath.Base(before.path)
	if before.err != nil {
		return []string{name + ": could not be read before the edit, no diff: " + maskFn(before.err.Error())}
	}
	after := readEnvFiles("", []string{before.path})
	if len(after) == 0 {
		return nil
	}
	if after[0].err != nil {
		return []string{name + ": could not be read after the edit: " + maskFn(after[0].err.Error())}
	}
	return envKeyChanges(name, before.file, after[0].file, maskFn)
}

func lastStderrLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b = append(w.b, p...)
	if over := len(w.b) - w.max; over > 0 {
		w.b = append(w.b[:0], w.b[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	if w == nil {
		return ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

// ranWithoutOutput is what the output pane says of a command that ran but
// whose output was not kept (an editor step recorded before its
// transcript was, or whose transcript could not be written).
func ranWithoutOutput(cr checklist.CommandRun) string {
	if cr.Status == checklist.Skipped {
		return "skipped (recorded): nothing ran"
	}
	s := string(cr.Status)
	if cr.Status == checklist.OK || cr.Status == checklist.Warning || cr.Status == checklist.Failed {
		s += fmt.Sprintf(", exit %d", cr.ExitCode)
	}
	if cr.Error != "" {
		s += ": " + cr.Error
	}
	return s + " (no output was kept)"
}
