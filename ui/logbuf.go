package ui

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

const (
	// logCap is how many lines the screen keeps per command; the full output
	// is in the step's log file.
	logCap = 5000
	// maxLineBytes bounds one kept line so the ring stays small whatever the
	// command prints (5000 × 2 KiB = 10 MiB at worst).
	maxLineBytes = 2048
	// logFrame is the least time between two redraws caused by output: the
	// screen shows frames, not lines (30 per second keeps the bytes written
	// to the terminal far below the bytes the command prints).
	logFrame = 33 * time.Millisecond
)

// LogBuffer is the io.Writer a running command's output goes to. It splits
// the bytes into sanitized lines and keeps the last logCap of them in a ring.
// Write never blocks on the UI: it takes a mutex for a few microseconds and
// pokes a channel without waiting.
type LogBuffer struct {
	mu       sync.Mutex
	ring     []string
	start    int    // index of the oldest line in ring
	n        int    // lines in ring
	total    int64  // complete lines ever appended
	pending  []byte // raw bytes written and not yet split into lines
	partial  []byte
	overflow bool // the current partial line was cut at maxLineBytes
	closed   bool

	notify chan struct{} // cap 1: "something new"
	done   chan struct{} // closed by Close
	last   time.Time     // when the reader last delivered a frame (reader goroutine only)
}

// NewLogBuffer returns an empty buffer keeping at most capLines lines.
func NewLogBuffer(capLines int) *LogBuffer {
	if capLines <= 0 {
		capLines = logCap
	}
	return &LogBuffer{
		ring:   make([]string, capLines),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
}

// pendingMax bounds the raw bytes a Write leaves for the next reader: past
// it, Write processes them itself.
const pendingMax = 1 << 20

// Write implements io.Writer. It always consumes all of p. It only copies
// p: the lines are split and sanitized when the screen next reads them (at
// most once a frame) or when more than pendingMax bytes wait, so lines that
// a fast command pushes out of the ring before anyone looks are never
// sanitized at all.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.pending = append(b.pending, p...)
	if len(b.pending) > pendingMax {
		b.processLocked()
	}
	b.mu.Unlock()
	select {
	case b.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

// processLocked turns the pending bytes into ring lines.
func (b *LogBuffer) processLocked() {
	p := b.skipUnseen(b.pending)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			b.addPartial(p)
			break
		}
		if len(b.partial) == 0 && !b.overflow {
			b.push(sanitize(p[:i]))
		} else {
			b.addPartial(p[:i])
			b.push(sanitize(b.partial))
			b.partial = b.partial[:0]
			b.overflow = false
		}
		p = p[i+1:]
	}
	// Everything was copied out (addPartial copies, sanitize makes strings).
	b.pending = b.pending[:0]
}

// skipUnseen drops the lines of p that the ring could not keep anyway: when
// p holds more complete lines than the ring has room for, the older ones
// would be pushed out by the newer ones of the same write. They are counted
// (total, and so dropped) but never sanitized, so a command printing
// hundreds of megabytes costs the UI little more than a newline count.
func (b *LogBuffer) skipUnseen(p []byte) []byte {
	c := len(b.ring)
	k := bytes.Count(p, []byte{'\n'})
	if k <= c {
		return p
	}
	// Start of the first kept line: just after the (c+1)-th newline from
	// the end. Everything before it, the partial line it may complete
	// included, is skipped.
	pos := len(p)
	for i := 0; i <= c; i++ {
		pos = bytes.LastIndexByte(p[:pos], '\n')
	}
	b.total += int64(k - c)
	b.partial = b.partial[:0]
	b.overflow = false
	return p[pos+1:]
}

// addPartial keeps the unfinished line bounded: after a carriage return only
// the text after it matters (progress bars redraw themselves with \r).
func (b *LogBuffer) addPartial(p []byte) {
	if j := bytes.LastIndexByte(p, '\r'); j >= 0 && j < len(p)-1 {
		b.partial = append(b.partial[:0], p[j+1:]...)
		b.overflow = false
		p = nil
	}
	if b.overflow {
		return
	}
	room := maxLineBytes - len(b.partial)
	if len(p) > room {
		p = p[:room]
		b.overflow = true
	}
	b.partial = append(b.partial, p...)
}

func (b *LogBuffer) push(s string) {
	c := len(b.ring)
	if b.n < c {
		b.ring[(b.start+b.n)%c] = s
		b.n++
	} else {
		b.ring[b.start] = s
		b.start = (b.start + 1) % c
	}
	b.total++
}

// Close flushes an unfinished last line and wakes the reader for the last
// time. Lines written after Close are still kept (a late writer loses
// nothing); the screen shows them at its next refresh.
func (b *LogBuffer) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.processLocked()
	if len(b.partial) > 0 {
		b.push(sanitize(b.partial))
		b.partial = nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.done)
}

