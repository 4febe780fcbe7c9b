package checklist

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

var riskNames = [...]string{Safe: "safe", Change: "change", Destructive: "destructive"}

// String returns "safe", "change" or "destructive".
func (r Risk) String() string {
	if r >= Safe && int(r) < len(riskNames) {
		return riskNames[r]
	}
	return fmt.Sprintf("risk(%d)", int(r))
}

// MarshalText writes the risk's name, so JSON holds "destructive", not 2.
func (r Risk) MarshalText() ([]byte, error) {
	if r < Safe || int(r) >= len(riskNames) {
		return nil, fmt.Errorf("unknown risk %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads a risk name (see ParseRisk).
func (r *Risk) UnmarshalText(b []byte) error {
	v, err := ParseRisk(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRisk reads "safe", "change" or "destructive" (any case).
func ParseRisk(s string) (Risk, error) {
	for i, n := range riskNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Risk(i), nil
		}
	}
	return Safe, fmt.Errorf("unknown risk %q (want safe, change or destructive)", s)
}

// Classification is the risk of a script and, for destructive ones, what
// is destroyed and the phrase that must be typed first.
type Classification struct {
	Risk     Risk
	Reason   string
	Confirm  string
	Destroys string
	// Gated says the script changes the database in a way a backup should
	// come before: a migration that changes the schema (alembic upgrade or
	// downgrade, not --sql), or a restore (psql fed a file, pg_restore into
	// a database, planner-tui op restore). GatedBy is the first of them.
	Gated   bool
	GatedBy string
	// StartsApp says the script runs compose up on the host for the whole
	// stack or for the app service (APP_SERVICE): the health gate watches
	// the app after it (ops/healthgate).
	StartsApp bool
}

// finding is what one simple command contributes.
type finding struct {
	risk     Risk
	reason   string // for Safe: a short name of what reads ("df")
	confirm  string
	destroys string
	gated    bool // see Classification.Gated
}

type cctx struct {
	stdin string // "<" redirect target, heredoc or here-string text marker
	piped bool   // stdin comes from a pipe
	where string // "in service db: " for commands inside compose exec
	// noFunc says the command word is not a function (command, builtin).
	noFunc bool
	// env are the command's inline assignments (COMPOSE_PROJECT_NAME=x
	// docker compose down), resolved.
	env map[string]string
}

type classifier struct {
	t     Target
	funcs map[string]bool
	found []finding
	// ph are the script's placeholder names: parseShell masks <name> as
	// _name_, and a word holding one is not known until it is filled.
	ph []string
	// locals are the variables the script sets; pos is the offset of the
	// top-level statement being classified (an inner `bash -c` script runs
	// where its statement stands).
	locals map[string]local
	top    *syntax.File
	pos    uint
	// bodies are the functions whose body reads their arguments ("$@",
	// "$1"): such a body is judged where the function is called, with the
	// call's arguments in params (a call nests depth deep; calls counts
	// them all, so that no script makes judging it explode).
	bodies map[string]funcBody
	params []string
	depth  int
	calls  int
	// cwd is where a cd took the script ("" while in the target's
	// directory); cwdUnknown says why it is not known.
	cwd, cwdUnknown string
	// projectUnknown says why the compose project is not known although
	// the target names one (a step of this run sets COMPOSE_PROJECT_NAME).
	projectUnknown string
	// startsApp: a compose up of the app (Classification.StartsApp).
	startsApp bool
}

// funcBody is a function that reads its arguments; shifts says they are
// shifted or reset (shift, set --), so which is where is not known.
type funcBody struct {
	body   *syntax.Stmt
	shifts bool
}

// Classify decides the risk of a shell script by walking its syntax tree:
// every simple command, in pipelines, lists, subshells and command
// substitutions, counts, and the highest risk wins. A script that does not
// parse is Destructive: its effect cannot be known. A Destructive result
// always has a Confirm phrase.
func Classify(script string, t Target) Classification {
	f, err := parseShell(script)
	if err != nil {
		// A zsh or ksh block (```zsh) need not be bash; judge it as
		// its own shell reads it when bash cannot.
		for _, sh := range []string{"zsh", "ksh"} {
			if g, e := parseShellAs(script, sh); e == nil {
				f, err = g, nil
				break
			}
		}
	}
	if err != nil {
		return Classification{Risk: Destructive,
			Reason:   "could not be parsed as shell: " + err.Error(),
			Confirm:  firstNonEmpty(t.Project, t.Host, "run-unchecked"),
			Destroys: "unknown: the script could not be parsed, so what it does was not checked"}
	}
	// A variable a step of this run set is not the runbook's value: the
	// target's fields that came from it are not known.
	if t.StepSet["DB_NAME"] {
		t.DBName = ""
	}
	if t.StepSet["BACKUP_DIR"] {
		t.BackupDir = ""
	}
	if t.StepSet["HOST"] {
		t.Host = ""
	}
	c := &classifier{t: t, funcs: map[string]bool{}, ph: Placeholders(script), top: f, bodies: map[string]funcBody{}}
	if t.StepSet["COMPOSE_PROJECT_NAME"] {
		c.projectUnknown = "a step of this run sets COMPOSE_PROJECT_NAME"
	}
	c.collectLocals(f)
	c.file(f, cctx{})
	cl := c.result()
	// Name placeholders as the runbook writes them, not as masked for parsing.
	for _, p := range Placeholders(script) {
		r := strings.NewReplacer("_"+p+"_", "<"+p+">")
		cl.Reason, cl.Destroys, cl.Confirm = r.Replace(cl.Reason), r.Replace(cl.Destroys), r.Replace(cl.Confirm)
	}
	return cl
}

// Judge is the risk of a command's script as the runbook marks it: Classify,
// then the fence's risk= (raises the risk; lowers it only below
// Destructive) and confirm= (the phrase). Plans judge the filled script
// with it, so a filled command is never judged below its risk=.
func Judge(script string, attrs map[string]string, t Target) Classification {
	cl := Classify(script, t)
	if want, ok := attrs["risk"]; ok {
		r, err := ParseRisk(want)
		switch {
		case err != nil:
		case r > cl.Risk:
			cl.Reason = fmt.Sprintf("risk=%s in the runbook (the classifier says %s: %s)", r, cl.Risk, cl.Reason)
			cl.Risk = r
		case r < cl.Risk && cl.Risk != Destructive:
			cl.Reason = fmt.Sprintf("risk=%s in the runbook (the classifier says %s: %s)", r, cl.Risk, cl.Reason)
			cl.Risk = r
		}
	}
	if c, ok := attrs["confirm"]; ok {
		cl.Confirm = c
	}
	if cl.Risk == Destructive {
		cl.Confirm = firstNonEmpty(cl.Confirm, t.Project, t.Host, "destroy")
		cl.Destroys = firstNonEmpty(cl.Destroys, "whatever this command changes (marked risk=destructive in the runbook)")
	}
	return cl
}

func (c *classifier) file(f *syntax.File, base cctx) { c.walk(f, base) }

// walk classifies every simple command under root (a script, or the body
// of a function at its call).
func (c *classifier) walk(root syntax.Node, base cctx) {
	piped := map[*syntax.Stmt]bool{}
	syntax.Walk(root, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.FuncDecl:
			if n.Name == nil {
				return true // an anonymous function: its body runs where it stands
			}
			if fb, ok := readsParams(n.Body); ok {
				c.bodies[n.Name.Value] = fb
			}
			c.funcs[n.Name.Value] = false
			// A wrapper like retry() { until "$@"; do ...; } runs its
			// arguments: its calls are classified by what they pass.
			syntax.Walk(n.Body, func(m syntax.Node) bool {
				if call, ok := m.(*syntax.CallExpr); ok && len(call.Args) > 0 && runsArgs(wordText(call.Args[0])) {
					c.funcs[n.Name.Value] = true
				}
				return true
			})
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				piped[n.Y] = true
			}
		}
		return true
	})
	syntax.Walk(root, func(n syntax.Node) bool {
		if fd, ok := n.(*syntax.FuncDecl); ok && fd.Name != nil && c.bodies[fd.Name.Value].body == fd.Body {
			return false // judged where it is called, with its arguments
		}
		st, ok := n.(*syntax.Stmt)
		if !ok {
			return true
		}
		if root == c.top {
			c.pos = uint(st.Pos().Offset())
		}
		ctx := base
		ctx.piped = ctx.piped || piped[st]
		c.redirects(st.Redirs, &ctx)
		if call, ok := st.Cmd.(*syntax.CallExpr); ok && len(call.Args) > 0 {
			var argv []string
			for _, w := range call.Args {
				argv = append(argv, c.substParams(wordText(w))...)
			}
			if len(call.Assigns) > 0 {
				ctx.env = map[string]string{}
				for k, v := range base.env {
					ctx.env[k] = v
				}
				for _, a := range call.Assigns {
					if a.Name != nil {
						ctx.env[a.Name.Value] = c.resolve(wordText(a.Value))
					}
				}
			}
			if len(argv) > 0 {
				c.command(ctx, argv)
			}
		}
		return true
	})
}

