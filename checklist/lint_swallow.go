package checklist

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// A command's outcome is its exit status (bash -o pipefail, no errexit),
// unless its fence says otherwise: fail-if / warn-if (an output line
// decides) and ok-exit / warn-exit (exit codes that are fine or a warning).
// lintSwallow warns, on the shell syntax tree, about scripts whose exit
// status hides a failure, so that a check that failed would show as ok:
// "cmd || echo ...", "|| true", "|| :", "|| exit 0", a trailing "true" or
// "exit 0", a line whose status the next line replaces, "set +e", "set +o
// pipefail", an if that ends quietly when its command fails, curl without
// --fail (also in docker/compose exec), and ok-exit=1 on a pipeline that
// ends in grep. What a fence declares is not warned about: a script whose
// output decides (fail-if / warn-if) may swallow an exit status.
func lintSwallow(path string, rb *Runbook) []Problem {
	var probs []Problem
	for _, cmd := range rb.Commands() {
		f, err := parseShell(cmd.Script)
		if err != nil {
			continue // Parse already reported it
		}
		l := &swallowLint{path: path, cmd: cmd}
		l.outputRes = outputRegexps(cmd.Attrs)
		_, l.outputDeclared = cmd.Attrs["fail-if"]
		if _, ok := cmd.Attrs["warn-if"]; ok {
			l.outputDeclared = true
		}
		l.script(f)
		probs = append(probs, l.probs...)
	}
	return probs
}

// outputRegexps are the fence's fail-if and warn-if expressions that compile.
func outputRegexps(attrs map[string]string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, k := range []string{"fail-if", "warn-if"} {
		if v, ok := attrs[k]; ok {
			if re, err := regexp.Compile(v); err == nil {
				out = append(out, re)
			}
		}
	}
	return out
}

type swallowLint struct {
	path           string
	cmd            *Command
	outputDeclared bool // fail-if or warn-if: the output decides
	outputRes      []*regexp.Regexp
	probs          []Problem
	seen           map[string]bool // one warning per line and kind
}

func (l *swallowLint) warn(pos syntax.Pos, kind, format string, args ...any) {
	line := l.cmd.Line + int(pos.Line()) - 1
	key := fmt.Sprintf("%d/%s", line, kind)
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	// The zero Severity is the warning (its constant is being renamed, so
	// it is not named here).
	l.probs = append(l.probs, Problem{Path: l.path, Line: line,
		Message: fmt.Sprintf("command %q: ", l.cmd.Title) + fmt.Sprintf(format, args...)})
}

func (l *swallowLint) script(f *syntax.File) {
	pipefailOff := false
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.BinaryCmd:
			if n.Op == syntax.OrStmt {
				l.orList(n)
			}
		case *syntax.CallExpr:
			switch callName(n) {
			case "set":
				if l.setFlags(n) {
					pipefailOff = true
				}
			case "curl":
				l.curl(n, f)
			}
		case *syntax.CmdSubst, *syntax.ProcSubst:
			// "X=$(cat f || echo default)" is a value with a fallback,
			// not the command's outcome; only curl is looked at in there.
			syntax.Walk(n, func(m syntax.Node) bool {
				if c, ok := m.(*syntax.CallExpr); ok && callName(c) == "curl" {
					l.curl(c, f)
				}
				return true
			})
			return false
		}
		return true
	})
	l.trailing(f.Stmts)
	l.lost(f.Stmts)
	l.grepExits(f.Stmts, pipefailOff)
}

