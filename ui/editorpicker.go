package ui

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"planner-tui/ops/session"
)

// An editor step (`nano .env`, `${EDITOR:-nano} .env`) runs an editor that
// may not be on this host. Before it gets the terminal, planner-tui looks
// for the editor it would run; when it is missing, a picker offers the
// editors the host has ($VISUAL, $EDITOR, nano, vim, vi, in that order,
// only those on PATH), and the choice is kept for the run (in ui.json, so
// a restart keeps it). The pure parts (which editor a script runs, the
// command filled with the choice) are table-tested; the look-ups on PATH
// run in a Cmd.

// editorUse is the editor a script runs, as written.
type editorUse struct {
	// expr is the editor as the script writes it ("nano",
	// "${EDITOR:-nano}", "$EDITOR"); "" when the script runs no editor.
	expr string
	// variable is EDITOR or VISUAL when expr reads one, def its default
	// (${EDITOR:-nano}: "nano").
	variable, def string
	// literal is the editor word when expr is one (nano, vim, ...).
	literal string
	// files are the editor's arguments that are not options.
	files []string
}

// editorLine finds the editor at the start of a script's line.
var editorLine = regexp.MustCompile(`(?m)^[ \t]*(?:(?:sudo|command|exec)[ \t]+)?(\$\{(EDITOR|VISUAL)(?::?-([^}]*))?\}|"?\$(EDITOR|VISUAL)"?|(nano|vi|vim|nvim|editor|emacs|micro|mcedit|joe|ne))([ \t]+([^\n]*))?$`)

// sessionReplaced are the editor words StartInteractive replaces with the
// editor it is given (ops/session's editorWord).
var sessionReplaced = []string{"nano", "vi", "vim", "editor"}

// findEditor says which editor a script runs (the first line that starts
// with one).
func findEditor(script string) editorUse {
	m := editorLine.FindStringSubmatch(script)
	if m == nil {
		return editorUse{}
	}
	u := editorUse{expr: m[1], literal: m[5]}
	switch {
	case m[2] != "":
		u.variable, u.def = m[2], m[3]
	case m[4] != "":
		u.variable = m[4]
	}
	for _, a := range strings.Fields(m[7]) {
		if strings.HasPrefix(a, "-") || strings.ContainsAny(a, ";&|<>") {
			continue
		}
		u.files = append(u.files, strings.Trim(a, `"'`))
	}
	return u
}

// effective is the editor command that will run: the chosen editor where
// the session or the environment puts it in, else what the script says.
// env reads the environment the command gets (EDITOR, VISUAL).
func (u editorUse) effective(chosen string, env func(string) string) string {
	switch {
	case u.expr == "":
		return ""
	case u.variable != "":
		if chosen != "" {
			return chosen // set as EDITOR and VISUAL for the command
		}
		if v := strings.TrimSpace(env(u.variable)); v != "" {
			return v
		}
		return strings.TrimSpace(u.def)
	case chosen != "" && slices.Contains(sessionReplaced, u.literal):
		return chosen
	}
	return u.literal
}

// filled is display with the editor expression replaced by the editor
// that will run: what the operator sees is what runs.
func (u editorUse) filled(display, editor string) string {
	if u.expr == "" || editor == "" || u.expr == editor {
		return display
	}
	return strings.Replace(display, u.expr, editor, 1)
}