// readsParams reports whether a function body reads its arguments.
func readsParams(body *syntax.Stmt) (funcBody, bool) {
	fb := funcBody{body: body}
	reads := false
	syntax.Walk(body, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.ParamExp:
			if n.Param != nil && positionalParam.MatchString("$"+n.Param.Value) {
				reads = true
			}
		case *syntax.CallExpr:
			if len(n.Args) > 0 {
				switch wordText(n.Args[0]) {
				case "shift", "getopts":
					fb.shifts = true
				case "set":
					if len(n.Args) > 1 && wordText(n.Args[1]) == "--" {
						fb.shifts = true
					}
				}
			}
		}
		return true
	})
	return fb, reads
}

// substParams puts a function's arguments in place of "$@", "$*", "$1"...
// while its body is judged at a call; elsewhere a word stays as it is (and
// open finds it unknown).
func (c *classifier) substParams(word string) []string {
	if c.params == nil || !strings.Contains(word, "$") {
		return []string{word}
	}
	switch word {
	case "$@", "${@}", "$*", "${*}":
		return slices.Clone(c.params)
	}
	return []string{positionalParam.ReplaceAllStringFunc(word, func(m string) string {
		name := strings.Trim(m, "${}")
		switch {
		case name == "@" || name == "*":
			return strings.Join(c.params, " ")
		case name == "#":
			return fmt.Sprint(len(c.params))
		}
		i := 0
		if _, err := fmt.Sscan(name, &i); err != nil || len(name) != len(fmt.Sprint(i)) {
			return m // ${1:-x} and the like: left unknown
		}
		if i == 0 {
			return "bash"
		}
		if i <= len(c.params) {
			return c.params[i-1]
		}
		return ""
	})}
}

