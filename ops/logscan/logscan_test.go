package logscan

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

func TestScan(t *testing.T) {
	tests := []struct {
		name           string
		in             string
		lines, errs, w int64
		last           []string
	}{
		{"empty", "", 0, 0, 0, nil},
		{"clean", "GET /health 200\nok\n", 2, 0, 0, nil},
		{"mixed case", "INFO start\nERROR boom\nWarning: slow\nException in thread\n", 4, 2, 1, []string{"2 ERROR boom", "3 Warning: slow", "4 Exception in thread"}},
		{"error wins over warning", "warning: an error\n", 1, 1, 0, []string{"1 warning: an error"}},
		{"two words one line counts once", "error exception critical\n", 1, 1, 0, []string{"1 error exception critical"}},
		{"no final newline", "a\nfatal", 2, 1, 0, []string{"2 fatal"}},
		{"level word decides", "INFO [uvicorn.error] Started server\nWARNING: the error budget is low\nERROR: boom\n", 3, 1, 1, []string{"2 WARNING: the error budget is low", "3 ERROR: boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(DefaultErrorWords, DefaultWarningWords)
			// One byte at a time too: a line split across reads is one line.
			for _, r := range []func() *strings.Reader{func() *strings.Reader { return strings.NewReader(tt.in) }} {
				for _, rd := range []interface{ Read([]byte) (int, error) }{r(), iotest.OneByteReader(r())} {
					res, err := s.Scan(rd)
					if err != nil {
						t.Fatal(err)
					}
					if res.Lines != tt.lines || res.Errors != tt.errs || res.Warnings != tt.w {
						t.Errorf("lines/errors/warnings = %d/%d/%d, want %d/%d/%d", res.Lines, res.Errors, res.Warnings, tt.lines, tt.errs, tt.w)
					}
					var got []string
					for _, m := range res.Last {
						got = append(got, fmt.Sprintf("%d %s", m.Line, m.Text))
					}
					if strings.Join(got, "|") != strings.Join(tt.last, "|") {
						t.Errorf("last = %q, want %q", got, tt.last)
					}
				}
			}
		})
	}
}

// The counts agree with grep -ciE on a large generated log that spans many
// chunks, and Last keeps the newest lines.
func TestScanAgreesWithGrep(t *testing.T) {
	var b bytes.Buffer
	for i := 0; b.Len() < 3*chunkSize+123; i++ {
		switch {
		case i%97 == 0:
			fmt.Fprintf(&b, "%d ERROR something failed\n", i)
		case i%89 == 0:
			fmt.Fprintf(&b, "%d WARNING slow query\n", i)
		case i%1000 == 7:
			fmt.Fprintf(&b, "%d Traceback (most recent call last)\n", i)
		default:
			fmt.Fprintf(&b, "%d INFO GET /api/v1/programs 200 %s\n", i, strings.Repeat("x", i%50))
		}
	}
	s := New(DefaultErrorWords, DefaultWarningWords)
	s.Keep = 5
	res, err := s.Scan(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	grep := func(pattern string) int64 {
		cmd := exec.Command("grep", "-ciE", pattern)
		cmd.Stdin = bytes.NewReader(b.Bytes())
		out, _ := cmd.Output()
		n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			t.Fatalf("grep: %q: %v", out, err)
		}
		return n
	}
	errPattern := strings.Join(DefaultErrorWords, "|")
	if want := grep(errPattern); res.Errors != want {
		t.Errorf("errors = %d, grep says %d", res.Errors, want)
	}
	if want := grep("("+strings.Join(DefaultWarningWords, "|")+")") - grep("("+strings.Join(DefaultWarningWords, "|")+").*("+errPattern+")|("+errPattern+").*("+strings.Join(DefaultWarningWords, "|")+")"); res.Warnings != want {
		t.Errorf("warnings = %d, want %d", res.Warnings, want)
	}
	// The newest matching lines, found one line at a time.
	var want []Match
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if c := s.Classify([]byte(line)); c != None {
			want = append(want, Match{Line: int64(i + 1), Class: c, Text: line})
		}
	}
	want = want[len(want)-5:]
	if fmt.Sprint(res.Last) != fmt.Sprint(want) {
		t.Errorf("last = %v\nwant   %v", res.Last, want)
	}
}

func BenchmarkScan(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 64<<20; i++ {
		if i%500 == 0 {
			fmt.Fprintf(&buf, "2026-11-27T10:00:00Z ERROR request %d failed\n", i)
		} else {
			fmt.Fprintf(&buf, "2026-11-27T10:00:00Z INFO GET /api/v1/programs/%d 200 12ms\n", i)
		}
	}
	s := New(DefaultErrorWords, DefaultWarningWords)
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := s.Scan(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

// The word-wise lower-casing agrees with the byte-wise definition on every
// byte value at every offset.
func TestLowerASCII(t *testing.T) {
	src := make([]byte, 0, 300)
	for i := 0; i < 256; i++ {
		src = append(src, byte(i))
	}
	src = append(src, "Hello WORLD, Zz@[`{"...)
	for off := 0; off < 9; off++ {
		got := lowerASCII(nil, src[off:])
		for i, c := range src[off:] {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if got[i] != want {
				t.Fatalf("offset %d: byte %#x lowered to %#x, want %#x", off, c, got[i], want)
			}
		}
	}
}

func TestLevelOf(t *testing.T) {
	tests := []struct {
		line  string
		class Class
		found bool
	}{
		{"INFO [uvicorn.error] Started server", None, true},
		{"2026-11-27 10:00:01,000 ERROR app.api failed", Error, true},
		{"[WARNING] disk", Warning, true},
		{"LOG:  checkpoint starting", None, true},
		{"FATAL: password authentication failed", Error, true},
		{"level|ERROR|x", Error, true},
		{"an ERRORS column", None, false},
		{"XERROR: no", None, false},
		{"ERROR", None, false}, // nothing after it: not a level field
		{"plain error text", None, false},
		{"WARN\tslow", Warning, true},
		// uvicorn's own logger is named uvicorn.error: its INFO lines
		// are not errors, whatever the format
		{"2026-12-02 10:00:00,123:INFO:uvicorn.error:Started server process [1]", None, true},
		{"INFO:uvicorn.error:Application startup complete.", None, true},
		{`{"levelname": "INFO", "name": "uvicorn.error", "message": "Started"}`, None, true},
		{`{"level":"info","logger":"uvicorn.error","msg":"Waiting for application startup."}`, None, true},
		{`time=2026-12-02T10:00:00Z level=info logger=uvicorn.error msg="Started"`, None, true},
		{`ts=1 level=error msg="db down"`, Error, true},
		{`{"severity":"WARNING","message":"slow"}`, Warning, true},
		{`loglevels=error are configurable`, None, false},
	}
	for _, tt := range tests {
		c, ok := levelOf([]byte(tt.line))
		if c != tt.class || ok != tt.found {
			t.Errorf("levelOf(%q) = %v, %v; want %v, %v", tt.line, c, ok, tt.class, tt.found)
		}
	}
}
