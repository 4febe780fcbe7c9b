package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// fit cuts or pads a (possibly styled) line to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if plainASCII(s) {
		// the common case (log lines): width is the length, no parsing
		if len(s) > w {
			return s[:w-1] + "…"
		}
		if len(s) < w {
			return s + strings.Repeat(" ", w-len(s))
		}
		return s
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// box draws lines in a rounded border of exactly w×h cells with the title in
// the top edge. Widths are computed here, not by lipgloss, so panes line up
// at every terminal size.
func (s Styles) box(title string, lines []string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	bs := s.Border
	if focused {
		bs = s.Focused
	}
	inner := w - 2
	var b strings.Builder
	t := ""
	if title != "" {
		t = " " + title + " "
		if focused {
			t = " ▸" + title + " "
		}
		t = ansi.Truncate(t, inner-1, "…")
	}
	b.WriteString(bs.Render("╭─" + t + strings.Repeat("─", max(0, inner-1-ansi.StringWidth(t))) + "╮"))
	side := bs.Render("│")
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		b.WriteString(side)
		b.WriteString(fit(l, inner))
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(bs.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// joinH puts blocks of equal height side by side.
func joinH(blocks ...string) string {
	split := make([][]string, len(blocks))
	n := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		n = max(n, len(split[i]))
	}
	var b strings.Builder
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteByte('\n')
		}
		for _, l := range split {
			if r < len(l) {
				b.WriteString(l[r])
			}
		}
	}
	return b.String()
}

// wrapText wraps plain or styled text to w cells at spaces: a path or a
// phrase that fits a line moves to the next one whole (only a word wider
// than w is broken).
func wrapText(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// padLines returns exactly h lines of width w.
func padLines(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = fit(l, w)
	}
	return strings.Join(out, "\n")
}

func ansiStripStr(s string) string { return ansi.Strip(s) }

func ansiWidth(s string) int { return ansi.StringWidth(s) }

// plainASCII reports whether s is printable ASCII only (no escapes).
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