// callFunc judges a function that reads its arguments at its call, on
// the arguments given.
func (c *classifier) callFunc(ctx cctx, name string, fb funcBody, args []string) {
	c.calls++
	if c.depth >= 8 || c.calls > 256 || fb.shifts {
		why := "calls nest too deep to be judged"
		if fb.shifts {
			why = "shifts its arguments, so which reaches where is not known"
		}
		c.add(Destructive, ctx.where+"function "+name+" "+why, firstNonEmpty(c.t.Project, c.t.Host, "run-unchecked"),
			"unknown: what function "+name+" runs with the arguments "+strings.Join(args, " "))
		return
	}
	saved := c.params
	c.params = args
	if c.params == nil {
		c.params = []string{}
	}
	c.depth++
	c.walk(fb.body, ctx)
	c.depth--
	c.params = saved
}

// redirects records output redirections and notes where stdin comes from.
func (c *classifier) redirects(rs []*syntax.Redirect, ctx *cctx) {
	for _, r := range rs {
		target := wordText(r.Word)
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.RdrAll, syntax.AppAll, syntax.RdrInOut:
			if r.N != nil && r.Op == syntax.RdrOut && strings.HasPrefix(target, "&") {
				continue
			}
			switch target {
			case "/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty":
				continue
			}
			truncating := r.Op != syntax.AppOut && r.Op != syntax.AppAll
			if isEnvFile(target) && truncating {
				c.envRewrite(ctx.where, "overwrites "+target)
				continue
			}
			c.add(Change, ctx.where+"writes "+target, "", "")
		case syntax.RdrIn:
			ctx.stdin = target
		case syntax.Hdoc, syntax.DashHdoc:
			ctx.stdin = "<<" + wordText(r.Hdoc)
		case syntax.WordHdoc:
			ctx.stdin = "<<<" + target
		}
	}
}

func isEnvFile(p string) bool { return path.Base(p) == ".env" }

func (c *classifier) envRewrite(where, what string) {
	p := firstNonEmpty(c.t.Project, ".env")
	c.add(Destructive, where+what+" (secret rotation: the current secrets are lost unless backed up)",
		p, fmt.Sprintf("the current .env of project %s (its secrets and settings)", firstNonEmpty(c.t.Project, "in this directory")))
}

func (c *classifier) add(r Risk, reason, confirm, destroys string) {
	c.found = append(c.found, finding{risk: r, reason: reason, confirm: confirm, destroys: destroys})
}

func (c *classifier) safe(ctx cctx, name string) { c.add(Safe, ctx.where+name, "", "") }

// gate marks the last finding as one the fresh-backup gate applies to.
func (c *classifier) gate() { c.found[len(c.found)-1].gated = true }

// expansion is a named variable ($NAME, ${NAME...}); positional and
// special parameters ("$@" in a wrapper function) are classified where the
// function is called.
var expansion = regexp.MustCompile(`\$(\{[A-Za-z_][^}]*\}|[A-Za-z_][A-Za-z0-9_]*)`)

// positionalParam is "$@", "$*", "$1" and the like: the arguments of the
// script or of a function. A function's are substituted where it is
// called; anywhere else they are unknown.
var positionalParam = regexp.MustCompile(`\$(\{[@*#0-9][^}]*\}|[@*#0-9])`)

// open says what in a word is not known before the command runs: a
// placeholder ("<action>") or a variable that is not a runbook variable
// ("$TOOL"); "" when the word is known.
func (c *classifier) open(word string) string {
	for _, p := range c.ph {
		if strings.Contains(word, "_"+p+"_") {
			return "<" + p + ">"
		}
	}
	if strings.Contains(word, "$(") || strings.Contains(word, "`") {
		return word // a command substitution: known only when it runs
	}
	if m := positionalParam.FindString(word); m != "" {
		return m // "$@", "$1": outside a function call, not known here
	}
	if strings.Contains(word, "$") {
		for _, m := range expansion.FindAllString(word, -1) {
			if strings.Contains(c.resolve(m), "$") {
				return m
			}
		}
	}
	return ""
}

// undecided reports, as Destructive, a word in a position that decides
// what runs (a command name, a subcommand, a flag) that is not known yet:
// the command is judged again when its placeholders are filled, and
// a variable the runbook does not define is never known.
func (c *classifier) undecided(ctx cctx, word string) bool {
	u := c.open(word)
	if u == "" {
		return false
	}
	reason := u + " decides what runs: judged when filled"
	destroys := "unknown until " + u + " is filled (the command is judged again with its value)"
	switch {
	case strings.Contains(u, "$(") || strings.Contains(u, "`"):
		reason = u + " decides what runs and is only known when it runs: it cannot be judged"
		destroys = "unknown: " + u + " decides what runs, and its output is not known before it runs"
	case c.stepSet(u) != "":
		reason = u + " decides what runs and is set by an earlier step of this run (not the runbook's value): it cannot be judged"
		destroys = "unknown: " + u + " decides what runs, and a step of this run set it to a value not known here"
	case positionalParam.MatchString(u):
		reason = u + " (the script's or a function's arguments) decides what runs and is not known here: it cannot be judged"
		destroys = "unknown: " + u + " decides what runs, and its value is not known before it runs"
	case !strings.HasPrefix(u, "<"):
		reason = u + " decides what runs and is not a runbook variable: it cannot be judged"
		destroys = "unknown: " + u + " decides what runs, and its value is not known before it runs"
	}
	c.add(Destructive, ctx.where+reason, firstNonEmpty(c.t.Project, c.t.Host, "run-unchecked"), destroys)
	return true
}

// stepSet is the name of the variable in an expansion ("$TOOL",
// "${TOOL:-x}") when a step of this run sets it, else "".
func (c *classifier) stepSet(exp string) string {
	name := strings.TrimPrefix(strings.TrimPrefix(exp, "$"), "{")
	if i := strings.IndexFunc(name, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}); i >= 0 {
		name = name[:i]
	}
	if _, local := c.locals[name]; !local && c.t.StepSet[name] {
		return name
	}
	return ""
}