// lost warns about a command line whose exit status nobody sees: the
// runner has no errexit (a step runs as if pasted into a terminal), so in
// "build" then "up -d" on the next line the step's outcome is up's, and a
// failed build shows as ok. Assignments, loops, ifs and trivial commands
// (echo, cd, export, sleep, ...) are left alone; so is a script that says
// set -e.
func (l *swallowLint) lost(stmts []*syntax.Stmt) {
	if len(stmts) < 2 || l.outputDeclared {
		return
	}
	for _, s := range stmts {
		if c, ok := s.Cmd.(*syntax.CallExpr); ok && callName(c) == "set" && setsErrexit(c) {
			return
		}
	}
	judge := stmts[:len(stmts)-1]
	if _, call := stmts[len(stmts)-1].Cmd.(*syntax.CallExpr); call && quietCall(stmts[len(stmts)-1]) {
		// "X; true": trailing warns about X already.
		judge = judge[:len(judge)-1]
	}
	last := lastCall(stmts[len(stmts)-1])
	for _, s := range judge {
		if s.Background {
			continue
		}
		c := lastCall(s)
		if c == nil || len(c.Args) == 0 || trivial[callName(c)] {
			continue
		}
		if b, ok := s.Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.OrStmt {
			continue // "X || Y": judged by orList
		}
		next := "the last line"
		if last != nil && len(last.Args) > 0 {
			next = firstWords(last)
		}
		l.warn(s.Pos(), "lost", "the exit status of %s is lost: the command's outcome is that of its last line (%s), so it shows ok when %s failed: join the lines with && (or start the script with set -e)", firstWords(c), next, callName(c))
	}
}

func quietCall(s *syntax.Stmt) bool {
	k, _ := quietEnd(s)
	return k != ""
}

// setsErrexit reports whether a set command turns errexit on (-e, -eu,
// -euo pipefail, -o errexit).
func setsErrexit(c *syntax.CallExpr) bool {
	args := c.Args[1:]
	for i, w := range args {
		a := wordText(w)
		if a == "-o" && i+1 < len(args) && wordText(args[i+1]) == "errexit" {
			return true
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && a != "-o" && strings.Contains(strings.TrimSuffix(a, "o"), "e") {
			return true
		}
	}
	return false
}

// firstWords is how a command is named in a message: its command word and
// a few more, like "docker-compose -f docker-compose.yml build".
func firstWords(c *syntax.CallExpr) string {
	var words []string
	for i, w := range c.Args {
		if i == 6 {
			words = append(words, "...")
			break
		}
		words = append(words, wordText(w))
	}
	return "\"" + strings.Join(words, " ") + "\""
}

// callName is the command a simple command runs, looking through sudo,
// command, env, timeout DURATION, and docker exec / compose exec / compose
// run (the command in the container: its exit status is passed on).
func callName(c *syntax.CallExpr) string {
	args := c.Args
	for len(args) > 0 {
		switch name := wordText(args[0]); name {
		case "docker", "docker-compose":
			inner := execArgs(args)
			if inner == nil {
				return name
			}
			args = inner
		case "sudo", "command", "env", "nice", "nohup":
			args = args[1:]
			for len(args) > 0 && strings.HasPrefix(wordText(args[0]), "-") {
				args = args[1:]
			}
		case "timeout":
			args = args[1:]
			for len(args) > 0 && strings.HasPrefix(wordText(args[0]), "-") {
				args = args[1:]
			}
			if len(args) > 0 {
				args = args[1:] // the duration
			}
		default:
			if i := strings.LastIndexByte(name, '/'); i >= 0 {
				name = name[i+1:]
			}
			return name
		}
	}
	return ""
}

// execValueFlags are the options of docker exec, compose exec and compose
// run that take a value.
var execValueFlags = map[string]bool{"-u": true, "--user": true, "-w": true, "--workdir": true,
	"-e": true, "--env": true, "--index": true, "--name": true, "--entrypoint": true, "-v": true,
	"--volume": true, "-p": true, "--publish": true, "-l": true, "--label": true, "--env-file": true}

// execArgs is the command run in a container by "docker exec [opts] C cmd",
// "docker compose ... exec|run [opts] SERVICE cmd" or the same with
// docker-compose; nil for any other docker command.
func execArgs(args []*syntax.Word) []*syntax.Word {
	k := -1
	switch {
	case wordText(args[0]) == "docker" && len(args) > 1 && wordText(args[1]) == "exec":
		k = 1
	case wordText(args[0]) == "docker-compose" || len(args) > 1 && wordText(args[1]) == "compose":
		for i, w := range args {
			if t := wordText(w); t == "exec" || t == "run" {
				k = i
				break
			}
		}
	}
	if k < 0 {
		return nil
	}
	i := k + 1
	for i < len(args) {
		a := wordText(args[i])
		if !strings.HasPrefix(a, "-") {
			break
		}
		if execValueFlags[a] {
			i++
		}
		i++
	}
	if i+1 >= len(args) {
		return nil // no container or no command
	}
	return args[i+1:]
}

// quietEnd says how a statement ends in success whatever came before it:
// "echo", "printf", "true", ":", "exit 0", "return 0"; else "". A block or
// subshell ends as its last statement does, "a && b" as b.
func quietEnd(s *syntax.Stmt) (kind string, text string) {
	if s == nil || s.Negated {
		return "", ""
	}
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		if len(c.Args) == 0 {
			return "", ""
		}
		switch name := wordText(c.Args[0]); name {
		case "echo", "printf":
			var parts []string
			for _, w := range c.Args[1:] {
				t := wordText(w)
				if name == "echo" && strings.HasPrefix(t, "-") && len(parts) == 0 {
					continue
				}
				parts = append(parts, t)
			}
			return name, strings.Join(parts, " ")
		case "true", ":":
			return name, ""
		case "exit", "return":
			if len(c.Args) == 2 && wordText(c.Args[1]) == "0" {
				return name + " 0", ""
			}
		}
	case *syntax.Block:
		if len(c.Stmts) > 0 {
			return quietEnd(c.Stmts[len(c.Stmts)-1])
		}
	case *syntax.Subshell:
		if len(c.Stmts) > 0 {
			return quietEnd(c.Stmts[len(c.Stmts)-1])
		}
	case *syntax.BinaryCmd:
		if c.Op == syntax.AndStmt || c.Op == syntax.OrStmt {
			return quietEnd(c.Y)
		}
	}
	return "", ""
}

