package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// shellTokens splits one line of shell into its words as the shell sees
// them, keeping each word's quotes and escapes: a quoted string with spaces
// stays one token, so a wrap never splits 'select 1' or "a b". Runs of
// blanks between tokens are dropped (a wrapped line is read, not pasted back
// as is; the command runs from the runbook, not from the screen).
func shellTokens(line string) []string {
	var toks []string
	var cur strings.Builder
	var quote rune // ' or " while inside quotes
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			}
		case r == '\\':
			escaped = true
		case quote == '"':
			if r == '"' {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ' ' || r == '\t':
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

// wrapCommand wraps one line of a command to rows of at most width cells,
// breaking only between tokens (shellTokens). A token wider than the width
// is the one thing broken, at the width. Nothing is left out: joined with
// spaces, the rows are the command's tokens.
func wrapCommand(cmd string, width int) []string {
	if width <= 0 {
		return nil
	}
	var rows []string
	cur := ""
	for _, tok := range shellTokens(cmd) {
		tw := ansi.StringWidth(tok)
		switch {
		case cur == "" && tw <= width:
			cur = tok
		case cur != "" && ansi.StringWidth(cur)+1+tw <= width:
			cur += " " + tok
		default:
			if cur != "" {
				rows = append(rows, cur)
				cur = ""
			}
			for ansi.StringWidth(tok) > width {
				rows = append(rows, ansi.Cut(tok, 0, width))
				tok = ansi.Cut(tok, width, ansi.StringWidth(tok))
			}
			cur = tok
		}
	}
	if cur != "" || len(rows) == 0 {
		rows = append(rows, cur)
	}
	return rows
}

// scriptRows renders a command's display text as "$ first line", "  next
// line", each wrapped at token boundaries to width cells; rows that continue
// a wrapped line are indented two more cells. Every character of the
// command is on screen: it is never cut with "…".
func scriptRows(display string, width int) []string {
	var out []string
	for i, line := range strings.Split(display, "\n") {
		prefix := "$ "
		if i > 0 {
			prefix = "  "
		}
		if strings.TrimSpace(line) == "" {
			out = append(out, strings.TrimRight(prefix, " "))
			continue
		}
		// keep the line's own indentation (a continued pipeline)
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		indent = strings.ReplaceAll(indent, "\t", "    ")
		first := prefix + indent
		if ansi.StringWidth(first)+2 > width/2 {
			first = prefix
		}
		rest := strings.Repeat(" ", ansi.StringWidth(first)+2)
		rows := wrapCommand(line, max(1, width-ansi.StringWidth(rest)))
		for j, r := range rows {
			if j == 0 {
				out = append(out, first+r)
			} else {
				out = append(out, rest+r)
			}
		}
	}
	return out
}

// varRef is a ${NAME} a command uses, and what it stands for now.
type varRef struct {
	Name  string
	Value string
	// Where the value comes from: "run" (set by an earlier command of this
	// run), "runbook" (the runbook's variables), "here" (the command sets
	// it itself) or "" (nothing sets it yet: unfilled).
	From string
}

// commandVars lists the ${NAME} and $NAME references of a script, once
// each in order, with the value each has now: the run's variables first,
// then the runbook's. The screen shows them under the command so what
// runs is readable whole, placeholders filled or marked unfilled.
func commandVars(script string, run, book map[string]string) []varRef {
	var out []varRef
	seen := map[string]bool{}
	for i := 0; i < len(script); i++ {
		if script[i] != '$' || i+1 >= len(script) {
			continue
		}
		j, braced := i+1, false
		if script[j] == '{' {
			j, braced = j+1, true
		}
		k := j
		for k < len(script) && (script[k] == '_' || 'A' <= script[k] && script[k] <= 'Z' || 'a' <= script[k] && script[k] <= 'z' || k > j && '0' <= script[k] && script[k] <= '9') {
			k++
		}
		if k == j || braced && (k >= len(script) || script[k] != '}') {
			continue // $( $? ${x:-d} and the like: not a plain variable
		}
		name := script[j:k]
		i = k
		// lower-case names are the script's own loop and local variables
		if seen[name] || strings.ToUpper(name) != name {
			continue
		}
		seen[name] = true
		r := varRef{Name: name}
		switch v, inRun := run[name]; {
		case assigns(script, name):
			r.From = "here"
		case inRun:
			r.Value, r.From = v, "run"
		case book[name] != "":
			r.Value, r.From = book[name], "runbook"
		}
		out = append(out, r)
	}
	return out
}

// assigns says whether the script sets NAME itself (NAME=… as a word).
func assigns(script, name string) bool {
	for _, line := range strings.Split(script, "\n") {
		for _, tok := range shellTokens(line) {
			for _, part := range strings.FieldsFunc(tok, func(r rune) bool { return r == ';' || r == '&' || r == '(' }) {
				if strings.HasPrefix(part, name+"=") || strings.HasPrefix(part, "export "+name+"=") {
					return true
				}
			}
		}
	}
	return false
}

// varLine says what one ${NAME} of a command stands for.
func varLine(r varRef) string {
	switch r.From {
	case "here":
		return "${" + r.Name + "} is set by this command"
	case "run":
		return "${" + r.Name + "} = " + r.Value + "  (set earlier in this run)"
	case "runbook":
		return "${" + r.Name + "} = " + r.Value
	}
	return "${" + r.Name + "} unfilled: not set in this run yet (empty unless the shell sets it)"
}

// commandBlock is a command as every dialog and the detail pane show it:
// the whole script wrapped at token boundaries, then the variables it uses
// with their values (masked), each line within w cells.
func (c *Context) commandBlock(display string, w int) []string {
	st := c.styles
	var out []string
	for _, r := range scriptRows(display, w) {
		out = append(out, st.Code.Render(r))
	}
	for _, v := range commandVars(display, c.run.Vars, c.eng.Vars()) {
		if v.From == "runbook" {
			continue // the defaults (PLANNER_DIR, …): known, not news
		}
		v.Value = c.eng.Mask(v.Value)
		style := st.Faint
		if v.From == "" {
			style = st.Warn
		}
		for _, l := range wrapCommand(varLine(v), w-2) {
			out = append(out, style.Render("  "+l))
		}
	}
	return out
}
