package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"planner-tui/checklist"
)

// Formatting the screen does, as pure functions a table test reaches
// (lazydocker's presentation package). Others live next to their pane:
// statusbar.go (fmtCPU, ago, dbProblem, dockerProblem, shortVersion),
// summarylines.go, flow.go (stripText), review.go (reviewBody),
// screen.go (flashRows, keyLine), procedure.go (fmtDuration).

// tone is how a flash reads: plain, ok, a warning or an error.
type tone int

const (
	toneFaint tone = iota
	toneOK
	toneWarn
	toneError
)

func (t tone) style(st Styles) lipgloss.Style {
	switch t {
	case toneOK:
		return st.OK
	case toneWarn:
		return st.Warn
	case toneError:
		return st.Error
	}
	return st.Faint
}

// doneFlash says how a command ended, as the flash after it: its mark,
// title, outcome, exit code and duration ("✓ Say hello: ok (exit 0) in
// 0.1s"); err is a failure to learn the outcome.
func doneFlash(title string, cr checklist.CommandRun, err error) (string, tone) {
	dur := ""
	if !cr.Started.IsZero() && !cr.Ended.IsZero() {
		dur = " in " + fmtDuration(cr.Ended.Sub(cr.Started))
	}
	switch {
	case err != nil:
		return title + ": " + err.Error(), toneError
	case cr.Status == checklist.OK:
		return fmt.Sprintf("✓ %s: ok (exit %d)%s", title, cr.ExitCode, dur), toneOK
	case cr.Status == checklist.Warning:
		return fmt.Sprintf("⚠ %s: warning, exit %d%s: %s", title, cr.ExitCode, dur, cr.Detail), toneWarn
	case cr.Status == checklist.Failed:
		return fmt.Sprintf("✗ %s: failed, exit %d%s", title, cr.ExitCode, dur), toneError
	}
	return fmt.Sprintf("%s: %s%s", title, cr.Status, dur), toneWarn
}

// whoRuns is the header's operator from the run: "user@host" ("" when the
// run names neither: the header says the session's actor then).
func whoRuns(operator, host string) string {
	who := operator
	if host != "" && !strings.Contains(who, "@") {
		if who != "" {
			who += "@"
		}
		who += host
	}
	return who
}