// lastCall is the simple command whose status a statement ends with (the
// right end of a pipeline or list), or nil.
func lastCall(s *syntax.Stmt) *syntax.CallExpr {
	if s == nil {
		return nil
	}
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		return c
	case *syntax.BinaryCmd:
		return lastCall(c.Y)
	case *syntax.Block:
		if len(c.Stmts) > 0 {
			return lastCall(c.Stmts[len(c.Stmts)-1])
		}
	case *syntax.Subshell:
		if len(c.Stmts) > 0 {
			return lastCall(c.Stmts[len(c.Stmts)-1])
		}
	}
	return nil
}

// endsInPipeTo reports whether a statement is a pipeline whose last command
// is one of names, and returns that command's name.
func endsInPipeTo(s *syntax.Stmt, names ...string) (string, bool) {
	b, ok := s.Cmd.(*syntax.BinaryCmd)
	if !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
		return "", false
	}
	c := lastCall(b.Y)
	if c == nil {
		return "", false
	}
	name := callName(c)
	return name, slices.Contains(names, name)
}

// matchesOutput reports whether a text the script prints is caught by a
// fail-if or warn-if expression. A text with expansions cannot be judged
// and counts as caught.
func (l *swallowLint) matchesOutput(text string) bool {
	if strings.ContainsAny(text, "$`") {
		return true
	}
	for _, re := range l.outputRes {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// orList judges "X || Y" where Y ends in success whatever X did.
func (l *swallowLint) orList(b *syntax.BinaryCmd) {
	kind, text := quietEnd(b.Y)
	if kind == "" {
		return
	}
	left := "the command on its left"
	if c := lastCall(b.X); c != nil && callName(c) != "" {
		left = callName(c)
	}
	if l.outputDeclared && (kind != "echo" && kind != "printf" || l.matchesOutput(text)) {
		return
	}
	if (kind == "echo" || kind == "printf") && l.outputDeclared {
		l.warn(b.OpPos, "or", "%q prints %q when %s fails and exits 0, and neither fail-if nor warn-if matches that text: make the fence's fail-if match it, or end the fallback with exit 1 (|| { echo ...; exit 1; })", "|| "+kind, text, left)
		return
	}
	if name, ok := endsInPipeTo(b.X, "grep", "egrep", "fgrep"); ok {
		l.warn(b.OpPos, "or", "\"| %s ... || %s\" exits 0 both when %s finds nothing and when the command before the pipe fails (with pipefail both are exit 1), so a failed check shows as ok: use planner-tui op logs-scan for logs, or drop the \"|| %s\" and let a match or no match decide (ok-exit=1 cannot tell them apart either)", name, kind, name, kind)
		return
	}
	fix := "drop it so that the failure shows"
	switch kind {
	case "echo", "printf":
		fix = "drop it, or end the fallback with exit 1 (|| { echo \"...\"; exit 1; }), or declare the text with fail-if=\"...\" or warn-if=\"...\" on the fence"
	default:
		fix += ", or declare the exit codes that are fine with ok-exit=\"...\" (or a warning with warn-exit=\"...\") on the fence"
	}
	l.warn(b.OpPos, "or", "\"|| %s\" makes the command exit 0 when %s fails, so a failure shows as ok: %s", kind, left, fix)
}

// trailing warns about a script that ends with true, ":" or "exit 0" (or
// an echo) after a command whose status it throws away, and about a final
// "if" whose failure branch ends quietly.
func (l *swallowLint) trailing(stmts []*syntax.Stmt) {
	if len(stmts) == 0 || l.outputDeclared {
		return
	}
	last := stmts[len(stmts)-1]
	if ic, ok := last.Cmd.(*syntax.IfClause); ok {
		l.quietIf(ic)
	}
	if len(stmts) < 2 {
		return
	}
	c, ok := last.Cmd.(*syntax.CallExpr)
	if !ok || len(c.Args) == 0 {
		return
	}
	kind, _ := quietEnd(last)
	if kind == "" {
		return
	}
	// Only after a command whose failure matters: not after an
	// assignment, a loop or an echo.
	pc := lastCall(stmts[len(stmts)-2])
	if pc == nil || len(pc.Args) == 0 || trivial[callName(pc)] {
		return
	}
	l.warn(last.Pos(), "trailing", "the script ends with %q, whose exit status 0 replaces that of the command before it, so a failure shows as ok: remove it (or declare the exit codes that are fine with ok-exit=\"...\")", kind)
}

// trivial commands cannot fail in a way a check cares about.
var trivial = map[string]bool{"echo": true, "printf": true, "true": true, ":": true, "cd": true,
	"export": true, "set": true, "sleep": true, "date": true, "unset": true, "local": true}

// quietIf warns about a final "if CMD; then ...; fi" whose branch taken
// when CMD fails is missing or ends with echo/true: the if exits 0. A test
// ([, [[, test) as the condition is logic, not a check, and is left alone.
func (l *swallowLint) quietIf(ic *syntax.IfClause) {
	if len(ic.Cond) == 0 {
		return
	}
	cond := ic.Cond[len(ic.Cond)-1]
	switch cond.Cmd.(type) {
	case *syntax.TestClause, *syntax.ArithmCmd:
		return
	}
	c := lastCall(cond)
	if c == nil {
		return
	}
	name := callName(c)
	if name == "[" || name == "test" || name == "true" || name == "false" {
		return
	}
	var failBranch []*syntax.Stmt
	hasBranch := false
	switch {
	case cond.Negated:
		failBranch, hasBranch = ic.Then, true
	case ic.Else != nil && !ic.Else.ThenPos.IsValid():
		failBranch, hasBranch = ic.Else.Then, true
	case ic.Else != nil:
		return // elif: too clever to judge
	}
	if !hasBranch {
		l.warn(ic.Pos(), "if", "when %s fails, \"if %s ...; fi\" without an else exits 0, so a failure shows as ok: add \"else echo ... >&2; exit 1\"", name, name)
		return
	}
	if len(failBranch) == 0 {
		return
	}
	if kind, _ := quietEnd(failBranch[len(failBranch)-1]); kind != "" {
		l.warn(ic.Pos(), "if", "when %s fails, the if's branch for it ends with %q and exits 0, so a failure shows as ok: end that branch with exit 1", name, kind)
	}
}

// setFlags warns about "set +e" and "set +o pipefail"; it reports whether
// pipefail was turned off.
func (l *swallowLint) setFlags(c *syntax.CallExpr) (pipefailOff bool) {
	args := c.Args[1:]
	for i, w := range args {
		a := wordText(w)
		switch {
		case a == "+o" && i+1 < len(args) && wordText(args[i+1]) == "pipefail":
			pipefailOff = true
			l.warn(c.Pos(), "set", "\"set +o pipefail\" turns pipefail off: a failure of a command on the left of a pipe no longer fails the step, so it can show as ok: remove it")
		case a == "+o" && i+1 < len(args) && wordText(args[i+1]) == "errexit",
			strings.HasPrefix(a, "+") && !strings.HasPrefix(a, "+o") && strings.Contains(a, "e"):
			if !l.outputDeclared {
				l.warn(c.Pos(), "set", "\"set +e\" says failures are to be ignored; a step's outcome is the exit status of its last command, so a failure before it shows as ok: remove it, join the commands with &&, and declare the exit codes that are fine with ok-exit=\"...\"")
			}
		}
	}
	return pipefailOff
}

// curlArgFlags are curl's short options that take a value: in "-XPOST" or
// "-sSo file" the rest of the word, or the next word, is that value.
const curlArgFlags = "AbcCdDeEFHKmoPQrtTuUwxXyYz"

// curl warns about a curl that exits 0 on an HTTP error (no -f, --fail or
// --fail-with-body) where its status decides the command: not when the
// fence says the output decides, not with -w (the script reads the status
// itself), and not when its body goes through a pipe to grep or jq -e.
func (l *swallowLint) curl(c *syntax.CallExpr, f *syntax.File) {
	if l.outputDeclared || pipedToCheck(f, c) {
		return
	}
	args := c.Args
	for i, w := range args {
		if t := wordText(w); t == "curl" || strings.HasSuffix(t, "/curl") {
			args = args[i+1:]
			break
		}
	}
	writeOut := false
	for i := 0; i < len(args); i++ {
		a := wordText(args[i])
		switch {
		case a == "--fail" || a == "--fail-with-body",
			a == "--version" || a == "--help":
			return
		case a == "--write-out" || strings.HasPrefix(a, "--write-out="):
			writeOut = true
		case strings.HasPrefix(a, "--"):
			// other long options: none of them is --fail
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				r := a[j]
				if r == 'f' || r == 'V' || r == 'h' {
					return
				}
				if r == 'w' {
					writeOut = true
				}
				if strings.IndexByte(curlArgFlags, r) >= 0 {
					if j == len(a)-1 {
						i++ // the value is the next word
					}
					break
				}
			}
		}
	}
	if writeOut {
		// -w '%{http_code}' prints the status; it decides only when the
		// script compares it.
		if statusChecked(f, c) {
			return
		}
		l.warn(c.Pos(), "curl", "curl -w prints the HTTP status but exits 0 on an HTTP error such as 500, and nothing here checks what it printed, so the check passes when the endpoint fails: compare it ([ \"$(curl ... -w '%%{http_code}' ...)\" = 200 ], or pipe it into grep -qx 200), add -f, or say on the fence what output means failed with fail-if=\"...\"")
		return
	}
	l.warn(c.Pos(), "curl", "curl without -f (--fail) exits 0 on an HTTP error such as 401, 404 or 500, so the check passes when the endpoint fails: add -f (as in curl -fsS, or --fail-with-body to see the error's body), or say on the fence what output means failed with fail-if=\"...\"")
}

// pipedToCheck reports whether call c's output goes through a pipe into
// grep (without -v) or jq -e, which then decides from the body.
func pipedToCheck(f *syntax.File, c *syntax.CallExpr) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		b, ok := n.(*syntax.BinaryCmd)
		if found || !ok || (b.Op != syntax.Pipe && b.Op != syntax.PipeAll) {
			return !found
		}
		if !contains(b.X, c) {
			return true
		}
		for _, s := range pipeStmts(b.Y) {
			call, ok := s.Cmd.(*syntax.CallExpr)
			if !ok {
				continue
			}
			switch callName(call) {
			case "grep", "egrep", "fgrep":
				found = !slices.ContainsFunc(call.Args[1:], func(w *syntax.Word) bool {
					a := wordText(w)
					return a == "-v" || a == "--invert-match" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "v")
				})
			case "jq":
				found = slices.ContainsFunc(call.Args[1:], func(w *syntax.Word) bool {
					a := wordText(w)
					return a == "-e" || a == "--exit-status"
				})
			}
		}
		return !found
	})
	return found
}

