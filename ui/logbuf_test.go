package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain", "hello world", "hello world"},
		{"crlf", "line\r", "line"},
		{"progress bar keeps the last redraw", "10%\r50%\r100% done", "100% done"},
		{"ansi colours stripped", "\x1b[1;31merror\x1b[0m: boom", "error: boom"},
		{"osc title stripped", "\x1b]0;title\x07text", "text"},
		{"tabs expanded", "a\tb", "a       b"},
		{"tab after 8 cols", "12345678\tx", "12345678        x"},
		{"bell and backspace dropped", "a\x07b\x08c", "abc"},
		{"invalid utf8 replaced", "a\xffb", "a\uFFFDb"},
		{"utf8 kept", "héllo ✓", "héllo ✓"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := sanitize([]byte(tc.in)); got != tc.want {
				t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLogBufferSplitsLinesAcrossWrites(t *testing.T) {
	b := NewLogBuffer(10)
	for _, chunk := range []string{"one\ntw", "o\nthr", "ee", "\n", "par"} {
		b.Write([]byte(chunk))
	}
	lines, first := b.Lines(0, 100)
	if strings.Join(lines, "|") != "one|two|three" || first != 0 {
		t.Fatalf("lines = %q from %d", lines, first)
	}
	if p := b.Partial(); p != "par" {
		t.Fatalf("partial = %q", p)
	}
	b.Close()
	lines, _ = b.Lines(0, 100)
	if len(lines) != 4 || lines[3] != "par" {
		t.Fatalf("Close did not flush the last line: %q", lines)
	}
	if n, _ := b.Write([]byte("late\n")); n != 5 {
		t.Fatal("Write after Close must still consume its input")
	}
	if lines, _ = b.Lines(0, 100); lines[len(lines)-1] != "late" {
		t.Fatalf("a late line was lost: %q", lines)
	}
}

func TestLogBufferRingDropsOldest(t *testing.T) {
	b := NewLogBuffer(100)
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(b, "line %d\n", i)
	}
	total, dropped := b.Stats()
	if total != 1000 || dropped != 900 {
		t.Fatalf("total %d dropped %d, want 1000 and 900", total, dropped)
	}
	lines, first := b.Lines(0, 5)
	if first != 900 || len(lines) != 0 {
		t.Fatalf("asking for dropped lines gave %q from %d", lines, first)
	}
	lines, first = b.Lines(995, 1000)
	if first != 995 || strings.Join(lines, ",") != "line 996,line 997,line 998,line 999,line 1000" {
		t.Fatalf("tail = %q from %d", lines, first)
	}
	if got := b.Find("line 950", 999, true); got != 949 {
		t.Fatalf("Find forward wrapping = %d, want 949", got)
	}
	if got := b.Find("line 93", 930, false); got != 929 {
		t.Fatalf("Find backward = %d, want 929 (line 930)", got)
	}
	if got := b.Find("line 5\x00", 0, true); got != -1 {
		t.Fatalf("Find of a missing text = %d", got)
	}
}

func TestLogBufferBoundsHugeLines(t *testing.T) {
	b := NewLogBuffer(10)
	big := strings.Repeat("x", 1<<20)
	b.Write([]byte(big))
	b.Write([]byte(big + "\nnext\n"))
	lines, _ := b.Lines(0, 10)
	if len(lines) != 2 || len(lines[0]) != maxLineBytes || lines[1] != "next" {
		t.Fatalf("got %d lines, first %d bytes", len(lines), len(lines[0]))
	}
}

// BenchmarkLogBufferWrite is the cost the runner pays per chunk of output:
// 64 KiB of seq-like lines.
func BenchmarkLogBufferWrite(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 64<<10; i++ {
		fmt.Fprintf(&sb, "%d\n", 100000+i)
	}
	chunk := []byte(sb.String())
	buf := NewLogBuffer(logCap)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		buf.Write(chunk)
	}
}

// A write with more lines than the ring keeps leaves the buffer exactly as
// writing the same bytes line by line would, whatever the chunking and
// whatever partial line came before it.
func TestLogBufferBigWritesMatchLineByLine(t *testing.T) {
	var all bytes.Buffer
	all.WriteString("unfinished head ")
	for i := 1; i <= 1000; i++ {
		fmt.Fprintf(&all, "line %d\r\tx\n", i)
	}
	all.WriteString("tail without newline")
	src := all.Bytes()

	want := NewLogBuffer(100)
	for _, c := range bytes.SplitAfter(src, []byte{'\n'}) {
		want.Write(c)
	}
	for _, chunk := range []int{7, 100, 333, 4096, len(src)} {
		got := NewLogBuffer(100)
		for p := src; len(p) > 0; {
			n := min(chunk, len(p))
			got.Write(p[:n])
			p = p[n:]
		}
		gt, gd := got.Stats()
		wt, wd := want.Stats()
		gl, gf := got.Lines(0, gt)
		wl, wf := want.Lines(0, wt)
		if gt != wt || gd != wd || gf != wf || strings.Join(gl, "|") != strings.Join(wl, "|") || got.Partial() != want.Partial() {
			t.Errorf("chunks of %d: total %d dropped %d first %d partial %q; want %d %d %d %q; lines equal: %v",
				chunk, gt, gd, gf, got.Partial(), wt, wd, wf, want.Partial(), strings.Join(gl, "|") == strings.Join(wl, "|"))
		}
	}
}

// Remask masks the kept lines in place: after the ring wrapped, with a
// secret that spans a line break (masked line by line then), and leaves
// the counts alone.
func TestLogBufferRemask(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		mask  func(string) string
		want  []string
		total int64
	}{
		{"ring wrapped", "l1 k3y\nl2 k3y\nl3 k3y\nl4\n", func(s string) string { return strings.ReplaceAll(s, "k3y", "***") },
			[]string{"l2 ***", "l3 ***", "l4"}, 4},
		{"mask takes a line break", "a\nb\nc\n", func(s string) string { return strings.ReplaceAll(s, "a\nb", "***") },
			[]string{"a", "b", "c"}, 3},
		{"nothing to mask", "x\ny\n", func(s string) string { return s }, []string{"x", "y"}, 2},
	}
	for _, tt := range tests {
		b := NewLogBuffer(3)
		b.Write([]byte(tt.in))
		b.Close()
		b.Remask(tt.mask)
		total, _ := b.Stats()
		lines, _ := b.Lines(0, total)
		if strings.Join(lines, "|") != strings.Join(tt.want, "|") || total != tt.total {
			t.Errorf("%s: lines %q (total %d), want %q (total %d)", tt.name, lines, total, tt.want, tt.total)
		}
	}
}
