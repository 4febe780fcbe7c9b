package ui

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"planner-tui/ops/logscan"
)

// The log pane's tools for reading a long output: a filter for error and
// warning lines, going from one to the next with a counter, the full log
// in $PAGER, and copying to the clipboard (OSC 52).

// logLevel is what the log pane shows: every line, or only the lines
// logscan classifies as errors and warnings, or errors only.
type logLevel int

const (
	levelAll logLevel = iota
	levelProblems
	levelErrors
)

func (l logLevel) String() string {
	switch l {
	case levelProblems:
		return "warnings+errors only"
	case levelErrors:
		return "errors only"
	}
	return "all lines"
}

// next is the filter f moves to: all → warnings+errors → errors → all.
func (l logLevel) next() logLevel { return (l + 1) % 3 }

// logHits are the error and warning lines of a buffer, by absolute line
// number, found incrementally: each line is classified once, when it first
// is looked at, not at every frame.
type logHits struct {
	buf  *LogBuffer
	abs  []int64
	cls  []logscan.Class
	upTo int64 // lines classified so far (absolute)
}

// update classifies the lines written since the last call and forgets the
// ones that fell out of the buffer's ring.
func (h *logHits) update(b *LogBuffer, classify func(string) logscan.Class) {
	if h.buf != b {
		*h = logHits{buf: b}
	}
	if b == nil {
		return
	}
	total, dropped := b.Stats()
	if h.upTo < dropped {
		h.upTo = dropped
	}
	lines, first := b.Lines(h.upTo, total)
	for i, s := range lines {
		if c := classify(s); c != logscan.None {
			h.abs = append(h.abs, first+int64(i))
			h.cls = append(h.cls, c)
		}
	}
	h.upTo = total
	if k, _ := slices.BinarySearch(h.abs, dropped); k > 0 {
		h.abs, h.cls = h.abs[k:], h.cls[k:]
	}
}

// lines are the hits a level keeps (errors and warnings for levelAll too:
// > and < go through both).
func (h *logHits) lines(l logLevel) []int64 {
	if l != levelErrors {
		return h.abs
	}
	var out []int64
	for i, c := range h.cls {
		if c == logscan.Error {
			out = append(out, h.abs[i])
		}
	}
	return out
}

// stepHit is the hit after (dir 1) or before (dir -1) line from, wrapping
// around; its index in hits, or -1 when there are none.
func stepHit(hits []int64, from int64, dir int) int {
	if len(hits) == 0 {
		return -1
	}
	i, found := slices.BinarySearch(hits, from)
	if dir > 0 {
		if found {
			i++
		}
		return i % len(hits)
	}
	return (i - 1 + len(hits)) % len(hits)
}

// hitCounter says where the operator is among the hits: "error 3 of 7".
func hitCounter(l logLevel, at, n int) string {
	what := "errors/warnings"
	if l == levelErrors {
		what = "errors"
	}
	if n == 0 {
		return "no " + what
	}
	if at < 0 {
		return fmt.Sprintf("%d %s (> next)", n, what)
	}
	return fmt.Sprintf("%d of %d %s", at+1, n, what)
}

// classifyShown classifies a line as shown (the ANSI of a coloured logger
// stripped, so "\x1b[32mINFO\x1b[0m:" still reads as INFO).
func (c *Context) classifyShown(s string) logscan.Class {
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansi.Strip(s)
	}
	return c.classify(s)
}

// pagerCommand runs the pager on a file: $PAGER as the shell reads it
// (it may hold options: "less -R"), the path passed as an argument, never
// spliced into the shell text.
func pagerCommand(pager, path string) *exec.Cmd {
	if strings.TrimSpace(pager) == "" {
		pager = "less -R"
	}
	return exec.Command("sh", "-c", pager+` "$1"`, "pager", path)
}

type (
	// pagerReqMsg asks the root to hand the terminal to $PAGER on a log.
	pagerReqMsg  struct{ path string }
	pagerDoneMsg struct {
		path string
		err  error
	}
)

// openPager gives the terminal to the pager (like the editor hand-off)
// and takes it back when the pager exits.
func (m *Model) openPager(path string) tea.Cmd {
	cmd := pagerCommand(m.pager, path)
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return pagerDoneMsg{path: path, err: err} })
}

// copyText puts text on the clipboard through the terminal (OSC 52): it
// works over SSH, where the terminal allows it.
func (c *Context) copyText(text, what string) tea.Cmd {
	c.emit(flashMsg{text: "copied " + what + " (OSC 52: the terminal must allow clipboard writes)"})
	return tea.SetClipboard(text)
}
