package checklist

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// srcLine is one line of a shell block with its line in the runbook file.
type srcLine struct {
	n    int
	text string
}

// rawCommand is a command cut out of a shell block, before ids and risk.
type rawCommand struct {
	title     string
	lines     []srcLine
	commented bool // the title came from a comment
}

// rawNote is a run of comment lines with no command under them.
type rawNote struct {
	line int
	text []string
}

// splitShell cuts the lines of one shell block into commands: a comment
// line (or several) followed by command lines is one command titled by the
// first comment; command lines with no comment between them stay together;
// a blank line ends a command only when the shell parse is complete, so
// continuations, quotes, heredocs and compound commands stay whole.
// Comment lines followed by no command come back as notes.
func splitShell(lines []srcLine) (cmds []rawCommand, notes []rawNote) {
	var comments, cur []srcLine
	var title string
	flushCmd := func() {
		for len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1].text) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			rc := rawCommand{title: title, lines: cur, commented: title != ""}
			if rc.title == "" {
				rc.title = firstLineTitle(cur)
			}
			cmds = append(cmds, rc)
		}
		cur, title = nil, ""
	}
	flushNote := func() {
		if len(comments) > 0 {
			n := rawNote{line: comments[0].n}
			for _, c := range comments {
				n.text = append(n.text, commentText(c.text))
			}
			notes = append(notes, n)
		}
		comments = nil
	}
	for _, l := range lines {
		t := strings.TrimSpace(l.text)
		// Only a blank or comment line can end a command, so only then
		// does it matter whether the shell parse is complete.
		if (t == "" || strings.HasPrefix(t, "#")) && len(cur) > 0 && !shellComplete(cur) {
			cur = append(cur, l)
			continue
		}
		switch {
		case t == "":
			if len(cur) > 0 {
				flushCmd()
			} else {
				flushNote()
			}
		case strings.HasPrefix(t, "#!") && len(cur) == 0 && len(comments) == 0:
			// a shebang says nothing about the command
		case strings.HasPrefix(t, "#"):
			if len(cur) > 0 {
				flushCmd()
			}
			comments = append(comments, l)
		default:
			if len(cur) == 0 && len(comments) > 0 {
				title = commentText(comments[0].text)
				// Further comment lines stay in the script: they are
				// part of what the author wrote above the command.
				cur = append(cur, comments[1:]...)
				comments = nil
			}
			cur = append(cur, l)
		}
	}
	flushCmd()
	flushNote()
	return cmds, notes
}

func commentText(line string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
}

// firstLineTitle titles a command that has no comment: its first line,
// cut at a word boundary to about 60 characters.
func firstLineTitle(lines []srcLine) string {
	t := strings.TrimSpace(lines[0].text)
	t = strings.TrimSpace(strings.TrimSuffix(t, "\\"))
	const max = 60
	if len(t) <= max {
		return t
	}
	cut := strings.LastIndexByte(t[:max], ' ')
	if cut < max/2 {
		cut = max
	}
	return strings.TrimSpace(t[:cut]) + "…"
}

func joinLines(lines []srcLine) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.text)
	}
	return b.String()
}

// shellComplete reports whether the lines parse as complete shell: no
// unclosed quote, heredoc, "\" continuation or compound command.
func shellComplete(lines []srcLine) bool {
	_, err := parseShell(joinLines(lines))
	return err == nil || !syntax.IsIncomplete(err)
}

// parseShell parses a script as bash, with <placeholder> words replaced by
// plain words of the same length so that they do not read as redirections.
func parseShell(script string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(false)).
		Parse(strings.NewReader(maskPlaceholders(script)), "")
}

// parseShellAs parses a script in the language of the shell that runs it:
// POSIX for sh, mksh for ksh, zsh for zsh. The zsh and ksh parsers are
// partial, so a script they refuse that parses as bash counts as good.
func parseShellAs(script, shell string) (*syntax.File, error) {
	lang := syntax.LangBash
	switch shell {
	case "sh":
		lang = syntax.LangPOSIX
	case "ksh":
		lang = syntax.LangMirBSDKorn
	case "zsh":
		lang = syntax.LangZsh
	}
	f, err := syntax.NewParser(syntax.Variant(lang), syntax.KeepComments(false)).Parse(strings.NewReader(maskPlaceholders(script)), "")
	if err != nil && (shell == "zsh" || shell == "ksh") {
		if g, berr := parseShell(script); berr == nil {
			return g, nil
		}
	}
	return f, err
}

