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
	// Problems are the lines that could not be parsed, in file order. They
	// do not stop the parse: every other line is still read (and its
	// secret, if any, still masked).
	Problems []Problem
	// Recovered are best guesses at the assignments on bad lines (the rest
	// of the line after an unterminated quote, the value before junk after
	// a closing quote). They are never settings; Secrets includes those of
	// secret-looking keys, so that a typo does not reveal a password.
	Recovered []Var
}

// Var is one KEY=VALUE assignment; Line is where it starts (1-based).
type Var struct {
	Key, Value string
	Line       int
}

// Problem is a line of a .env file that is not a valid assignment.
type Problem struct {
	Path    string
	Line    int
	Message string
}

// String is "path:line: message".
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Message) }

var keyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// conventionalKeyRE is what a variable name on its own looks like: a bare
// word of another shape is quoted in no problem, as it may be a stray line
// of a secret.
var conventionalKeyRE = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// Load reads and parses the file at path. A missing file gives an error
// wrapping fs.ErrNotExist. Bad lines are not an error: they are in
// File.Problems.
func Load(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return Parse(path, src), nil
}

// Parse parses src; path is used in the problems ("path:line: ..."). It
// keeps every line it can parse and lists the others in Problems.
func Parse(path string, src []byte) *File {
	text := strings.TrimPrefix(string(src), "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	f := &File{Path: path}
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		problem := func(format string, a ...any) {
			f.Problems = append(f.Problems, Problem{Path: path, Line: lineNo, Message: fmt.Sprintf(format, a...)})
		}
		salvage := func(key, value string) {
			if value != "" {
				f.Recovered = append(f.Recovered, Var{Key: key, Value: value, Line: lineNo})
			}
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
			if conventionalKeyRE.MatchString(key) {
				problem("%s has no value: write %s= for an empty value", key, key)
				continue
			}
			// The line is not quoted back: it may be a secret (a wrapped
			// value whose quote was lost).
			problem("expected KEY=VALUE, got a line without \"=\" (%d characters, not shown)", len(line))
			// "POSTGRES_PASSWORD hunter2", "DB_PASSWORD: x": a secret
			// meant as a value all the same.
			if k, v, ok := strings.Cut(strings.Replace(line, ":", " ", 1), " "); ok && IsSecretKey(k) {
				salvage(k, strings.TrimSpace(v))
			}
			continue
		}
		val = strings.TrimLeft(val, " \t")
		if !keyRE.MatchString(key) {
			problem("invalid variable name %q", key)
			if words := strings.Fields(key); len(words) > 0 && IsSecretKey(words[len(words)-1]) {
				salvage(words[len(words)-1], strings.TrimSpace(val))
			}
			continue
		}
		var value string
		switch {
		case strings.HasPrefix(val, "'") || strings.HasPrefix(val, `"`):
			q := val[0]
			body := val[1:]
			// A quoted value may continue over the following lines.
			j := i
			bad := false
			for {
				end := closingQuote(body, q)
				if end >= 0 {
					after := strings.TrimSpace(body[end+1:])
					if after != "" && !strings.HasPrefix(after, "#") {
						// Not quoted back: it may be the rest of the secret.
						problem("unexpected text after the closing quote of %s", key)
						salvage(key, unquote(body[:end], q))
						salvage(key, strings.TrimSpace(val))
						bad = true
					}
					body = body[:end]
					break
				}
				if j+1 >= len(lines) {
					problem("unterminated %c quote in the value of %s", q, key)
					// The lines after it are read on their own: most
					// likely the quote was never meant to span them.
					// The rest of this line is the best guess at the value.
					salvage(key, unquote(strings.TrimSpace(val[1:]), q))
					// A multi-line value (a key file) that lost its
					// closing quote: its other lines are secret too.
					salvage(key, unquote(strings.TrimSpace(body), q))
					bad = true
					break
				}
				j++
				body += "\n" + lines[j]
			}
			if bad {
				continue
			}
			i = j
			value = unquote(body, q)
		default:
			value = stripInlineComment(val)
		}
		f.Vars = append(f.Vars, Var{Key: key, Value: value, Line: lineNo})
	}
	return f
}

func unquote(body string, q byte) string {
	if q == '"' {
		return unescapeDouble(body)
	}
	return body
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
// duplicates; then the same from the values recovered from bad lines.
func (f *File) Secrets() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, v := range append(f.Vars[:len(f.Vars):len(f.Vars)], f.Recovered...) {
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
