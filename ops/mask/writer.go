package mask

import (
	"bytes"
	"io"
)

// Writer masks a stream. It holds back up to len(longest pattern)-1 bytes
// of what it was given, so a secret split across Write calls is still
// caught; Flush (or Close) writes what is held back. Only an unfinished
// last line is held back: a complete line (ending in \n or \r) cannot hold
// the start of a secret, unless a secret itself contains a line break and
// has lines too short to be masked on their own, so a quiet command's last
// line still shows at once. The rules (rules.go) hold back an unfinished
// line from where a match may have begun (a `"access_token":"` or a
// `Bearer ` whose token goes on in the next read), at most holdCap bytes.
// A Writer is not safe for concurrent use.
type Writer struct {
	m *Masker
	w io.Writer
	// buf is ctx + pending: buf[:ctx] was already written out and is kept
	// only so that a match starting in it and ending in new data is found;
	// buf[ctx:] is not written yet.
	buf       []byte
	ctx       int
	afterMask bool // the last byte written out was part of a mask
	midLine   bool // buf starts inside a line
	openLine  bool // the last byte written out was not a line break
	out       []byte
	spans     []span
	err       error
}

// Writer returns a masking Writer writing to w. A nil Masker passes writes
// straight through, without copying; so does any Masker for output that
// holds no secret, nothing a rule could match and nothing held back.
func (m *Masker) Writer(w io.Writer) *Writer {
	return &Writer{m: m, w: w}
}

// Write masks p and writes what can be decided so far. It reports len(p)
// written unless the underlying writer failed.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.m == nil || (w.m.Empty() && len(w.buf) == 0 && !mayHaveRuleMatch(p) &&
		ruleHold(p, bytes.LastIndexAny(p, "\n\r")+1) == len(p)) {
		return w.w.Write(p)
	}
	w.buf = append(w.buf, p...)
	if err := w.emit(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes everything held back.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if w.m == nil {
		return nil
	}
	return w.emit(true)
}

// Close flushes. It does not close the underlying writer.
func (w *Writer) Close() error { return w.Flush() }

func (w *Writer) emit(final bool) error {
	keep := max(w.m.maxLen-1, 0)
	w.spans = w.m.find(w.buf, w.midLine, w.spans)
	cut := len(w.buf)
	if !final {
		// No match can start before cut and still be incomplete.
		cut = max(len(w.buf)-keep, w.ctx)
		for _, s := range w.spans {
			if s.start < cut && s.end > cut {
				cut = s.end // complete match crossing cut: write it whole
			}
		}
		// Up to the last line break is decided too: no pattern spans one.
		if i := bytes.LastIndexAny(w.buf[cut:], w.m.breaks); w.m.breaks != "" && i >= 0 {
			cut += i + 1
		}
		// A full-width base64 line may go on in the next one.
		cut = max(w.m.wrapHold(w.buf, w.midLine, cut), w.ctx)
		// A rule match may have begun on the unfinished line: hold it.
		line := max(w.ctx, bytes.LastIndexAny(w.buf, "\n\r")+1)
		if h := ruleHold(w.buf, line); h < cut {
			cut = max(h, w.ctx)
		}
	}
	if cut > w.ctx {
		var chunk []byte
		if !hasSpanIn(w.spans, w.ctx, cut) {
			chunk = w.buf[w.ctx:cut]
			w.afterMask = false
		} else {
			w.out = render(w.out[:0], w.buf, w.spans, w.ctx, cut, w.afterMask)
			chunk = w.out
			w.afterMask = endsInSpan(w.spans, cut)
		}
		if _, err := w.w.Write(chunk); err != nil {
			w.err = err
			return err
		}
	}
	// Keep up to keep bytes of already-written context, plus what is pending.
	if cut > w.ctx {
		w.openLine = w.buf[cut-1] != '\n'
	}
	start := max(cut-keep, 0)
	if !final {
		start = min(start, max(ruleAnchor(w.buf, cut), 0))
	}
	if start > 0 {
		w.midLine = w.buf[start-1] != '\n'
	}
	n := copy(w.buf, w.buf[start:])
	w.buf = w.buf[:n]
	w.ctx = cut - start
	if final {
		w.buf, w.ctx, w.afterMask = w.buf[:0], 0, false
		w.midLine = w.openLine
	}
	return nil
}

func hasSpanIn(spans []span, from, to int) bool {
	for _, s := range spans {
		if s.end > from && s.start < to {
			return true
		}
	}
	return false
}

func endsInSpan(spans []span, cut int) bool {
	for _, s := range spans {
		if s.start < cut && s.end >= cut {
			return true
		}
	}
	return false
}