// shellNote names a shell other than bash for messages (" (sh)").
func shellNote(shell string) string {
	if shell == "" || shell == DefaultShell {
		return ""
	}
	return " (" + shell + ")"
}

// promptLines reads a block written as a terminal session: when its
// first line that is not a comment starts with "$ ", the lines that do are
// commands (the prompt removed, with their continuation lines, a leading
// "> " removed too), comment lines stay, and the others are output, which
// does not run. ok is false for any other block.
func promptLines(lines []srcLine) (cmds []srcLine, ran, output int, ok bool) {
	isPrompt := func(t string) bool { t = strings.TrimLeft(t, " \t"); return t == "$" || strings.HasPrefix(t, "$ ") }
	isComment := func(t string) bool { return strings.HasPrefix(strings.TrimSpace(t), "#") }
	for _, l := range lines {
		if strings.TrimSpace(l.text) == "" || isComment(l.text) {
			continue
		}
		if !isPrompt(l.text) {
			return nil, 0, 0, false
		}
		break
	}
	var cur []srcLine // the command being read, to see whether it goes on
	for _, l := range lines {
		switch {
		case len(cur) > 0 && (strings.HasSuffix(strings.TrimRight(cur[len(cur)-1].text, " \t"), "\\") || !shellComplete(cur)):
			t := l.text
			if s := strings.TrimLeft(t, " \t"); strings.HasPrefix(s, "> ") || s == ">" {
				t = strings.TrimPrefix(strings.TrimPrefix(s, ">"), " ")
			}
			l.text = t
			cur = append(cur, l)
			cmds = append(cmds, l)
		case isPrompt(l.text):
			t := strings.TrimLeft(l.text, " \t")
			l.text = strings.TrimPrefix(strings.TrimPrefix(t, "$"), " ")
			cur = []srcLine{l}
			ran++
			if strings.TrimSpace(l.text) != "" {
				cmds = append(cmds, l)
			}
		case isComment(l.text):
			// A comment titles the commands under it, as in any block.
			cur = nil
			cmds = append(cmds, l)
		case strings.TrimSpace(l.text) != "":
			cur = nil
			output++
		}
	}
	return cmds, ran, output, true
}

// wholeBlock is a block as one command (a Runme cell with a name): every
// line but the leading and trailing blank ones.
func wholeBlock(lines []srcLine, title string) rawCommand {
	for len(lines) > 0 && strings.TrimSpace(lines[0].text) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1].text) == "" {
		lines = lines[:len(lines)-1]
	}
	return rawCommand{title: title, lines: lines, commented: false}
}

var placeholderRe = regexp.MustCompile(`<([a-z][a-z0-9_-]*)>`)

