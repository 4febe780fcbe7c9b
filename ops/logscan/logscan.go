// Package logscan counts and samples the error and warning lines of a log
// stream: what an operator greps for after a deployment, at the speed of
// grep, with the last matching lines kept for display. A line counts when it
// mentions one of the words (case-insensitively, like grep -ci), unless its
// own level says otherwise: "INFO [uvicorn.error] Started" is not an error,
// nor is {"level": "info", "logger": "uvicorn.error"}; "WARNING: the error
// budget" is a warning.
package logscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"slices"
)

// Class is what a line is counted as.
type Class int

const (
	None Class = iota
	Warning
	Error
)

// DefaultErrorWords and DefaultWarningWords are matched case-insensitively
// anywhere in a line; a line with both counts as an error.
var (
	DefaultErrorWords   = []string{"error", "exception", "critical", "fatal", "traceback"}
	DefaultWarningWords = []string{"warn"} // "warn" also matches "warning"
)

// Result of a scan.
type Result struct {
	Lines    int64
	Bytes    int64
	Errors   int64
	Warnings int64
	// Last are the last matching lines (at most the Scanner's Keep), oldest first.
	Last []Match
}

// Match is one counted line.
type Match struct {
	Line  int64 // 1-based line number in the stream
	Class Class
	Text  string
}

// Scanner finds error and warning lines.
type Scanner struct {
	errWords, warnWords [][]byte
	Keep                int // how many matching lines to keep (default 20)
}

// New makes a Scanner for lower-case ASCII words.
func New(errorWords, warningWords []string) *Scanner {
	s := &Scanner{Keep: 20}
	for _, w := range errorWords {
		s.errWords = append(s.errWords, bytes.ToLower([]byte(w)))
	}
	for _, w := range warningWords {
		s.warnWords = append(s.warnWords, bytes.ToLower([]byte(w)))
	}
	return s
}

// levelOf finds an explicit level in a log line ("INFO:", " ERROR ",
// "[WARNING]", "LOG:"): an upper-case level name at the start of the line or
// after white space, "[" or "|", and followed by white space, "]", ":" or
// "|". The first one says what the line is, whatever else it mentions, so
// "INFO [uvicorn.error] Started server" is not an error. One pass, no
// regexp: it runs on every line that mentions a word.
func levelOf(line []byte) (Class, bool) {
	if c, ok := keyedLevel(line); ok {
		return c, true
	}
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < 'A' || c > 'Z' || (i > 0 && !levelBefore(line[i-1])) {
			continue
		}
		j := i
		for j < len(line) && line[j] >= 'A' && line[j] <= 'Z' {
			j++
		}
		if j < len(line) && levelAfter(line[j]) {
			switch string(line[i:j]) {
			case "ERROR", "CRITICAL", "FATAL", "PANIC":
				return Error, true
			case "WARNING", "WARN":
				return Warning, true
			case "DEBUG", "INFO", "NOTICE", "LOG", "STATEMENT", "DETAIL", "HINT":
				return None, true
			}
		}
		i = j
	}
	return None, false
}

// The characters around a level word: white space, brackets, bars, the
// colons of "%(asctime)s:%(levelname)s:%(name)s" and the quotes of a JSON
// value. So "...,000:INFO:uvicorn.error:Started" and {"levelname": "INFO",
// "name": "uvicorn.error"} are INFO lines, whatever their logger's name.
func levelBefore(c byte) bool {
	return c == ' ' || c == '\t' || c == '[' || c == '|' || c == ':' || c == '"' || c == '(' || c == '='
}
func levelAfter(c byte) bool {
	return c == ' ' || c == '\t' || c == ']' || c == ':' || c == '|' || c == '\r' || c == '"' || c == ',' || c == ')'
}

// levelKeys are the field names structured logs give their level (logfmt
// level=info, JSON "level":"info", "levelname", "severity"), matched
// case-insensitively with their value.
var levelKeys = [][]byte{[]byte("level"), []byte("levelname"), []byte("severity")}

// keyedLevel finds a level given as a field (level=info, "level": "INFO"),
// in any case: a JSON or logfmt line says its level there, and its logger
// ("uvicorn.error") or message must not decide.
func keyedLevel(line []byte) (Class, bool) {
	for _, k := range levelKeys {
		for off := 0; off < len(line); {
			i := indexFold(line[off:], k)
			if i < 0 {
				break
			}
			at := off + i
			off = at + len(k)
			// a whole key: not "loglevel_x" or "levels"
			if at > 0 && isWordByte(line[at-1]) {
				continue
			}
			j := off
			if j < len(line) && line[j] == '"' {
				j++
			}
			for j < len(line) && line[j] == ' ' {
				j++
			}
			if j >= len(line) || (line[j] != '=' && line[j] != ':') {
				continue
			}
			j++
			for j < len(line) && (line[j] == ' ' || line[j] == '"') {
				j++
			}
			e := j
			for e < len(line) && isWordByte(line[e]) {
				e++
			}
			switch string(bytes.ToUpper(line[j:e])) {
			case "ERROR", "ERR", "CRITICAL", "FATAL", "PANIC", "ALERT", "EMERG", "EMERGENCY":
				return Error, true
			case "WARNING", "WARN":
				return Warning, true
			case "DEBUG", "INFO", "NOTICE", "TRACE":
				return None, true
			}
		}
	}
	return None, false
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// indexFold is bytes.Index ignoring ASCII case, for a lower-case word.
func indexFold(s, word []byte) int {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for j < len(word) && s[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return i
		}
	}
	return -1
}

