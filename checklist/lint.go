package checklist

import (
	"fmt"
	"sort"
	"strings"
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// String formats a problem the way compilers do: "file:line: message" for
// errors, "file:line: warning: message" for warnings.
func (p Problem) String() string {
	if p.Severity == SeverityWarning {
		return fmt.Sprintf("%s:%d: warning: %s", p.Path, p.Line, p.Message)
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message)
}

// wellKnownEnv are variables a command may read from the operator's
// environment without any runbook command setting them.
var wellKnownEnv = map[string]bool{"HOME": true, "USER": true, "PATH": true, "EDITOR": true, "VISUAL": true,
	"SHELL": true, "TERM": true, "LANG": true, "TZ": true, "LOGNAME": true, "TMPDIR": true, "PAGER": true}

// Lint returns every problem of a runbook, parse errors included, sorted by
// line. A runbook that cannot be parsed at all gets its error at line 1.
func Lint(path string, src []byte) []Problem {
	rb, probs, err := Parse(path, src)
	if err != nil {
		probs = append(probs, Problem{Path: path, Line: 1, Severity: Error, Message: trimPath(path, err.Error())})
	}
	if rb != nil {
		probs = append(probs, lintDuplicateHeadings(path, rb)...)
		probs = append(probs, lintTickedInDocument(path, rb)...)
		set := map[string]bool{}
		for k := range rb.Vars {
			set[k] = true
		}
		for _, cmd := range rb.Commands() {
			for _, u := range cmd.Uses {
				// planner-tui gives every step PLANNER_TUI_* (state dir, run,
				// job dir, the effective variables).
				if !set[u] && !wellKnownEnv[u] && !strings.HasPrefix(u, "PLANNER_TUI_") {
					probs = append(probs, Problem{Path: path, Line: cmd.Line, Severity: SeverityWarning,
						Message: fmt.Sprintf("command %q uses $%s, which no earlier command and no front matter variable sets", cmd.Title, u)})
				}
			}
			for _, s := range cmd.Sets {
				set[s] = true
			}
		}
		probs = append(probs, lintSwallow(path, rb)...)
		probs = append(probs, lintShadow(path, rb)...)
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	return probs
}

func trimPath(path, msg string) string {
	if len(msg) > len(path)+2 && msg[:len(path)+2] == path+": " {
		return msg[len(path)+2:]
	}
	return msg
}