// openFlag finds a flag whose name is not known yet ("-<flags>", "--$OPT"):
// it may turn a harmless command into a destructive one (-f, --force).
func (c *classifier) openFlag(args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if u := c.open(name); u != "" && (strings.HasPrefix(name, "$") || strings.HasPrefix(name, "_")) {
			return a
		}
	}
	return ""
}

func (c *classifier) result() Classification {
	if len(c.found) == 0 {
		return Classification{Risk: Safe, Reason: "only sets shell variables"}
	}
	top := Safe
	for _, f := range c.found {
		top = max(top, f.risk)
	}
	var reasons, destroys []string
	cl := Classification{Risk: top}
	for _, f := range c.found {
		if f.risk != top {
			continue
		}
		if !slices.Contains(reasons, f.reason) {
			reasons = append(reasons, f.reason)
		}
		if f.destroys != "" && !slices.Contains(destroys, f.destroys) {
			destroys = append(destroys, f.destroys)
		}
		if cl.Confirm == "" {
			cl.Confirm = f.confirm
		}
	}
	if top == Safe {
		cl.Reason = "reads only: " + strings.Join(reasons, ", ")
	} else {
		if len(reasons) > 3 {
			reasons = append(reasons[:3], fmt.Sprintf("and %d more", len(reasons)-3))
		}
		cl.Reason = strings.Join(reasons, "; ")
	}
	cl.Destroys = strings.Join(destroys, "; ")
	cl.StartsApp = c.startsApp
	for _, f := range c.found {
		if f.gated && !cl.Gated {
			cl.Gated, cl.GatedBy = true, f.reason
		}
	}
	if top == Destructive && cl.Confirm == "" {
		cl.Confirm = firstNonEmpty(c.t.Project, c.t.Host, "destroy")
	}
	return cl
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// resolve replaces the target's variables in a word with their values, so
// that a confirmation phrase is something the operator can type.
func (c *classifier) resolve(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return os.Expand(s, func(name string) string {
		unknown := "${" + name + "}" // stays an expansion
		if l, ok := c.locals[name]; ok {
			// The script sets it itself: its value, when it sets it once
			// to a known value before this command; else unknown, even
			// where the runbook has a variable of that name.
			if l.value != "" && l.known && l.before(c.pos) {
				return l.value
			}
			return unknown
		}
		if c.t.StepSet[name] {
			return unknown // a step of this run set it: the runbook value is stale
		}
		switch t := map[string]string{"DB_NAME": c.t.DBName, "COMPOSE_PROJECT_NAME": c.t.Project,
			"BACKUP_DIR": c.t.BackupDir, "HOST": c.t.Host}[name]; {
		case t != "":
			return t
		}
		if v := strings.TrimSpace(c.t.Vars[name]); v != "" {
			return v
		}
		return unknown
	})
}

// local is a variable the script assigns itself.
type local struct {
	// loop are the values of a for loop's variable over literal words
	// ("for t in a b"): each is known, which one is not.
	loop  []string
	value string
	known bool // assigned exactly once, to a value without unknown expansions
	at    uint // offset of the assigning statement
}

func (l local) before(pos uint) bool { return l.at < pos }

// collectLocals finds the variables a script sets (assignments, export,
// declare, local, readonly, for and read), so that `DC="docker compose";
// $DC down` is judged as a compose down and a runbook variable the script
// reassigns is not taken for its runbook value.
func (c *classifier) collectLocals(f *syntax.File) {
	c.locals = map[string]local{}
	set := func(name, value string, known bool, at uint) {
		if _, seen := c.locals[name]; seen {
			known = false // assigned more than once: which value is unknown
		}
		c.locals[name] = local{value: value, known: known, at: at}
	}
	assigns := func(as []*syntax.Assign, at uint) {
		for _, a := range as {
			if a.Name == nil || a.Naked {
				continue // `export X` keeps X's value
			}
			if a.Value == nil || a.Append || a.Array != nil || a.Index != nil {
				set(a.Name.Value, "", a.Value == nil && !a.Append && a.Array == nil, at)
				continue
			}
			v := c.resolve(wordText(a.Value))
			set(a.Name.Value, v, !strings.ContainsAny(v, "$`"), at)
		}
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			assigns(n.Assigns, uint(n.Pos().Offset()))
		case *syntax.DeclClause:
			assigns(n.Args, uint(n.Pos().Offset()))
		case *syntax.ForClause:
			if wi, ok := n.Loop.(*syntax.WordIter); ok && wi.Name != nil {
				_, twice := c.locals[wi.Name.Value]
				set(wi.Name.Value, "", false, 0)
				var vals []string
				for _, w := range wi.Items {
					if v := wordText(w); literal(v) && !twice {
						vals = append(vals, v)
					} else {
						vals = nil
						break
					}
				}
				if l := c.locals[wi.Name.Value]; len(vals) > 0 {
					l.loop = vals
					c.locals[wi.Name.Value] = l
				}
			}
		}
		return true
	})
	// read X sets X from input: unknown.
	syntax.Walk(f, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok && len(call.Args) > 1 && wordText(call.Args[0]) == "read" {
			for _, w := range call.Args[1:] {
				if name := wordText(w); !strings.HasPrefix(name, "-") {
					set(name, "", false, 0)
				}
			}
		}
		return true
	})
}

