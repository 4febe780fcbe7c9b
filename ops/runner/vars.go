package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"planner-tui/ops/mask"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// varsEnd ends a complete variables dump written by the wrapper; a dump
// without it was cut short (bash killed while writing) and is not used.
const varsEnd = "# planner-tui: end of variables\n"

// shellQuote quotes s for bash as one word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// wrapperScript is what bash runs (-c). The user's script arrives on fd 3
// and is sourced from there, so it runs in this shell (its variables are
// visible to the EXIT trap) with the semantics of lines pasted into a
// terminal; `exit N` ends the job with N. While it runs, fd 3 is closed
// and stdin is that exhausted pipe, which reads as end of file like
// /dev/null. With a vars file, the secret variables arrive on fd 4 (sourced
// after the file, then closed) and the variables are dumped with declare -p
// to fd 5 (moved to a high fd first, out of the script's way), both memory
// files (see secretvars.go): both by the EXIT trap (exit, set -e, signals
// bash survives) and after the script (in case the script replaced the
// trap). With shell set, that shell runs the script instead of source:
// it reads it from /dev/fd/3 with stdin at end of file, and gets the
// variables as environment.
func wrapperScript(varsFile string, names []string, shell string) string {
	var b strings.Builder
	b.WriteString("set -o pipefail\nset --\n")
	if varsFile != "" {
		// Without names, `declare -p` would dump every variable, the
		// environment and bash's read-only ones included.
		dump := ":"
		if len(names) > 0 {
			dump = "builtin declare -p " + strings.Join(names, " ") + " 2>/dev/null"
		}
		b.WriteString("exec {__planner_tui_dump}>&5 5>&-\n")
		fmt.Fprintf(&b, "__planner_tui_save() {\n\tlocal __planner_tui_s=$?\n"+
			"\t{ %s; builtin printf '%%s' %s; } >| /dev/fd/$__planner_tui_dump 2>/dev/null\n"+
			"\treturn $__planner_tui_s\n}\n",
			dump, shellQuote(varsEnd))
		b.WriteString("trap __planner_tui_save EXIT\n")
		fmt.Fprintf(&b, "if [[ -f %[1]s ]]; then builtin source %[1]s; fi\n", shellQuote(varsFile))
		b.WriteString("builtin source /dev/fd/4; exec 4<&-\n")
	}
	if shell == "" {
		b.WriteString("builtin source /dev/stdin 0<&3 3<&-\n")
	} else {
		if len(names) > 0 {
			b.WriteString("builtin export -- " + strings.Join(names, " ") + " 2>/dev/null\n")
		}
		// pipefail when the shell has it (zsh, ksh; not dash).
		fmt.Fprintf(&b, "if %[1]s -o pipefail -c : 2>/dev/null </dev/null; then %[1]s -o pipefail /dev/fd/3 0</dev/null; else %[1]s /dev/fd/3 0</dev/null; fi\n", shellQuote(shell))
	}
	if varsFile != "" {
		b.WriteString("__planner_tui_save\n")
	}
	return b.String()
}

// varNames returns the names to dump: those already in the vars file, then
// sets, without duplicates.
func varNames(existing []byte, sets []string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	decls, err := parseDecls(existing)
	if err != nil {
		return nil, err
	}
	for _, d := range decls {
		add(d.name)
	}
	for _, n := range sets {
		if !nameRE.MatchString(n) {
			return nil, fmt.Errorf("sets: %q is not a shell variable name", n)
		}
		add(n)
	}
	return names, nil
}

type decl struct {
	name, value string
	flags       string // "--", "-x", "-a"...
	stmt        string // the statement as bash printed it
}

var declFlagsRE = regexp.MustCompile(`^declare\s+(-\S*)\s`)

// parseDecls parses `declare -p` output.
func parseDecls(src []byte) ([]decl, error) {
	if len(bytes.TrimSpace(src)) == 0 {
		return nil, nil
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(bytes.NewReader(src), "")
	if err != nil {
		return nil, err
	}
	var out []decl
	for _, st := range f.Stmts {
		dc, ok := st.Cmd.(*syntax.DeclClause)
		if !ok {
			return nil, fmt.Errorf("line %d: not a declare line", st.Pos().Line())
		}
		for _, a := range dc.Args {
			if a.Name == nil {
				continue // an option such as -x
			}
			d := decl{name: a.Name.Value, stmt: string(src[st.Pos().Offset():st.End().Offset()]), flags: "--"}
			if m := declFlagsRE.FindStringSubmatch(d.stmt); m != nil {
				d.flags = m[1]
			}
			switch {
			case a.Array != nil:
				d.value = string(src[a.Array.Lparen.Offset() : a.Array.Rparen.Offset()+1])
			case a.Value != nil:
				v, err := expand.Literal(nil, a.Value)
				if err != nil {
					return nil, fmt.Errorf("line %d: %s: %w", st.Pos().Line(), d.name, err)
				}
				d.value = v
			case a.Naked:
				continue // declared without a value
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// ReadVars reads a variables file (declare -p lines) into name -> value:
// the plain value for a scalar, the declare -p text after '=' for an array,
// "***" for a secret one (a marker line, see secretvars.go). A missing
// file gives an empty map.
func ReadVars(varsFile string) (map[string]string, error) {
	src, err := os.ReadFile(varsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	decls, err := parseDecls(src)
	if err != nil {
		return nil, fmt.Errorf("variables %s: %w", varsFile, err)
	}
	m := make(map[string]string, len(decls))
	for _, d := range decls {
		m[d.name] = d.value
	}
	for _, r := range parseSecretRefs(src) {
		m[r.name] = mask.Replacement
	}
	return m, nil
}
