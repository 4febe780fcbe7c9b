package mask

import "bytes"

// Tools wrap base64 at a fixed width: GNU base64 at 76 columns, openssl and
// PEM at 64. A secret's base64 (alone or inside a larger blob) then may
// straddle a line break, where the plain search cannot see it.
// wrappedSpans joins the lines of such blocks and searches them again.

// wrapWidths are the line widths of wrapped base64.
var wrapWidths = [...]int{76, 64}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func allB64(b []byte) bool {
	for _, c := range b {
		if !isB64(c) {
			return false
		}
	}
	return len(b) > 0
}

// fullWidth reports whether a base64 line has a wrapping tool's width, so
// the next line may continue it. A line cut at its start counts as full
// whatever its length: a Writer's buffer may start inside a line it wrote.
func fullWidth(line []byte, first bool) bool {
	if first {
		return true
	}
	for _, w := range wrapWidths {
		if len(line) == w {
			return true
		}
	}
	return false
}

// wrappedSpans appends the matches of the patterns that straddle a line
// break inside a block of wrapped base64 lines (every line but the last
// full width). A match covers the line breaks inside it.
// midLine says b starts inside a line.
func (m *Masker) wrappedSpans(b []byte, midLine bool, dst []span) []span {
	if len(m.patterns) == 0 || bytes.IndexByte(b, '\n') < 0 {
		return dst
	}
	var joined []byte
	var pos []int // pos[i] is the offset in b of joined[i]
	lines := 0
	search := func() {
		if lines >= 2 {
			for _, p := range m.patterns {
				for off := 0; off+len(p) <= len(joined); {
					i := bytes.Index(joined[off:], p)
					if i < 0 {
						break
					}
					s, e := pos[off+i], pos[off+i+len(p)-1]+1
					if e-s > len(p) { // it straddles a line break
						dst = append(dst, span{s, e})
					}
					off += i + 1
				}
			}
		}
		joined, pos, lines = joined[:0], pos[:0], 0
	}
	open := false // the last line joined was full width: the block goes on
	for start := 0; start < len(b); {
		end := bytes.IndexByte(b[start:], '\n')
		if end < 0 {
			end = len(b)
		} else {
			end += start
		}
		line := b[start:end]
		switch ok := allB64(line); {
		case ok && open:
			open = fullWidth(line, false)
		case ok && fullWidth(line, start == 0 && midLine):
			search()
			open = true
		default:
			search()
			open = false
			start = end + 1
			continue
		}
		joined = append(joined, line...)
		for i := range line {
			pos = append(pos, start+i)
		}
		lines++
		if !open {
			search()
		}
		start = end + 1
	}
	search()
	return dst
}

// wrapHold returns where a Writer must hold back from when the output it
// would write (b[:cut]) ends in a full-width base64 line: the secret's
// base64 may go on in the next line. cut otherwise.
func (m *Masker) wrapHold(b []byte, midLine bool, cut int) int {
	if cut == 0 || b[cut-1] != '\n' || m.maxLen == 0 {
		return cut
	}
	start := bytes.LastIndexByte(b[:cut-1], '\n') + 1
	if line := b[start : cut-1]; allB64(line) && fullWidth(line, start == 0 && midLine) {
		return max(cut-m.maxLen, 0)
	}
	return cut
}