// typeable turns a path into a phrase: the path itself when it is plain,
// else its nearest parent directory without expansions or globs.
func (c *classifier) typeable(p string) string {
	p = c.resolve(p)
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if !strings.ContainsAny(part, "$*?[{`") {
			continue
		}
		if slices.Contains(parts[i+1:], "..") {
			return "" // "$X/../etc" is under no directory known here
		}
		p = strings.Join(parts[:i], "/")
		if p == "" && i > 0 {
			p = "/"
		}
		break
	}
	if p == "" {
		return ""
	}
	if p = path.Clean(p); p == "." {
		return ""
	}
	return p
}

// cleanPath is p as path.Clean names it ("/a/b/../../etc" is /etc) when
// it holds no expansion, whose value ".." could not see through.
func cleanPath(p string) string {
	if p == "" || strings.ContainsAny(p, "$`") {
		return p
	}
	return path.Clean(p)
}

func literal(s string) bool { return s != "" && !strings.ContainsAny(s, "$`*?") }

// flags splits args into positional arguments, stopping flag parsing at
// "--". withValue lists flags whose value is the next argument.
func positional(args []string, withValue ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i+1:]...)
		case strings.HasPrefix(a, "-") && a != "-":
			if slices.Contains(withValue, a) {
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// cutCommand returns the first positional argument and everything after
// it: the sub-command of a wrapper like "sudo -u x cmd args".
func cutCommand(args []string, withValue ...string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], args[i+2:]
			}
			return "", nil
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if slices.Contains(withValue, a) {
				i++
			}
		default:
			return a, args[i+1:]
		}
	}
	return "", nil
}

func hasFlag(args []string, names ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if slices.Contains(names, a) {
			return true
		}
		for _, n := range names {
			if strings.HasPrefix(n, "--") && strings.HasPrefix(a, n+"=") {
				return true
			}
		}
	}
	return false
}

// shortFlag reports whether a single-letter flag appears alone or in a
// cluster ("-rf" has r and f).
func shortFlag(args []string, letter byte) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.IndexByte(a[1:], letter) >= 0 {
			return true
		}
	}
	return false
}

func flagValue(args []string, names ...string) (string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, n := range names {
			if a == n && i+1 < len(args) {
				return args[i+1], true
			}
			if strings.HasPrefix(n, "--") && strings.HasPrefix(a, n+"=") {
				return a[len(n)+1:], true
			}
			if !strings.HasPrefix(n, "--") && strings.HasPrefix(a, n) && len(a) > len(n) && !strings.HasPrefix(a, "--") {
				return a[len(n):], true // -Upostgres
			}
		}
	}
	return "", false
}

func flagValues(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		for _, n := range names {
			if args[i] == n && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
				break
			}
			if strings.HasPrefix(n, "--") && strings.HasPrefix(args[i], n+"=") {
				out = append(out, args[i][len(n)+1:])
				break
			}
		}
	}
	return out
}

var safeCommands = map[string]bool{
	"ls": true, "cat": true, "grep": true, "egrep": true, "fgrep": true, "rg": true, "diff": true, "df": true,
	"du": true, "free": true, "head": true, "tail": true, "wc": true, "echo": true, "printf": true, "date": true,
	"sleep": true, "test": true, "[": true, "true": true, "false": true, ":": true, "pwd": true, "whoami": true,
	"id": true, "hostname": true, "uname": true, "uptime": true, "ps": true, "stat": true, "file": true,
	"which": true, "type": true, "printenv": true, "sort": true, "uniq": true, "cut": true,
	"tr": true, "jq": true, "less": true, "more": true, "sha256sum": true, "sha1sum": true, "md5sum": true,
	"base64": true, "basename": true, "dirname": true, "realpath": true, "readlink": true, "nproc": true,
	"lscpu": true, "lsblk": true, "ss": true, "netstat": true, "ping": true, "dig": true, "nslookup": true,
	"host": true, "tree": true, "column": true, "xxd": true, "od": true, "strings": true, "zcat": true,
	"zgrep": true, "seq": true, "yes": true, "cd": true, "read": true, "set": true, "unset": true, "trap": true,
	"exit": true, "return": true, "shift": true, "wait": true, "local": true, "alias": true, "top": true,
	"htop": true, "vmstat": true, "iostat": true, "lsof": true, "getent": true, "journalctl": true,
	"nc": true, "timedatectl": true, "findmnt": true, "env": true, "cmp": true, "comm": true,
	"tac": true, "rev": true, "nl": true, "fold": true, "expr": true, "bc": true, "numfmt": true, "shuf": true,
	"watch": true, "logger": true, "tput": true, "clear": true, "break": true, "continue": true,
	"pgrep": true, "w": true, "who": true, "last": true, "ip": true, "mktemp": true,
}

// shadows are the tools a function may be named after to wrap them.
var shadows = map[string]bool{"docker": true, "docker-compose": true, "podman-compose": true, "psql": true,
	"pg_restore": true, "pg_dump": true, "alembic": true, "git": true, "rm": true, "find": true, "kill": true,
	"systemctl": true, "service": true, "redis-cli": true, "planner-tui": true, "dropdb": true, "curl": true}

// riskyWords in the arguments of a command the classifier does not know
// make it Destructive rather than a mere Change: "$COMPOSE down" is down.
var riskyWords = []string{"down", "prune", "rm", "rmi", "downgrade", "restore", "drop", "dropdb", "delete",
	"destroy", "purge", "truncate", "wipe", "flushall", "flushdb", "kill"}

