package ui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// A small Markdown renderer for step descriptions: headings, bold, inline
// code, links and lists, styled with lipgloss. Descriptions are short prose;
// a full renderer (glamour) would cost a dependency and milliseconds per frame.

var (
	mdBold   = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	mdCode   = regexp.MustCompile("`([^`]+)`")
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\(([^)]+)\)`)
	mdList   = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdNumber = regexp.MustCompile(`^(\s*)(\d+)[.)]\s+`)
)

// renderMarkdown renders md to lines of at most w cells.
func (s Styles) renderMarkdown(md string, w int) []string {
	var out []string
	inFence := false
	blank := false
	for _, line := range strings.Split(strings.TrimSpace(md), "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			out = append(out, fit(s.Code.Render("  "+strings.TrimRight(line, " ")), w))
			continue
		}
		if trim == "" || trim == "---" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		if strings.HasPrefix(trim, "#") {
			h := strings.TrimSpace(strings.TrimLeft(trim, "#"))
			out = append(out, wrapText(s.Heading.Render(h), w)...)
			continue
		}
		indent, prefix, rest := "", "", trim
		if m := mdList.FindStringSubmatch(line); m != nil {
			indent = strings.Repeat(" ", min(len(m[1]), 6))
			prefix = "• "
			rest = strings.TrimSpace(line[len(m[0]):])
		} else if m := mdNumber.FindStringSubmatch(line); m != nil {
			indent = strings.Repeat(" ", min(len(m[1]), 6))
			prefix = m[2] + ". "
			rest = strings.TrimSpace(line[len(m[0]):])
		} else if strings.HasPrefix(trim, "|") {
			out = append(out, fit(trim, w))
			continue
		}
		text := s.inline(rest)
		lead := indent + prefix
		lw := ansi.StringWidth(lead)
		wrapped := wrapText(text, max(4, w-lw))
		for i, l := range wrapped {
			if i == 0 {
				out = append(out, lead+l)
			} else {
				out = append(out, strings.Repeat(" ", lw)+l)
			}
		}
	}
	return out
}

func (s Styles) inline(t string) string {
	t = mdLink.ReplaceAllStringFunc(t, func(m string) string {
		return s.Link.Render(mdLink.FindStringSubmatch(m)[1])
	})
	t = mdBold.ReplaceAllStringFunc(t, func(m string) string {
		sm := mdBold.FindStringSubmatch(m)
		return s.Bold.Render(sm[1] + sm[2])
	})
	t = mdCode.ReplaceAllStringFunc(t, func(m string) string {
		return s.Code.Render(mdCode.FindStringSubmatch(m)[1])
	})
	return t
}
