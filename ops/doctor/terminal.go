package doctor

import (
	"fmt"
	"strings"
)

// MinWidth and MinHeight are the smallest terminal the TUI is laid out for.
const (
	MinWidth  = 80
	MinHeight = 24
)

// TermInfo is what the caller found out about its stdout.
type TermInfo struct {
	IsTerminal    bool
	Width, Height int
	Colours       string // from Colours
}

// Colours says what colours the environment promises, as the TUI will
// see it: NO_COLOR, TERM=dumb, COLORTERM, TERM's 256color suffix.
func Colours(getenv func(string) string) string {
	switch term, ct := getenv("TERM"), strings.ToLower(getenv("COLORTERM")); {
	case getenv("NO_COLOR") != "":
		return "no colours (NO_COLOR is set)"
	case term == "" || term == "dumb":
		return fmt.Sprintf("no colours (TERM=%q)", term)
	case ct == "truecolor" || ct == "24bit":
		return "true colour (COLORTERM=" + ct + ")"
	case strings.Contains(term, "256color"):
		return "256 colours (TERM=" + term + ")"
	default:
		return "16 colours (TERM=" + term + ")"
	}
}

// Terminal judges the terminal the TUI would open on.
func Terminal(t TermInfo) Check {
	const name = "terminal"
	if !t.IsTerminal {
		return warn(name, "not a terminal: size and colours not checked",
			"run planner-tui doctor in the terminal (and ssh session) you will run the TUI in")
	}
	detail := fmt.Sprintf("%d×%d, %s", t.Width, t.Height, t.Colours)
	if t.Width < MinWidth || t.Height < MinHeight {
		return warn(name, fmt.Sprintf("%s: smaller than the %d×%d the TUI needs", detail, MinWidth, MinHeight),
			"enlarge the window (or use a smaller font)")
	}
	return ok(name, detail)
}

// Editor finds the editor steps that edit files will use: $VISUAL, $EDITOR
// (the TUI runs $EDITOR in place of nano/vi in a runbook command), else
// nano, vim or vi on PATH.
func Editor(getenv func(string) string, lookPath func(string) (string, error)) Check {
	const name = "editor"
	for _, v := range []string{"VISUAL", "EDITOR"} {
		val := strings.TrimSpace(getenv(v))
		if val == "" {
			continue
		}
		word := strings.Fields(val)[0]
		if p, err := lookPath(word); err == nil {
			return ok(name, fmt.Sprintf("$%s=%s (%s)", v, val, p))
		}
		return warn(name, fmt.Sprintf("$%s=%s is not on PATH", v, val), "install "+word+", or set "+v+" to an editor that is installed")
	}
	for _, e := range []string{"nano", "vim", "vi"} {
		if p, err := lookPath(e); err == nil {
			return ok(name, e+" ("+p+"); $VISUAL and $EDITOR are not set")
		}
	}
	return warn(name, "no $VISUAL, $EDITOR, nano, vim or vi: steps that edit .env cannot run",
		"install nano (apt-get install nano), or set EDITOR")
}