// command classifies one simple command given as words.
func (c *classifier) command(ctx cctx, argv []string) {
	if len(argv) == 0 || argv[0] == "" {
		return
	}
	noFunc := ctx.noFunc
	ctx.noFunc = false
	for i := 1; i < len(argv); i++ {
		// "docker-compose $ACTION" with ACTION a runbook variable is judged
		// on its value; "$BACKUP_DIR/x" stays as written (phrases resolve it).
		if whole := expansion.FindString(argv[i]); whole == argv[i] && c.open(whole) == "" && !runsArgs(whole) {
			argv = slices.Clone(argv)
			argv[i] = c.resolve(whole)
		}
	}
	raw := argv[0]
	if strings.Contains(raw, "$") && !runsArgs(raw) && c.open(raw) == "" {
		// "$TOOL" with TOOL a runbook variable: judge what it names.
		if r := c.resolve(raw); !strings.Contains(r, "$") {
			if words := strings.Fields(r); len(words) > 0 {
				c.command(ctx, append(words, argv[1:]...))
				return
			}
		}
	}
	name := path.Base(raw)
	args := argv[1:]
	inFunc := ctx.where == "" && !noFunc // a function of this shell can run
	if fb, ok := c.bodies[raw]; ok && inFunc {
		c.callFunc(ctx, raw, fb, args)
		if !shadows[raw] {
			return
		}
		// A function named after a tool (alembic() { ...; }) is judged as
		// that tool as well: the runbook means it as one.
	}
	// $EDITOR and a $...COMPOSE... variable are taken for what they are
	// named after, unless a step of this run set them.
	named := c.stepSet(raw) == "" && (strings.HasPrefix(raw, "$EDITOR") || strings.HasPrefix(raw, "${EDITOR") ||
		strings.HasPrefix(raw, "$VISUAL") || strings.HasPrefix(raw, "${VISUAL") ||
		strings.HasPrefix(raw, "$") && strings.Contains(strings.ToUpper(raw), "COMPOSE"))
	if _, fn := c.funcs[raw]; (!fn || !inFunc) && !named && c.undecided(ctx, raw) {
		return
	}
	if f := c.openFlag(args); f != "" && !safeCommands[name] {
		c.undecided(ctx, f)
		return
	}
	if wraps, ok := c.funcs[raw]; ok && inFunc {
		if wraps && len(args) > 0 {
			c.command(ctx, args)
			return
		}
		c.safe(ctx, "function "+raw+" (its body is classified)")
		if !shadows[raw] {
			return
		}
		// alembic() { docker-compose exec app alembic "$@"; } wraps the
		// tool it is named after: its calls are judged as the tool's.
	}
	switch {
	case strings.HasPrefix(raw, "$EDITOR") || strings.HasPrefix(raw, "${EDITOR") ||
		strings.HasPrefix(raw, "$VISUAL") || strings.HasPrefix(raw, "${VISUAL") || editors[name]:
		c.add(Change, ctx.where+"opens "+strings.Join(positional(args), " ")+" in an editor", "", "")
		return
	case strings.HasPrefix(raw, "$") && strings.Contains(strings.ToUpper(raw), "COMPOSE"):
		c.compose(ctx, args)
		return
	case strings.HasPrefix(name, "mkfs"):
		dev := lastOf(positional(args))
		c.add(Destructive, ctx.where+name+" formats "+dev, firstNonEmpty(dev, c.t.Host, "format"), "everything on "+firstNonEmpty(dev, "the device"))
		return
	case name == "python" || strings.HasPrefix(name, "python3") || name == "python2":
		c.python(ctx, args)
		return
	}
	switch name {
	case "sudo":
		cmd, rest := cutCommand(args, "-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-D")
		if cmd == "" {
			if hasFlag(args, "-s", "-i", "--shell", "--login") {
				c.add(Change, ctx.where+"sudo starts a root shell", "", "")
			} else {
				c.safe(ctx, "sudo "+strings.Join(args, " "))
			}
			return
		}
		c.command(ctx, prepend(cmd, rest))
	case "env":
		i := 0
		env := map[string]string{}
		for k, v := range ctx.env {
			env[k] = v
		}
		for i < len(args) && (strings.HasPrefix(args[i], "-") || strings.Contains(args[i], "=")) {
			if (args[i] == "-S" || args[i] == "--split-string") && i+1 < len(args) {
				// env -S 'cmd args': the string is split into the command.
				c.inner(ctx, "env -S", strings.Join(append([]string{args[i+1]}, args[i+2:]...), " "))
				return
			}
			if k, v, ok := strings.Cut(args[i], "="); ok && !strings.HasPrefix(args[i], "-") {
				env[k] = c.resolve(v)
			}
			if args[i] == "-u" || args[i] == "-C" {
				i++
			}
			i++
		}
		ctx.env = env
		if i < len(args) {
			c.command(ctx, args[i:])
		} else {
			c.safe(ctx, "env")
		}
	case "nohup", "time", "exec", "builtin", "stdbuf", "nice", "ionice", "chronic", "unbuffer":
		cmd, rest := cutCommand(args, "-n", "-c", "-i", "-o", "-e", "-p")
		ctx.noFunc = name == "builtin"
		c.command(ctx, prepend(cmd, rest))
	case "setsid", "doas", "runuser":
		cmd, rest := cutCommand(args, "-u", "-C", "-g", "-G", "-w")
		if code, ok := flagValue(args, "-c", "--command"); ok && name == "runuser" {
			c.inner(ctx, "runuser -c", code)
			return
		}
		if cmd != "" && name == "runuser" && len(rest) > 0 && !hasFlag(args, "-u", "--user") {
			cmd, rest = firstOf(rest), rest[1:] // runuser USER cmd
		}
		c.command(ctx, prepend(cmd, rest))
	case "flock":
		// flock [opts] FILE cmd..., or flock FILE -c 'script'.
		if code, ok := flagValue(args, "-c", "--command"); ok {
			c.inner(ctx, "flock -c", code)
			return
		}
		_, rest := cutCommand(args, "-w", "--timeout", "-E", "--conflict-exit-code")
		if cmd, rest := cutCommand(rest); cmd != "" {
			c.command(ctx, prepend(cmd, rest))
			return
		}
		c.safe(ctx, "flock")
	case "command":
		if hasFlag(args, "-v", "-V") {
			c.safe(ctx, "command -v")
			return
		}
		cmd, rest := cutCommand(args)
		ctx.noFunc = true // command skips functions
		c.command(ctx, prepend(cmd, rest))
	case "timeout":
		pos := 0
		for pos < len(args) && strings.HasPrefix(args[pos], "-") {
			if args[pos] == "-s" || args[pos] == "-k" || args[pos] == "--signal" || args[pos] == "--kill-after" {
				pos++
			}
			pos++
		}
		if pos+1 < len(args) {
			c.command(ctx, args[pos+1:])
		}
	case "watch":
		cmd, rest := cutCommand(args, "-n", "--interval", "-d")
		if cmd != "" {
			c.command(ctx, prepend(cmd, rest))
		}
	case "xargs":
		cmd, rest := cutCommand(args, "-I", "-n", "-P", "-d", "-L", "-s", "-a", "-E", "-i",
			"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-lines", "--max-chars", "--replace", "--eof")
		if cmd == "" {
			c.safe(ctx, "xargs echo")
			return
		}
		c.xargs(ctx, cmd, rest)
	case "trap":
		// trap 'script' EXIT runs the script when the shell exits.
		if len(args) >= 2 && !strings.HasPrefix(args[0], "-") {
			c.inner(ctx, "trap", args[0])
			return
		}
		c.safe(ctx, "trap")
	case "eval":
		c.inner(ctx, "eval", strings.Join(args, " "))
	case "su":
		if code, ok := flagValue(args, "-c", "--command"); ok {
			c.inner(ctx, "su -c", code)
			return
		}
		c.add(Change, ctx.where+"su starts a shell as "+firstNonEmpty(lastOf(positional(args, "-s", "--shell", "-g", "--group", "-w")), "root"), "", "")
	case "ssh":
		c.ssh(ctx, args)
	case "perl":
		c.perl(ctx, args)
	case "bash", "sh", "zsh", "dash", "ksh":
		if code, ok := flagValue(args, "-c"); ok {
			c.inner(ctx, name+" -c", code)
			return
		}
		if p := positional(args); len(p) > 0 {
			c.add(Change, ctx.where+"runs the script "+p[0]+" (not checked)", "", "")
			return
		}
		c.add(Change, ctx.where+"starts an interactive shell", "", "")
	case "cd":
		c.cd(ctx, args)
		c.safe(ctx, "cd")
	case "source", ".":
		c.add(Change, ctx.where+"runs "+strings.Join(args, " ")+" in this shell (not checked)", "", "")
	case "docker":
		c.docker(ctx, args)
	case "docker-compose", "podman-compose":
		c.compose(ctx, args)
	case "psql":
		c.psql(ctx, args)
	case "pg_restore":
		c.pgRestore(ctx, args)
	case "pg_dump", "pg_dumpall", "pg_basebackup":
		if f, ok := flagValue(args, "-f", "--file"); ok {
			c.add(Change, ctx.where+name+" writes "+f, "", "")
			return
		}
		c.safe(ctx, name)
	case "dropdb", "dropuser":
		what := firstNonEmpty(lastLiteral(positional(args, "-U", "--username", "-h", "--host", "-p", "--port")), c.t.DBName, "drop")
		kind := map[string]string{"dropdb": "database", "dropuser": "role"}[name]
		c.add(Destructive, ctx.where+name+" deletes the "+kind+" "+what, what, fmt.Sprintf("the %s %s and everything in it", kind, what))
	case "createdb", "createuser":
		c.add(Change, ctx.where+name, "", "")
	case "pg_isready":
		c.safe(ctx, name)
	case "alembic":
		c.alembic(ctx, args)
	case "git":
		c.git(ctx, args)
	case "rm", "rmdir", "unlink", "shred", "srm":
		c.rm(ctx, name, args)
	case "find":
		c.find(ctx, args)
	case "kill", "pkill", "killall":
		if hasFlag(args, "-0") {
			c.safe(ctx, name+" -0")
			return
		}
		who := strings.Join(positional(args, "-s", "-n", "-u", "-signal"), " ")
		c.add(Destructive, ctx.where+name+" stops processes "+who, firstNonEmpty(c.t.Host, name), "the processes "+firstNonEmpty(who, "named")+", and any work they had in progress")
	case "systemctl", "service":
		c.systemctl(ctx, name, args)
	case "reboot", "shutdown", "halt", "poweroff":
		h := firstNonEmpty(c.t.Host, "this host")
		c.add(Destructive, ctx.where+name+" takes the host down", firstNonEmpty(c.t.Host, name), "everything running on "+h+" (it goes down)")
	case "wipefs", "fdisk", "sfdisk", "parted", "sgdisk":
		if name == "fdisk" && hasFlag(args, "-l") {
			c.safe(ctx, "fdisk -l")
			return
		}
		dev := lastOf(positional(args))
		c.add(Destructive, ctx.where+name+" rewrites the partitions of "+dev, firstNonEmpty(dev, c.t.Host, name), "everything on "+firstNonEmpty(dev, "the disk"))
	case "dd":
		for _, a := range args {
			if strings.HasPrefix(a, "of=") {
				of := cleanPath(c.resolve(a[3:]))
				c.add(Destructive, ctx.where+"dd overwrites "+of, firstNonEmpty(c.typeable(of), c.t.Host, "dd"), "the contents of "+of+" (overwritten)")
				return
			}
		}
		c.safe(ctx, "dd")
	case "truncate":
		files := positional(args, "-s", "--size", "-r", "--reference")
		shown := make([]string, len(files))
		for i, p := range files {
			shown[i] = cleanPath(c.resolve(p))
		}
		f := strings.Join(shown, " ")
		c.add(Destructive, ctx.where+"truncate cuts "+f, firstNonEmpty(c.typeable(firstOf(files)), "truncate"), "the contents of "+f)
	case "sed":
		c.sed(ctx, args)
	case "cp", "mv", "install", "ln", "rsync":
		c.copy(ctx, name, args)
	case "tee":
		files := positional(args)
		if len(files) == 0 {
			c.safe(ctx, "tee")
			return
		}
		appendMode := shortFlag(args, 'a') || hasFlag(args, "--append")
		for _, f := range files {
			if isEnvFile(f) && !appendMode {
				c.envRewrite(ctx.where, "tee overwrites "+f)
				return
			}
		}
		c.add(Change, ctx.where+"writes "+strings.Join(files, " "), "", "")
	case "touch", "mkdir", "chmod", "chown", "chgrp", "gzip", "gunzip", "bzip2", "xz", "zip", "unzip",
		"ssh-keygen", "htpasswd", "setfacl", "logrotate", "crontab", "apt", "apt-get", "pip", "pip3",
		"useradd", "usermod", "passwd", "chpasswd", "ufw", "iptables", "scp", "make", "npm", "certbot":
		if name == "crontab" && hasFlag(args, "-r") {
			c.add(Destructive, ctx.where+"crontab -r deletes the crontab", firstNonEmpty(c.t.Host, "crontab"), "the whole crontab of the user")
			return
		}
		if name == "crontab" && hasFlag(args, "-l") {
			c.safe(ctx, "crontab -l")
			return
		}
		c.add(Change, ctx.where+name+" "+strings.Join(positional(args), " "), "", "")
	case "tar":
		if shortFlag(args, 't') || hasFlag(args, "--list") || (len(args) > 0 && !strings.HasPrefix(args[0], "-") && strings.Contains(args[0], "t")) {
			c.safe(ctx, "tar list")
			return
		}
		c.add(Change, ctx.where+"tar writes files", "", "")
	case "openssl":
		if _, ok := flagValue(args, "-out"); ok {
			c.add(Change, ctx.where+"openssl writes a file", "", "")
			return
		}
		c.safe(ctx, "openssl")
	case "curl":
		c.curl(ctx, args)
	case "wget":
		if hasFlag(args, "--spider") {
			c.safe(ctx, "wget --spider")
			return
		}
		out, _ := flagValue(args, "--output-document")
		for i, a := range args {
			if len(a) > 1 && a[0] == '-' && a[1] != '-' {
				if k := strings.IndexByte(a, 'O'); k > 0 {
					out = a[k+1:]
					if out == "" && i+1 < len(args) {
						out = args[i+1]
					}
				}
			}
		}
		if out == "-" || out == "/dev/null" {
			c.safe(ctx, "wget to stdout")
			return
		}
		c.add(Change, ctx.where+"wget downloads a file", "", "")
	case "redis-cli":
		c.redis(ctx, args)
	case "planner-tui":
		c.plannerTUI(ctx, args)
	case "awk", "gawk", "mawk", "nawk":
		// awk reads, unless its program runs commands or writes files.
		for i, a := range args {
			if (a == "-i" || a == "--include") && i+1 < len(args) && args[i+1] == "inplace" {
				// gawk -i inplace edits its files, as sed -i does.
				files := positional(args[i+2:], "-v", "-f", "-F")
				c.inPlaceEdit(ctx, name+" -i inplace", files[min(1, len(files)):], strings.Join(args, " "))
				return
			}
			if strings.Contains(a, "system(") || strings.ContainsAny(a, ">|") {
				c.add(Change, ctx.where+name+" program runs commands or writes files", "", "")
				return
			}
		}
		c.safe(ctx, name)
	default:
		if safeCommands[name] {
			c.safe(ctx, name)
			return
		}
		for _, a := range args {
			// An unknown command's arguments decide its risk ("down"): one
			// not filled yet is judged when it is.
			if u := c.open(a); strings.HasPrefix(u, "<") {
				c.undecided(ctx, a)
				return
			}
			if slices.Contains(riskyWords, strings.ToLower(a)) {
				c.add(Destructive, fmt.Sprintf("%sunknown command %s with the argument %q", ctx.where, raw, a),
					firstNonEmpty(c.t.Project, c.t.Host, strings.ToLower(a)),
					fmt.Sprintf("unknown: %s %s may destroy data", raw, a))
				return
			}
		}
		c.add(Change, ctx.where+"unknown command "+raw, "", "")
	}
}

// inner judges a script given as a string (bash -c, eval, trap, su -c)
// where it stands.
func (c *classifier) inner(ctx cctx, what, code string) {
	f, err := parseShell(code)
	if err != nil {
		c.add(Destructive, ctx.where+what+" script could not be parsed", firstNonEmpty(c.t.Project, c.t.Host, "run-unchecked"), "unknown: the inner script could not be checked")
		return
	}
	c.file(f, ctx)
}

func runsArgs(word string) bool {
	switch word {
	case "$@", "$*", "$1", "${@}", "${1}":
		return true
	}
	return false
}

func prepend(cmd string, rest []string) []string {
	if cmd == "" {
		return nil
	}
	return append([]string{cmd}, rest...)
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func lastOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func lastLiteral(s []string) string {
	if l := lastOf(s); literal(l) {
		return l
	}
	return ""
}