func pipeStmts(s *syntax.Stmt) []*syntax.Stmt {
	if b, ok := s.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) {
		return append(pipeStmts(b.X), pipeStmts(b.Y)...)
	}
	return []*syntax.Stmt{s}
}

func contains(root syntax.Node, target syntax.Node) bool {
	found := false
	syntax.Walk(root, func(n syntax.Node) bool {
		if n == target {
			found = true
		}
		return !found
	})
	return found
}

// grepExits warns when the fence says exit 1 is fine (ok-exit) or a
// warning (warn-exit) for a script that ends in a pipeline into grep: with
// pipefail the left side's failure is usually exit 1 too, and reads as "no
// match". Without pipefail (set +o pipefail) any pipeline ending in grep,
// tail or head hides the left side's failure.
func (l *swallowLint) grepExits(stmts []*syntax.Stmt, pipefailOff bool) {
	if len(stmts) == 0 {
		return
	}
	last := stmts[len(stmts)-1]
	if pipefailOff {
		if name, ok := endsInPipeTo(last, "grep", "egrep", "fgrep", "tail", "head"); ok {
			l.warn(last.Pos(), "pipe", "without pipefail the pipeline's status is %s's alone, so a failure of the command before the pipe shows as ok: keep pipefail on", name)
		}
		return
	}
	name, ok := endsInPipeTo(last, "grep", "egrep", "fgrep")
	if !ok {
		return
	}
	for _, k := range []string{"ok-exit", "warn-exit"} {
		if slices.Contains(exitList(l.cmd.Attrs[k]), "1") {
			what := "ok"
			if k == "warn-exit" {
				what = "a warning"
			}
			l.warn(last.Pos(), "pipe", "%s=%q counts exit 1 as %s, but in a pipeline into %s exit 1 is both \"no match\" and (with pipefail) a failure of the command before the pipe, so that failure shows as %s: scan logs with planner-tui op logs-scan, or keep the output in a file first (X > f && %s ... f)", k, l.cmd.Attrs[k], what, name, what, name)
		}
	}
}

func exitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// statusChecked reports whether what curl call c prints is compared: c is
// inside a test ([ ], [[ ]], test, case) or in a command substitution
// assigned to a variable that a test or case reads.
func statusChecked(f *syntax.File, c *syntax.CallExpr) bool {
	isTest := func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.TestClause, *syntax.CaseClause:
			return true
		case *syntax.CallExpr:
			if len(n.Args) > 0 {
				name := wordText(n.Args[0])
				return name == "[" || name == "test"
			}
		}
		return false
	}
	var vars []string
	checked := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if checked {
			return false
		}
		if isTest(n) && contains(n, c) {
			checked = true
			return false
		}
		if a, ok := n.(*syntax.Assign); ok && a.Name != nil && a.Value != nil && contains(a.Value, c) {
			vars = append(vars, a.Name.Value)
		}
		return true
	})
	if checked || len(vars) == 0 {
		return checked
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if checked || !isTest(n) {
			return !checked
		}
		syntax.Walk(n, func(m syntax.Node) bool {
			if p, ok := m.(*syntax.ParamExp); ok && p.Param != nil && slices.Contains(vars, p.Param.Value) {
				checked = true
			}
			return !checked
		})
		return false
	})
	return checked
}
