package doctor

import (
	"fmt"
	"strconv"
	"strings"
)

// VersionKey is the runbook front matter key that asks for a planner-tui
// version: `planner-tui: ">= 0.5"` (comma-separated constraints, each
// >=, >, <=, <, = or == and a version; a bare version means >=).
const VersionKey = "planner-tui"

// Version compares this planner-tui's version with what the runbook's
// front matter asks for (want; "" when it asks for nothing).
func Version(have, want string) Check {
	const name = "version"
	want = strings.TrimSpace(want)
	if want == "" {
		return ok(name, "planner-tui "+have+"; the runbook asks for no version (front matter key "+VersionKey+")")
	}
	cons, err := parseConstraints(want)
	if err != nil {
		return warn(name, fmt.Sprintf("the runbook's %s: %q: %v", VersionKey, want, err), `write it like ">= 0.5" or ">= 0.5, < 2"`)
	}
	v, err := parseVersion(have)
	if err != nil {
		return warn(name, fmt.Sprintf("planner-tui %s cannot be compared with the runbook's %q", have, want),
			"install a released planner-tui (see the README: Install on a production host)")
	}
	for _, c := range cons {
		if !c.allows(v) {
			return fail(name, fmt.Sprintf("planner-tui %s, the runbook asks for %s", have, want),
				"install a planner-tui that satisfies "+want+" (see the README: Install on a production host)")
		}
	}
	return ok(name, fmt.Sprintf("planner-tui %s satisfies the runbook's %s", have, want))
}

type constraint struct {
	op string
	v  [3]int
}

func (c constraint) allows(v [3]int) bool {
	d := compare(v, c.v)
	switch c.op {
	case ">":
		return d > 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case "=", "==":
		return d == 0
	default: // ">="
		return d >= 0
	}
}

func parseConstraints(s string) ([]constraint, error) {
	var out []constraint
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		op := ">="
		for _, o := range []string{">=", "<=", "==", ">", "<", "="} {
			if strings.HasPrefix(part, o) {
				op, part = o, strings.TrimSpace(part[len(o):])
				break
			}
		}
		v, err := parseVersion(part)
		if err != nil {
			return nil, err
		}
		out = append(out, constraint{op: op, v: v})
	}
	return out, nil
}

// parseVersion reads MAJOR[.MINOR[.PATCH]] after an optional "v", ignoring
// what follows (git describe's "-3-gabc123-dirty"). "dev" is an error.
func parseVersion(s string) ([3]int, error) {
	var v [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+ "); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return v, fmt.Errorf("%q is not a version", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("%q is not a version", s)
		}
		v[i] = n
	}
	return v, nil
}

func compare(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
