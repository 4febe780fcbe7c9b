// Package envfile reads docker compose style .env files, tells which keys
// hold secrets, and compares a .env with its .env.example.
//
// Supported syntax (the subset of docker compose's .env rules a
// deployment's .env uses): KEY=VALUE lines, an optional leading `export `,
// blank lines, `#` comment lines, single-quoted values (literal, may span
// lines), double-quoted values (may span lines; escapes \n \r \t \" \\ \$),
// unquoted values (trimmed; a `#` preceded by a space or tab starts a
// comment). Variable references like ${X} are kept as written: compose
// would interpolate them, this package does not.
package envfile

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// File is a parsed .env file. Vars keep the order of the file, duplicates
// included.
type File struct {
	Path string
	Vars []Var
}

// Var is one KEY=VALUE assignment; Line is where it starts (1-based).
type Var struct {
	Key, Value string
	Line       int
}

var keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// Load reads and parses the file at path. A missing file gives an error
// wrapping fs.ErrNotExist.
func Load(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return Parse(path, src)
}

// Parse parses src; path is used in error messages ("path:line: ...").
func Parse(path string, src []byte) (*File, error) {
	text := strings.TrimPrefix(string(src), "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	f := &File{Path: path}
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		fail := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %s", path, lineNo, fmt.Sprintf(format, a...))
		}
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export"); ok && (strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "\t")) {
			line = strings.TrimSpace(rest)
		}
		key, val, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok {
			if keyRE.MatchString(key) {
				return nil, fail("%s has no value: write %s= for an empty value", key, key)
			}
			return nil, fail("expected KEY=VALUE, got %q", line)
		}
		if !keyRE.MatchString(key) {
			return nil, fail("invalid variable name %q", key)
		}
		val = strings.TrimLeft(val, " \t")
		var value string
		switch {
		case strings.HasPrefix(val, "'") || strings.HasPrefix(val, `"`):
			q := val[0]
			body := val[1:]
			// A quoted value may continue over the following lines.
			for {
				end := closingQuote(body, q)
				if end >= 0 {
					after := strings.TrimSpace(body[end+1:])
					if after != "" && !strings.HasPrefix(after, "#") {
						return nil, fail("unexpected %q after the closing quote of %s", after, key)
					}
					body = body[:end]
					break
				}
				if i+1 >= len(lines) {
					return nil, fail("unterminated %c quote in the value of %s", q, key)
				}
				i++
				body += "\n" + lines[i]
			}
			if q == '"' {
				value = unescapeDouble(body)
			} else {
				value = body
			}
		default:
			value = stripInlineComment(val)
		}
		f.Vars = append(f.Vars, Var{Key: key, Value: value, Line: lineNo})
	}
	return f, nil
}

// closingQuote finds the closing quote q in s; in double quotes a
// backslash escapes the next character.
func closingQuote(s string, q byte) int {
	for i := 0; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

func unescapeDouble(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '"', '\\', '$':
			b.WriteByte(s[i])
		default: // unknown escape: kept as written
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// stripInlineComment cuts an unquoted value at " #" or "\t#" and trims it.
func stripInlineComment(v string) string {
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && (v[i-1] == ' ' || v[i-1] == '\t') {
			v = v[:i]
			break
		}
	}
	if strings.HasPrefix(v, "#") { // "KEY= # comment" after TrimLeft
		return ""
	}
	return strings.TrimSpace(v)
}

// Map returns the variables by key; a later duplicate wins, as in compose.
func (f *File) Map() map[string]string {
	m := make(map[string]string, len(f.Vars))
	for _, v := range f.Vars {
		m[v.Key] = v.Value
	}
	return m
}

// IsSecretKey reports whether a variable with this name holds a secret:
// names containing PASSWORD, PASSWD, SECRET, TOKEN, CREDENTIAL or APIKEY,
// names ending in _KEY or _PASS or _PWD, and API_KEY... (case-insensitive).
// Names ending in _FILE or _PATH point at a secret and are not one.
func IsSecretKey(key string) bool {
	k := strings.ToUpper(key)
	if strings.HasSuffix(k, "_FILE") || strings.HasSuffix(k, "_PATH") {
		return false
	}
	for _, s := range []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY", "API_KEY", "PRIVATE_KEY"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	for _, s := range []string{"_KEY", "_PASS", "_PWD"} {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return k == "KEY" || k == "PASS"
}

var urlPasswordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s]*:([^@/\s]+)@`)

// Secrets returns the non-empty values of secret keys, plus the password
// part of any value that is a URL with credentials
// (DATABASE_URL=postgres://user:pw@db/x gives "pw"), in file order without
// duplicates.
func (f *File) Secrets() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, v := range f.Vars {
		if IsSecretKey(v.Key) {
			add(v.Value)
		}
		if m := urlPasswordRE.FindStringSubmatch(v.Value); m != nil {
			add(m[1])
		}
	}
	return out
}

// Difference is a key present in only one of .env and .env.example.
type Difference struct {
	Key       string
	InExample bool
	InEnv     bool
}

// Diff lists the keys that are in example but not in env, or in env but not
// in example, sorted by key. A nil file counts as empty.
func Diff(env, example *File) []Difference {
	keys := func(f *File) map[string]bool {
		m := map[string]bool{}
		if f != nil {
			for _, v := range f.Vars {
				m[v.Key] = true
			}
		}
		return m
	}
	e, x := keys(env), keys(example)
	var out []Difference
	for k := range x {
		if !e[k] {
			out = append(out, Difference{Key: k, InExample: true})
		}
	}
	for k := range e {
		if !x[k] {
			out = append(out, Difference{Key: k, InEnv: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
