package checklist

import (
	"strconv"
	"strings"
	"unicode"
)

// maxSlug is the longest slug, before a "-2" duplicate suffix.
const maxSlug = 48

// Slug turns a title into an id part: lowercase ASCII letters and digits,
// every run of other characters a single "-", no "-" at either end, at most
// 48 characters (cut at a "-" when there is one to cut at).
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > maxSlug {
		out = out[:maxSlug]
		if i := strings.LastIndexByte(out, '-'); i > maxSlug/2 {
			out = out[:i]
		}
		out = strings.Trim(out, "-")
	}
	return out
}

// githubAnchor is the anchor GitHub gives a heading: lowercase; letters,
// digits, spaces, hyphens and underscores kept, everything else dropped;
// spaces become hyphens. Duplicates are handled by anchorSet.
func githubAnchor(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// uniqueNames hands out names that are unique within one scope, adding a
// suffix to repeats: GitHub style ("x", "x-1", "x-2") for anchors, or
// "x", "x-2", "x-3" for ids.
type uniqueNames struct {
	used  map[string]bool
	count map[string]int
	first int // suffix of the first repeat: 1 for anchors, 2 for ids
}

func newUniqueNames(first int) *uniqueNames {
	return &uniqueNames{used: map[string]bool{}, count: map[string]int{}, first: first}
}

// reserve marks name as taken without handing it out (explicit ids).
func (u *uniqueNames) reserve(name string) { u.used[name] = true }

func (u *uniqueNames) take(base string) string {
	if !u.used[base] {
		u.used[base] = true
		return base
	}
	n := u.count[base]
	if n < u.first {
		n = u.first
	}
	for {
		cand := base + "-" + strconv.Itoa(n)
		n++
		if !u.used[cand] {
			u.count[base] = n
			u.used[cand] = true
			return cand
		}
	}
}
