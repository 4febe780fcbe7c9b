package checklist

import (
	"fmt"

	"mvdan.cc/sh/v3/syntax"
)

// lintShadow warns about a step that assigns a variable the front matter
// defines: later steps see the step's value, not the runbook's, so what
// the runbook says they do (and the risk they are judged at, which treats
// such a variable as unknown) is not what they do. Inline assignments
// (X=1 cmd) and local ones last one command and are left alone.
func lintShadow(path string, rb *Runbook) []Problem {
	var probs []Problem
	for _, cmd := range rb.Commands() {
		f, err := parseShell(cmd.Script)
		if err != nil {
			continue // Parse already reported it
		}
		seen := map[string]bool{}
		scriptAssigns(f, func(name string, pos syntax.Pos) {
			v, ok := rb.Vars[name]
			if !ok || seen[name] {
				return
			}
			seen[name] = true
			probs = append(probs, Problem{Path: path, Line: cmd.Line + int(pos.Line()) - 1, Severity: SeverityWarning,
				Message: fmt.Sprintf("command %q assigns $%s, which the front matter defines (%s: %s): later steps see the step's value, not the runbook's, and are judged as if $%s were unknown: give the step's variable another name", cmd.Title, name, name, v, name)})
		})
	}
	return probs
}

// scriptAssigns calls fn for each variable a script assigns so that the
// value outlives the command: plain and exported assignments, read, and
// for loops; not X=1 cmd, local, or a naked export X.
func scriptAssigns(f *syntax.File, fn func(name string, pos syntax.Pos)) {
	warn := fn
	syntax.Walk(f, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.CallExpr:
			if len(n.Args) == 0 {
				for _, a := range n.Assigns {
					if a.Name != nil {
						warn(a.Name.Value, a.Pos())
					}
				}
			} else if wordText(n.Args[0]) == "read" {
				for _, w := range n.Args[1:] {
					if s := wordText(w); syntax.ValidName(s) {
						warn(s, w.Pos())
					}
				}
			}
		case *syntax.DeclClause:
			if n.Variant != nil && n.Variant.Value == "local" {
				return true
			}
			for _, a := range n.Args {
				if a.Name != nil && !a.Naked {
					warn(a.Name.Value, a.Pos())
				}
			}
		case *syntax.ForClause:
			if wi, ok := n.Loop.(*syntax.WordIter); ok && wi.Name != nil {
				warn(wi.Name.Value, wi.Name.Pos())
			}
		}
		return true
	})
}
