package backup

import (
	"bytes"
	"sort"
	"strings"
)

// copyCounter counts the data lines of each `COPY table (...) FROM stdin;`
// block of a plain dump as the dump streams past (it is an io.Writer fed
// from the same reads that go to psql): nothing is held but the start of the
// current line, so a dump of any size costs a few bytes of memory.
type copyCounter struct {
	counts map[string]int64
	order  []string // tables in dump order
	inCopy bool
	table  string
	line   []byte // the start of the current line (capped, see Write)
}

// copyHeadCap is how much of a line outside a COPY block is kept: enough
// for "COPY " and any qualified table name (identifiers are at most 63
// bytes, quoted ones at most twice that).
const copyHeadCap = 512

func newCopyCounter() *copyCounter { return &copyCounter{counts: map[string]int64{}} }

func (c *copyCounter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		keep := copyHeadCap
		if c.inCopy {
			keep = 3 // a data line only matters if it is the `\.` end marker
		}
		i := bytes.IndexByte(p, '\n')
		seg := p
		if i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		if room := keep - len(c.line); room > 0 {
			c.line = append(c.line, seg[:min(room, len(seg))]...)
		}
		if i < 0 {
			break
		}
		c.endLine()
		c.line = c.line[:0]
	}
	return n, nil
}

func (c *copyCounter) endLine() {
	line := bytes.TrimSuffix(c.line, []byte("\r"))
	if c.inCopy {
		if string(line) == `\.` {
			c.inCopy = false
			return
		}
		c.counts[c.table]++
		return
	}
	if rest, ok := bytes.CutPrefix(line, []byte("COPY ")); ok {
		if name := qualifiedName(rest); name != "" {
			c.inCopy, c.table = true, name
			if _, seen := c.counts[name]; !seen {
				c.counts[name] = 0
				c.order = append(c.order, name)
			}
		}
	}
}

// qualifiedName reads a possibly quoted, possibly schema-qualified name
// (public."Odd Name") from the start of s, as pg_dump writes it, and
// returns it verbatim (fit to be put back into SQL), or "" when s does not
// start with one.
func qualifiedName(s []byte) string {
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			i++
			for {
				if i >= len(s) {
					return "" // unterminated quote (or cut by the cap)
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
		} else {
			start := i
			for i < len(s) && (s[i] == '_' || s[i] == '$' || s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 0x80) {
				i++
			}
			if i == start {
				return ""
			}
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if i < len(s) && s[i] != ' ' {
			return ""
		}
		return string(s[:i])
	}
}

// largest returns up to n tables with the most rows, most first (ties in
// dump order).
func (c *copyCounter) largest(n int) []string {
	t := append([]string(nil), c.order...)
	sort.SliceStable(t, func(i, j int) bool { return c.counts[t[i]] > c.counts[t[j]] })
	return t[:min(n, len(t))]
}

// displayName drops the public schema and the quotes of a simple name, so
// "public.users" and `public."users"` read as users (the name in
// CRITICAL_TABLES).
func displayName(q string) string {
	q = strings.TrimPrefix(q, "public.")
	if len(q) > 2 && q[0] == '"' && q[len(q)-1] == '"' && !strings.ContainsAny(q[1:len(q)-1], `".`) {
		return q[1 : len(q)-1]
	}
	return q
}
