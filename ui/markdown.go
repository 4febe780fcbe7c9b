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
	for _, line := range reflow(strings.TrimSpace(md)) {
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

// reflow joins the soft line breaks of paragraphs and list items into
// spaces, so that wrapping to the pane's width gives even text instead of
// the source's line breaks wrapped again. A blank line, a heading, a list
// item, a table row, a rule or a fence starts a new block; fenced code is
// kept line for line; a hard break (two trailing spaces or a backslash)
// is kept.
func reflow(md string) []string {
	var out []string
	inFence := false
	open := false // the last line of out is prose that may continue
	for _, line := range strings.Split(md, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~"):
			inFence = !inFence
			out = append(out, line)
			open = false
			continue
		case inFence:
			out = append(out, line)
			continue
		case trim == "" || trim == "---" || trim == "***" || strings.HasPrefix(trim, "#") || strings.HasPrefix(trim, "|"):
			out = append(out, line)
			open = false
			continue
		case mdList.MatchString(line) || mdNumber.MatchString(line):
			out = append(out, line)
			open = true
			continue
		}
		if open {
			prev := out[len(out)-1]
			if strings.HasSuffix(prev, "  ") || strings.HasSuffix(prev, "\\") {
				out[len(out)-1] = strings.TrimSuffix(strings.TrimRight(prev, " "), "\\")
				out = append(out, continuation(prev, trim))
				continue
			}
			out[len(out)-1] = strings.TrimRight(prev, " ") + " " + trim
			continue
		}
		out = append(out, line)
		open = true
	}
	return out
}

// continuation keeps a hard-broken line inside its list item: indented like
// the item's text, so the renderer does not take it for a new item.
func continuation(prev, text string) string {
	if m := mdList.FindString(prev); m != "" {
		return strings.Repeat(" ", len(m)) + text
	}
	if m := mdNumber.FindString(prev); m != "" {
		return strings.Repeat(" ", len(m)) + text
	}
	return text
}