// Classify says whether one line is an error, a warning or neither: by its
// level word when it has one, else by the words the Scanner looks for.
func (s *Scanner) Classify(line []byte) Class {
	if c, ok := levelOf(line); ok {
		return c
	}
	low := lowerASCII(make([]byte, 0, len(line)), line)
	return s.classifyLower(low)
}

func (s *Scanner) classifyLower(low []byte) Class {
	for _, w := range s.errWords {
		if bytes.Contains(low, w) {
			return Error
		}
	}
	for _, w := range s.warnWords {
		if bytes.Contains(low, w) {
			return Warning
		}
	}
	return None
}

// chunkSize is how much is read at a time: large enough that the per-chunk
// work (one lower-casing pass, one search per word) dominates per-line work.
const chunkSize = 1 << 20

// Scan reads r to the end. It lower-cases each chunk once and searches it
// for each word, so lines without a match cost one pass of bytes.Index.
func (s *Scanner) Scan(r io.Reader) (Result, error) {
	var res Result
	buf := make([]byte, chunkSize)
	low := make([]byte, 0, chunkSize)
	carry := 0 // bytes of an unfinished line at the start of buf
	for {
		n, err := io.ReadFull(r, buf[carry:])
		n += carry
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return res, err
		}
		data := buf[:n]
		end := bytes.LastIndexByte(data, '\n') + 1
		if eof {
			end = n
		} else if end == 0 {
			// A line longer than the buffer: count it as it stands.
			end = n
		}
		s.scanLines(&res, data[:end], &low)
		carry = copy(buf, data[end:])
		if eof {
			return res, nil
		}
	}
}

// scanLines counts whole lines in block.
func (s *Scanner) scanLines(res *Result, block []byte, low *[]byte) {
	if len(block) == 0 {
		return
	}
	res.Bytes += int64(len(block))
	firstLine := res.Lines
	res.Lines += int64(bytes.Count(block, []byte{'\n'}))
	if block[len(block)-1] != '\n' {
		res.Lines++
	}
	*low = lowerASCII((*low)[:0], block)
	// Collect the start offsets of matching lines, in order, once each.
	marks := map[int]Class{}
	for cls, words := range map[Class][][]byte{Error: s.errWords, Warning: s.warnWords} {
		for _, w := range words {
			for off := 0; ; {
				i := bytes.Index((*low)[off:], w)
				if i < 0 {
					break
				}
				at := off + i
				start := bytes.LastIndexByte(block[:at], '\n') + 1
				if cls > marks[start] {
					marks[start] = cls
				}
				next := bytes.IndexByte(block[at:], '\n')
				if next < 0 {
					break
				}
				off = at + next + 1
			}
		}
	}
	if len(marks) == 0 {
		return
	}
	starts := make([]int, 0, len(marks))
	for st := range marks {
		starts = append(starts, st)
	}
	slices.Sort(starts)
	num, prev := firstLine+1, 0
	for _, st := range starts {
		num += int64(bytes.Count(block[prev:st], []byte{'\n'}))
		prev = st
		line := block[st:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		// Only lines with a word get here; their level word, if any, has
		// the last say.
		cls := marks[st]
		if lv, ok := levelOf(line); ok {
			cls = lv
		}
		switch cls {
		case Error:
			res.Errors++
		case Warning:
			res.Warnings++
		default:
			continue
		}
		if keep := s.keep(); len(res.Last) >= keep {
			res.Last = append(res.Last[:0], res.Last[len(res.Last)-keep+1:]...)
		}
		res.Last = append(res.Last, Match{Line: num, Class: cls, Text: string(line)})
	}
}

func (s *Scanner) keep() int {
	if s.Keep <= 0 {
		return 20
	}
	return s.Keep
}

// lowerASCII appends src to dst with A-Z lower-cased, eight bytes at a
// time: this pass is most of a scan's cost, so it is done word-wise (SWAR).
func lowerASCII(dst, src []byte) []byte {
	start := len(dst)
	dst = append(dst, src...)
	b := dst[start:]
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		// For ASCII bytes, (w+0x3f) sets the high bit of bytes >= 'A' and
		// (w+0x25) that of bytes > 'Z'; bytes with the high bit already set
		// (non-ASCII) are left alone.
		upper := (w + ones*(0x80-'A')) &^ (w + ones*(0x80-'Z'-1)) &^ w & highs
		binary.LittleEndian.PutUint64(b[i:], w|upper>>2)
	}
	for ; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return dst
}