// Remask runs the kept lines through mask again: a secret a step made is
// known only once the step ended (the runner masks output.log then), and
// the live stream showed it in clear. The lines are joined and masked in
// one call (a secret may span lines), copied out under the lock and put
// back under it, so the screen never waits on the masking; lines pushed
// out meanwhile are left alone. It costs one pass over the ring (at most
// logCap × maxLineBytes) and runs once per job end, in a Cmd.
func (b *LogBuffer) Remask(mask func(string) string) {
	b.mu.Lock()
	b.processLocked()
	oldest := b.total - int64(b.n)
	lines := make([]string, b.n)
	for i := range lines {
		lines[i] = b.ring[(b.start+i)%len(b.ring)]
	}
	partial := string(b.partial)
	b.mu.Unlock()

	joined := strings.Join(lines, "\n")
	masked := mask(joined)
	maskedPartial := partial
	if partial != "" {
		maskedPartial = mask(partial)
	}
	if masked == joined && maskedPartial == partial {
		return
	}
	out := strings.Split(masked, "\n")
	if len(out) != len(lines) {
		// A mask took a line break with it: line by line instead.
		out = out[:0]
		for _, l := range lines {
			out = append(out, mask(l))
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.total - int64(b.n)
	for i, l := range out {
		abs := oldest + int64(i)
		if abs >= now && abs < b.total {
			b.ring[(b.start+int(abs-now))%len(b.ring)] = l
		}
	}
	if maskedPartial != partial && string(b.partial) == partial {
		b.partial = append(b.partial[:0], maskedPartial...)
	}
}

// Stats returns the number of complete lines ever written and how many of
// them fell out of the ring.
func (b *LogBuffer) Stats() (total, dropped int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.processLocked()
	return b.total, b.total - int64(b.n)
}

// Lines returns a copy of the lines with absolute numbers in [from, to)
// that are still in the ring, plus the unfinished line when `to` reaches
// past the end and withPartial is set. first is the absolute number of the
// first returned line.
func (b *LogBuffer) Lines(from, to int64) (lines []string, first int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.processLocked()
	oldest := b.total - int64(b.n)
	if from < oldest {
		from = oldest
	}
	end := b.total
	if to > end {
		to = end
	}
	if to < from {
		to = from
	}
	lines = make([]string, 0, to-from+1)
	for i := from; i < to; i++ {
		lines = append(lines, b.ring[(b.start+int(i-oldest))%len(b.ring)])
	}
	return lines, from
}

// Partial returns the sanitized unfinished line ("" when there is none).
func (b *LogBuffer) Partial() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.processLocked()
	if len(b.partial) == 0 {
		return ""
	}
	return sanitize(b.partial)
}

// Find returns the absolute number of the next (forward) or previous line
// containing q (case-insensitive), starting after/before line `from`, with
// wrap-around; -1 when no kept line matches.
func (b *LogBuffer) Find(q string, from int64, forward bool) int64 {
	if q == "" {
		return -1
	}
	q = strings.ToLower(q)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.processLocked()
	if b.n == 0 {
		return -1
	}
	oldest := b.total - int64(b.n)
	at := func(abs int64) string { return b.ring[(b.start+int(abs-oldest))%len(b.ring)] }
	for k := int64(1); k <= int64(b.n); k++ {
		var i int64
		if forward {
			i = from + k
		} else {
			i = from - k
		}
		i = oldest + ((i-oldest)%int64(b.n)+int64(b.n))%int64(b.n)
		if strings.Contains(strings.ToLower(at(i)), q) {
			return i
		}
	}
	return -1
}

// logMsg says that a buffer has new lines (or was closed). Exactly one wait
// per buffer is outstanding; the receiver re-arms it unless final is set.
type logMsg struct {
	buf   *LogBuffer
	final bool
}

// wait returns a Cmd that blocks until new output or Close, then delivers at
// most one logMsg per logFrame.
func (b *LogBuffer) wait(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-b.notify:
		case <-b.done:
			return logMsg{buf: b, final: true}
		case <-ctx.Done():
			return nil
		}
		if d := logFrame - time.Since(b.last); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-b.done:
				t.Stop()
				return logMsg{buf: b, final: true}
			case <-ctx.Done():
				t.Stop()
				return nil
			}
		}
		b.last = time.Now()
		return logMsg{buf: b}
	}
}

// sanitize turns raw output bytes into one printable line: the text after the
// last carriage return, ANSI escape sequences and control characters
// removed, tabs expanded, invalid UTF-8 replaced, length bounded.
func sanitize(p []byte) string {
	if n := len(p); n > 0 && p[n-1] == '\r' {
		p = p[:n-1]
	}
	plain := true
	for _, c := range p {
		if c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		if len(p) > maxLineBytes {
			p = p[:maxLineBytes]
		}
		return string(p)
	}
	if j := bytes.LastIndexByte(p, '\r'); j >= 0 {
		p = p[j+1:]
	}
	var sb strings.Builder
	col := 0
	for i := 0; i < len(p) && sb.Len() < maxLineBytes; {
		c := p[i]
		switch {
		case c == 0x1b:
			i = skipEscape(p, i)
			continue
		case c == '\t':
			sp := 8 - col%8
			sb.WriteString("        "[:sp])
			col += sp
		case c < 0x20 || c == 0x7f:
			// other control characters would move the cursor: drop them
		case c < 0x80:
			sb.WriteByte(c)
			col++
		default:
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size <= 1 {
				sb.WriteRune(utf8.RuneError)
				i++
				col++
				continue
			}
			if r >= 0x80 && r < 0xa0 { // C1 controls
				i += size
				continue
			}
			sb.Write(p[i : i+size])
			col++
			i += size
			continue
		}
		i++
	}
	return sb.String()
}

// skipEscape returns the index after the escape sequence starting at p[i].
func skipEscape(p []byte, i int) int {
	i++ // ESC
	if i >= len(p) {
		return i
	}
	switch p[i] {
	case '[': // CSI: parameters then a final byte 0x40-0x7e
		for i++; i < len(p); i++ {
			if p[i] >= 0x40 && p[i] <= 0x7e {
				return i + 1
			}
		}
		return i
	case ']', 'P', '_', '^': // OSC/DCS/APC/PM: until BEL or ESC \
		for i++; i < len(p); i++ {
			if p[i] == 0x07 {
				return i + 1
			}
			if p[i] == 0x1b && i+1 < len(p) && p[i+1] == '\\' {
				return i + 2
			}
		}
		return i
	default: // two-byte sequence
		return i + 1
	}
}

// Closed says whether the writer is done (the command ended): no line the
// pane has not seen is new any more.
func (b *LogBuffer) Closed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}
