package mask

import (
	"bytes"
	"regexp"
	"strings"
)

// Rules mask secrets whose value nobody told us: a step's login prints a
// fresh access token, a tool echoes an Authorization header. They match
// the shape around the value and mask the value only, so the output still
// says what it was: `"access_token":"***"`, `Authorization: Bearer ***`
// (or Basic ***),
// `password=***`, `postgres://planner:***@db/planner`.
//
// Every rule is line-local (no match spans a line break), and each has a
// tail pattern that matches, at the end of the text seen so far, anything
// that may still grow into a match: a Writer holds that back (at most
// holdCap bytes) until the line goes on, so a token split across reads is
// still caught.
type rule struct {
	re   *regexp.Regexp // group 1 is the secret
	tail *regexp.Regexp // an unfinished match at the end ($)
	// long: the unfinished match is one long word (a JWT) that is held
	// back past maxWord: its shape already says it is a token.
	long bool
}

// holdCap bounds what a rule makes a Writer hold back of an unfinished
// line. A secret value longer than this, split across reads, may leak its
// start; tokens are far shorter.
const holdCap = 16 << 10

// secretField is a JSON or form field name that holds a secret: it ends in
// token, password, passwd, secret, api_key/apikey, private_key, access_key
// (any case, camelCase too). "token_type" or "password_changed_at" do not
// end so and are left alone.
const secretField = `[A-Za-z0-9_.\-]*(?i:token|password|passwd|secret|api_?key|private_?key|access_?key)`

// formField is secretField in lower case only: forms and query strings
// are written so, and an upper-case KEY=... is a shell or .env assignment
// (`sed "s/^SECRET_KEY=.*/..."` in a command must stay readable; .env
// values are masked by value anyway).
//
// It starts with a letter or '_': a word of digits at the end of a read
// (seq, a progress count) is then not held back as a possible field name.
const formField = `(?:[a-z_][a-z0-9_.\-]*)?(?:token|password|passwd|secret|api_?key|private_?key|access_?key)`

// tokenChars are the characters of a bearer token (RFC 6750 b64token).
const tokenChars = `[A-Za-z0-9\-._~+/]`

var rules = []rule{
	{
		// "access_token": "value" (escapes kept inside the value).
		re:   regexp.MustCompile(`"` + secretField + `"\s*:\s*"((?:[^"\\\n]|\\.)+)"`),
		tail: regexp.MustCompile(`"(?:[A-Za-z0-9_.\-]*|` + secretField + `"\s*(?::\s*(?:"(?:[^"\\\n]|\\.)*\\?)?)?)$`),
	},
	{
		// The same inside a double-quoted shell string or a JSON string:
		// echo "{\"access_token\":\"xyz\"}".
		re:   regexp.MustCompile(`\\"` + secretField + `\\"\s*:\s*\\"([^"\\\n]+)\\"`),
		tail: regexp.MustCompile(`\\(?:"[A-Za-z0-9_.\-]*|"` + secretField + `(?:\\"?\s*(?::\s*(?:\\(?:"[^"\\\n]*\\?)?)?)?)?)?$`),
	},
	{
		// Authorization: Bearer xyz, or Bearer xyz anywhere.
		re:   regexp.MustCompile(`(?i)\bbearer[ \t]+(` + tokenChars + `{4,}=*)`),
		tail: regexp.MustCompile(`(?i)\b(?:` + prefixes("bearer") + `|bearer(?:[ \t]+` + tokenChars + `*=*)?)$`),
	},
	{
		// Authorization: Basic dXNlcjpwYXNz (curl -v prints it).
		re: regexp.MustCompile(`(?i)\bauthorization:[ \t]*basic[ \t]+([A-Za-z0-9+/]{4,}=*)`),
		tail: regexp.MustCompile(`(?i)\b(?:` + prefixes("authorization") + `|authorization(?::[ \t]*(?:` + prefixes("basic") +
			`|basic(?:[ \t]+[A-Za-z0-9+/]*=*)?)?)?)$`),
	},
	{
		// password=xyz&..., access_token=xyz in a query string or form.
		re:   regexp.MustCompile(`\b` + formField + `=([^&\s"'<>]+)`),
		tail: regexp.MustCompile(`\b(?:[a-z_][a-z0-9_.\-]*|` + formField + `=[^&\s"'<>]*)$`),
	},
	{
		// The password in a URL: postgres://planner:pw@db/x, redis://:pw@redis.
		re:   regexp.MustCompile(`\b[a-z][a-z0-9+.\-]*://[^:@/\s"']*:([^@/\s"']+)@`),
		tail: regexp.MustCompile(`\b[a-z][a-z0-9+.\-]*(?::(?:/(?:/[^:@/\s"']*(?::[^@/\s"']*)?)?)?)?$`),
	},
	{
		// A bare JWT (a token printed alone, in a header other than
		// Authorization, in a log line): base64url of a JSON header, which
		// always starts `{"` = "eyJ", a payload and a signature, with
		// lengths no word or path in ordinary output has.
		re:   regexp.MustCompile(`(?:^|[^A-Za-z0-9_\-])(eyJ` + b64url + `{10,}\.` + b64url + `{10,}\.` + b64url + `{16,})`),
		tail: regexp.MustCompile(`(?:^|[^A-Za-z0-9_\-])(?:ey?|eyJ` + b64url + `*(?:\.` + b64url + `*(?:\.` + b64url + `*)?)?)$`),
		long: true,
	},
}