// placeholderSpans finds the <placeholder> words of a script, leaving out
// heredoc markers ("<<eof>"-like text after another "<").
func placeholderSpans(script string) [][]int {
	var out [][]int
	for _, m := range placeholderRe.FindAllStringSubmatchIndex(script, -1) {
		if m[0] > 0 && script[m[0]-1] == '<' {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Placeholders returns the <placeholder> names of a script in order of
// first use, each once.
func Placeholders(script string) []string {
	var names []string
	for _, m := range placeholderSpans(script) {
		name := script[m[2]:m[3]]
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

func maskPlaceholders(script string) string {
	spans := placeholderSpans(script)
	if len(spans) == 0 {
		return script
	}
	b := []byte(script)
	for _, m := range spans {
		b[m[0]], b[m[1]-1] = '_', '_'
	}
	return string(b)
}

// specialParams are set by the shell itself; reading them is not a use of
// a variable another command must set.
var specialParams = map[string]bool{
	"RANDOM": true, "SECONDS": true, "LINENO": true, "PWD": true, "OLDPWD": true,
	"PPID": true, "UID": true, "EUID": true, "HOSTNAME": true, "IFS": true,
	"PIPESTATUS": true, "BASH_SOURCE": true, "BASH_VERSION": true, "BASHPID": true,
	"FUNCNAME": true, "REPLY": true, "OPTARG": true, "OPTIND": true, "EPOCHSECONDS": true,
}

// setsUses lists the variables a script assigns (plain assignments,
// export/declare/readonly, read) and those it reads before setting them
// itself. Loop variables and function locals are neither.
func setsUses(f *syntax.File) (sets, uses []string) {
	type event struct {
		pos  uint
		name string
		set  bool
		keep bool // a set that counts in Sets (not a loop variable)
	}
	var evs []event
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			if len(n.Args) == 0 {
				for _, a := range n.Assigns {
					if a.Name != nil {
						evs = append(evs, event{a.End().Offset(), a.Name.Value, true, true})
					}
				}
			}
			if len(n.Args) > 1 && wordText(n.Args[0]) == "read" {
				for _, w := range n.Args[1:] {
					if s := wordText(w); syntax.ValidName(s) {
						evs = append(evs, event{n.End().Offset(), s, true, true})
					}
				}
			}
		case *syntax.DeclClause:
			local := n.Variant != nil && n.Variant.Value == "local"
			for _, a := range n.Args {
				if a.Name != nil {
					evs = append(evs, event{a.End().Offset(), a.Name.Value, true, !local})
				}
			}
		case *syntax.ForClause:
			if wi, ok := n.Loop.(*syntax.WordIter); ok && wi.Name != nil {
				evs = append(evs, event{wi.Name.End().Offset(), wi.Name.Value, true, false})
			}
		case *syntax.ParamExp:
			if n.Param != nil && syntax.ValidName(n.Param.Value) && !specialParams[n.Param.Value] {
				evs = append(evs, event{n.Pos().Offset(), n.Param.Value, false, false})
			}
		}
		return true
	})
	slices.SortStableFunc(evs, func(a, b event) int { return int(a.pos) - int(b.pos) })
	seen := map[string]bool{}
	for _, e := range evs {
		switch {
		case e.set:
			seen[e.name] = true
			if e.keep && !slices.Contains(sets, e.name) {
				sets = append(sets, e.name)
			}
		case !seen[e.name] && !slices.Contains(uses, e.name):
			uses = append(uses, e.name)
		}
	}
	return sets, uses
}

var editors = map[string]bool{"nano": true, "vi": true, "vim": true, "nvim": true, "emacs": true,
	"pico": true, "joe": true, "mcedit": true, "micro": true, "sensible-editor": true, "editor": true, "vipw": true, "visudo": true}

// isEditor reports whether a command word starts an interactive editor.
func isEditor(w *syntax.Word) bool {
	if len(w.Parts) == 1 {
		if pe, ok := w.Parts[0].(*syntax.ParamExp); ok && pe.Param != nil {
			return pe.Param.Value == "EDITOR" || pe.Param.Value == "VISUAL"
		}
	}
	return editors[path.Base(wordText(w))]
}

// needsTerminal reports whether any command of the script is an editor.
func needsTerminal(f *syntax.File) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.CallExpr); ok && len(c.Args) > 0 {
			name := c.Args[0]
			if s := wordText(name); (s == "sudo" || s == "command" || s == "exec") && len(c.Args) > 1 {
				name = c.Args[1]
			}
			if isEditor(name) {
				found = true
			}
		}
		return !found
	})
	return found
}

// wordText is the text of a word as the shell would see it for literal
// parts (quotes removed); expansions are kept in their written form.
func wordText(w *syntax.Word) string {
	if w == nil {
		return ""
	}
	var b strings.Builder
	writeParts(&b, w.Parts)
	return b.String()
}

func writeParts(b *strings.Builder, parts []syntax.WordPart) {
	for _, p := range parts {
		switch p := p.(type) {
		case *syntax.Lit:
			b.WriteString(unescapeLit(p.Value))
		case *syntax.SglQuoted:
			b.WriteString(p.Value)
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if l, ok := q.(*syntax.Lit); ok {
					b.WriteString(unescapeDbl(l.Value))
					continue
				}
				writeParts(b, []syntax.WordPart{q})
			}
		default:
			var sb strings.Builder
			_ = syntax.NewPrinter().Print(&sb, p)
			b.WriteString(sb.String())
		}
	}
}

// unescapeLit drops the backslashes of an unquoted literal ("a\ b" -> "a b").
func unescapeLit(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeDbl drops the backslashes that escape a character inside double
// quotes; others stay ("\\dt" stays "\\dt").
func unescapeDbl(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
			i++
			if s[i] == '\n' {
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
