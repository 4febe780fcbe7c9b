// Package mask replaces secret values in text and in output streams with
// "***". Besides the literal value it catches the encodings a secret
// usually travels in: URL-encoded (passwords inside DSNs), JSON-escaped,
// and base64 (standard and URL alphabets, including the 1- and 2-byte
// shifted forms that appear when the secret sits inside a larger base64
// blob). Multi-line secrets are also registered line by line.
//
// Base64 wrapped at 76 columns (as `base64` prints it) or 64 (openssl) is
// searched with its line breaks taken out (wrapped.go), so a secret's
// base64 that straddles a line break is masked too, alone or inside a
// larger blob (`base64 .env`).
//
// Besides the given values, rules (rules.go) mask secrets nobody named:
// the values of JSON and form fields named like secrets (access_token,
// password, client_secret, api_key...) and bearer tokens.
//
// Overlapping or adjacent matches are merged and replaced by a single
// "***", so a secret is never partly revealed by a neighbouring match.
package mask

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Replacement is what every masked region becomes.
const Replacement = "***"

// MinLen is the shortest value (and derived pattern) that is masked: shorter
// values would mask ordinary words and digits all over the output.
const MinLen = 4

// Masker holds the patterns to mask. It is immutable after New and safe for
// concurrent use; Writers made from it are not.
type Masker struct {
	patterns [][]byte // distinct, longest first
	maxLen   int
	// breaks are the bytes no pattern contains (of '\n' and '\r'): no
	// secret spans them, so a Writer need not hold back output that ends
	// in one.
	breaks string
}

// New builds a Masker for the given secret values. Values shorter than
// MinLen bytes are ignored; a multi-line value is registered whole and line
// by line.
func New(secrets []string) *Masker {
	seen := map[string]bool{}
	var pats [][]byte
	add := func(p string) {
		if len(p) < MinLen || seen[p] {
			return
		}
		seen[p] = true
		pats = append(pats, []byte(p))
	}
	for _, s := range secrets {
		// A value read from a file often ends in a newline that is not
		// part of what gets printed.
		s = strings.TrimRight(s, "\r\n")
		values := []string{s}
		if strings.ContainsAny(s, "\r\n") {
			for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
				values = append(values, strings.TrimRight(line, "\r"), strings.TrimSpace(line))
			}
		}
		for _, v := range values {
			if len(v) < MinLen {
				continue
			}
			for _, form := range forms(v) {
				add(form)
			}
		}
	}
	sort.SliceStable(pats, func(i, j int) bool { return len(pats[i]) > len(pats[j]) })
	m := &Masker{patterns: pats}
	if len(pats) > 0 {
		m.maxLen = len(pats[0])
	}
	for _, c := range []byte{'\n', '\r'} {
		if !slices.ContainsFunc(pats, func(p []byte) bool { return bytes.IndexByte(p, c) >= 0 }) {
			m.breaks += string(c)
		}
	}
	return m
}

// forms lists the literal value and its common encodings.
func forms(v string) []string {
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	// JSON string escaping, with and without HTML escaping of <, >, &.
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		b := bytes.TrimSpace(buf.Bytes())
		out = append(out, string(b[1:len(b)-1]))
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		out = append(out, e.EncodeToString([]byte(v))) // the value encoded alone, padded
		raw := e.WithPadding(base64.NoPadding)
		for shift := 0; shift < 3; shift++ {
			out = append(out, base64Core(raw, []byte(v), shift))
		}
	}
	return out
}

// base64Core returns the base64 characters that depend only on the secret's
// bytes when the secret starts shift bytes after a 3-byte group boundary of
// a larger encoded blob: the substring any such blob must contain.
func base64Core(enc *base64.Encoding, v []byte, shift int) string {
	in := make([]byte, shift+len(v))
	copy(in[shift:], v)
	s := enc.EncodeToString(in)
	first := (8*shift + 5) / 6       // first char whose 6 bits all lie in the secret
	last := (8*(shift+len(v)))/6 - 1 // last such char
	if last < first || last >= len(s) {
		return ""
	}
	return s[first : last+1]
}

// Empty reports whether no secret values are known (the rules still
// apply, except on a nil Masker, which masks nothing).
func (m *Masker) Empty() bool { return m == nil || len(m.patterns) == 0 }

// String returns s with every secret replaced.
func (m *Masker) String(s string) string {
	if m == nil {
		return s
	}
	spans := m.find([]byte(s), false, nil)
	if len(spans) == 0 {
		return s
	}
	return string(render(nil, []byte(s), spans, 0, len(s), false))
}

// Bytes returns b with every secret replaced. It returns b itself when
// nothing matched.
func (m *Masker) Bytes(b []byte) []byte {
	if m == nil {
		return b
	}
	spans := m.find(b, false, nil)
	if len(spans) == 0 {
		return b
	}
	return render(nil, b, spans, 0, len(b), false)
}

// span is a half-open byte range [start, end) to mask.
type span struct{ start, end int }

// find returns the merged, sorted ranges of b covered by any pattern.
// midLine says b starts inside a line. dst is reused when it has capacity.
func (m *Masker) find(b []byte, midLine bool, dst []span) []span {
	dst = dst[:0]
	for _, p := range m.patterns {
		for off := 0; off+len(p) <= len(b); {
			i := bytes.Index(b[off:], p)
			if i < 0 {
				break
			}
			dst = append(dst, span{off + i, off + i + len(p)})
			off += i + 1
		}
	}
	dst = m.wrappedSpans(b, midLine, dst)
	dst = ruleSpans(b, dst)
	if len(dst) < 2 {
		return dst
	}
	sort.Slice(dst, func(i, j int) bool { return dst[i].start < dst[j].start })
	merged := dst[:1]
	for _, s := range dst[1:] {
		last := &merged[len(merged)-1]
		if s.start <= last.end { // overlapping or adjacent: one mask
			if s.end > last.end {
				last.end = s.end
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// render appends b[from:to] to dst with the spans replaced. If afterMask is
// true the previous output ended in a mask, and a span starting at from
// does not add a second "***".
func render(dst, b []byte, spans []span, from, to int, afterMask bool) []byte {
	pos := from
	for _, s := range spans {
		if s.end <= from || s.start >= to {
			continue
		}
		start, end := max(s.start, from), min(s.end, to)
		dst = append(dst, b[pos:start]...)
		if !(start == from && afterMask) {
			dst = append(dst, Replacement...)
		}
		pos = end
	}
	return append(dst, b[pos:to]...)
}