// editorCandidates are the editors to offer, in order: $VISUAL, $EDITOR,
// nano, vim, vi, only those whose program is on PATH, each once.
func editorCandidates(env func(string) string, lookPath func(string) (string, error)) []string {
	var out []string
	for _, e := range []string{env("VISUAL"), env("EDITOR"), "nano", "vim", "vi"} {
		e = strings.TrimSpace(e)
		if e == "" || slices.Contains(out, e) {
			continue
		}
		if _, err := lookPath(strings.Fields(e)[0]); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// editorPresent says whether an editor command's program is on PATH.
func editorPresent(editor string, lookPath func(string) (string, error)) bool {
	f := strings.Fields(editor)
	if len(f) == 0 {
		return false
	}
	_, err := lookPath(f[0])
	return err == nil
}

// editorChecked: the look-up on PATH answered for an editor step.
type editorCheckedMsg struct {
	plan       *session.Plan
	conf       string
	use        editorUse
	chosen     string // the editor to run with ("" keeps the script's)
	missing    string // the editor that is not there ("" when it is)
	candidates []string
}

// editorPickedMsg: the operator chose an editor in the picker.
type editorPickedMsg struct {
	plan   *session.Plan
	conf   string
	use    editorUse
	editor string
}

func (editorCheckedMsg) interactive() {}
func (editorPickedMsg) interactive()  {}

// editorChoice is the editor the operator picked, for the run it was
// picked in (kept in ui.json).
func (m *Model) editorChoice() string {
	if m.pickedEditor.Run != "" && m.pickedEditor.Run == m.c.run.ID {
		return m.pickedEditor.Editor
	}
	return ""
}

// checkEditor looks for the editor an interactive step runs, in a Cmd; a
// step that runs no editor we know goes straight to the terminal.
func (m *Model) checkEditor(plan *session.Plan, conf string) tea.Cmd {
	use := findEditor(plan.Script)
	chosen := m.editorChoice()
	if chosen == "" && use.variable == "" {
		// $EDITOR: the session puts it in place of a literal nano or vi
		// (a script that reads $EDITOR or $VISUAL itself gets them as
		// they are)
		chosen = m.editor
	}
	if use.expr == "" {
		return m.launchInteractive(plan, conf, use, chosen)
	}
	env := m.getenv
	// launching until the check answers: a step run whole waits for it
	// (chainCheck) instead of taking the command for one that did not run
	m.c.launching[plan.Command.ID] = true
	return func() tea.Msg {
		msg := editorCheckedMsg{plan: plan, conf: conf, use: use, chosen: chosen}
		eff := use.effective(chosen, env)
		if editorPresent(eff, exec.LookPath) {
			return msg
		}
		msg.missing = eff
		if eff == "" {
			msg.missing = "$" + use.variable + " (not set)"
		}
		msg.candidates = editorCandidates(env, exec.LookPath)
		return msg
	}
}

// onEditorChecked runs the step, or offers the editors there are.
func (m *Model) onEditorChecked(msg editorCheckedMsg) tea.Cmd {
	c := m.c
	delete(c.launching, msg.plan.Command.ID)
	if msg.missing == "" {
		return m.launchInteractive(msg.plan, msg.conf, msg.use, msg.chosen)
	}
	title := msg.plan.Command.Title
	if len(msg.candidates) == 0 {
		m.setFlash("nothing ran: "+title+" needs "+msg.missing+", which is not on PATH, and no editor was found ($VISUAL, $EDITOR, nano, vim, vi): install one or set $EDITOR", c.styles.Error)
		return nil
	}
	var items []pickItem
	for _, e := range msg.candidates {
		shown := msg.use.filled(msg.plan.Display, e)
		items = append(items, pickItem{
			label:   e,
			detail:  firstLine(shown),
			command: shown,
			pick:    editorPickedMsg{plan: msg.plan, conf: msg.conf, use: msg.use, editor: e},
		})
	}
	m.setDialog(newPicker("Pick an editor",
		msg.missing+" is not on this host. Run "+title+" with one that is (kept for this run); esc: nothing runs.", items, false))
	return nil
}

// onEditorPicked keeps the choice for the run and runs the step with it.
func (m *Model) onEditorPicked(msg editorPickedMsg) tea.Cmd {
	m.pickedEditor = pickedEditor{Run: m.c.run.ID, Editor: msg.editor}
	return m.launchInteractive(msg.plan, msg.conf, msg.use, msg.editor)
}

// pickedEditor is an editor chosen in the picker and the run it is for.
type pickedEditor struct {
	Run    string `json:"run,omitempty"`
	Editor string `json:"editor,omitempty"`
}