// b64url is a character of base64url (RFC 4648 §5), a JWT's alphabet.
const b64url = `[A-Za-z0-9_\-]`

// prefixes is a regexp alternation of the non-empty proper prefixes of
// word.
func prefixes(word string) string {
	var alts []string
	for i := 1; i < len(word); i++ {
		alts = append(alts, regexp.QuoteMeta(word[:i]))
	}
	return strings.Join(alts, "|")
}

// maxWord is the longest field name (or word that may become one) held
// back at the end of the output: a longer word is not held.
const maxWord = 80

// ruleSpans appends the secret parts of rule matches in b. The regular
// expressions run only on the lines that hold a trigger word.
func ruleSpans(b []byte, dst []span) []span {
	for from := 0; from < len(b); {
		i := nextTrigger(b, from)
		if i < 0 {
			break
		}
		start := bytes.LastIndexByte(b[:i], '\n') + 1
		end := bytes.IndexByte(b[i:], '\n')
		if end < 0 {
			end = len(b)
		} else {
			end += i
		}
		line := b[start:end]
		for _, r := range rules {
			// Matches may overlap, like the literal patterns': which
			// quote opens a field must not depend on where a read began.
			for off := 0; off < len(line); {
				m := r.re.FindSubmatchIndex(line[off:])
				if m == nil {
					break
				}
				if m[2] >= 0 && m[3] > m[2] {
					dst = append(dst, span{start + off + m[2], start + off + m[3]})
				}
				off += m[0] + 1
			}
		}
		from = end + 1
	}
	return dst
}

// ruleAnchor returns the start of the earliest rule match in b that ends
// after cut (len(b) if none): a Writer keeps b from there, so that the
// match is found again, the same, when the rest of its line is decided.
// (A field name can be longer than the context a Writer keeps.)
func ruleAnchor(b []byte, cut int) int {
	ls := bytes.LastIndexByte(b[:cut], '\n') + 1
	anchor := len(b)
	if nextTrigger(b, ls) < 0 {
		return anchor
	}
	line := b[ls:]
	for _, r := range rules {
		for off := 0; off < len(line); {
			m := r.re.FindSubmatchIndex(line[off:])
			if m == nil || ls+off+m[0] >= anchor {
				break
			}
			if ls+off+m[1] > cut {
				anchor = ls + off + m[0]
				break
			}
			off += m[0] + 1
		}
	}
	return anchor
}

// ruleHold returns where an unfinished rule match may start in b, looking
// only after from and at most holdCap bytes back; len(b) if none.
func ruleHold(b []byte, from int) int {
	from = max(from, len(b)-holdCap)
	hold := len(b)
	for _, r := range rules {
		loc := r.tail.FindIndex(b[from:])
		if loc == nil || from+loc[0] >= hold {
			continue
		}
		// A long word that is not (yet) a field: not worth holding.
		if m := b[from+loc[0]:]; !r.long && len(m) > maxWord+1 && !bytes.ContainsAny(m, "=:") {
			continue
		}
		hold = from + loc[0]
	}
	return hold
}

// triggers are the words every rule match contains, lower case; a match
// of the JSON or form rule ends its field name with one, the bearer rule
// starts with one, a URL has "://", Basic credentials follow
// "Authorization". A JWT starts with "eyJ" (in that case): it is looked
// for with bytes.Index, not in the byte loop, where 'e', the commonest
// letter, would cost every scan.
var triggers = []string{"token", "passw", "secret", "key", "bearer", "://", "authorization"}

const jwtTrigger = "eyJ"

// triggerFirst maps the first letter of each trigger, in both cases, to
// its index in triggers plus one (the first letters differ).
var triggerFirst = func() (t [256]uint8) {
	for i, w := range triggers {
		t[w[0]] = uint8(i + 1)
		t[w[0]-0x20] = uint8(i + 1)
	}
	return t
}()

// mayHaveRuleMatch is a quick scan for the trigger words in any case, so
// that ordinary output skips the regular expressions.
func mayHaveRuleMatch(b []byte) bool { return nextTrigger(b, 0) >= 0 }

// nextTrigger returns the index of the first trigger word in b[from:], or
// -1.
func nextTrigger(b []byte, from int) int {
	i := nextWord(b, from)
	// An "eyJ" before the word found (or before the end); the search is
	// bounded by it, so repeated calls stay linear.
	if j := bytes.Index(b[from:min(i+len(jwtTrigger)-1, len(b))], []byte(jwtTrigger)); j >= 0 {
		return from + j
	}
	if i == len(b) {
		return -1
	}
	return i
}

// nextWord returns the index of the first trigger word of triggers in
// b[from:], or len(b).
func nextWord(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if t := triggerFirst[b[i]]; t != 0 && hasFold(b[i:], triggers[t-1]) {
			return i
		}
	}
	return len(b)
}

// hasFold reports whether b starts with the lower-case ASCII word, in any
// case.
func hasFold(b []byte, word string) bool {
	if len(b) < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if b[i]|0x20 != word[i] {
			return false
		}
	}
	return true
}
