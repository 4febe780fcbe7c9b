package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"

	"planner-tui/checklist"
)

// Styles are every style the screens use, picked for the terminal's
// background (light or dark) and for NO_COLOR. Meaning never rests on colour
// alone: risks carry a word, statuses an icon, the selection a marker.
type Styles struct {
	NoColor bool

	Title     lipgloss.Style
	Header    lipgloss.Style
	Faint     lipgloss.Style
	Bold      lipgloss.Style
	Selected  lipgloss.Style // the selected row (reverse, so it shows without colour)
	Border    lipgloss.Style // box borders of unfocused panes
	Focused   lipgloss.Style // box borders of the focused pane
	Code      lipgloss.Style
	Heading   lipgloss.Style
	Link      lipgloss.Style
	Error     lipgloss.Style
	Warn      lipgloss.Style
	OK        lipgloss.Style
	Running   lipgloss.Style
	Match     lipgloss.Style
	Key       lipgloss.Style
	Dialog    lipgloss.Style
	TabActive lipgloss.Style
	Tab       lipgloss.Style

	Safe        lipgloss.Style
	Change      lipgloss.Style
	Destructive lipgloss.Style
}

// NewStyles builds the styles for a dark or light background; noColor keeps
// only attributes (bold, faint, reverse, underline).
func NewStyles(dark, noColor bool) Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color {
		if noColor {
			return nil
		}
		return ld(lipgloss.Color(light), lipgloss.Color(darkc))
	}
	fg := func(s lipgloss.Style, col color.Color) lipgloss.Style {
		if col == nil {
			return s
		}
		return s.Foreground(col)
	}
	base := lipgloss.NewStyle()
	accent := c("#5A3FC0", "#B9A6FF")
	green := c("#1A7F37", "#5FD787")
	yellow := c("#9A6700", "#E5C07B")
	red := c("#C0272D", "#FF6B6B")
	blue := c("#0B5CAD", "#7AB8FF")
	grey := c("#6E6E6E", "#9A9A9A")

	s := Styles{NoColor: noColor}
	s.Title = fg(base.Bold(true), accent)
	s.Header = fg(base.Bold(true), accent)
	s.Faint = base.Faint(true)
	if grey != nil {
		s.Faint = base.Foreground(grey)
	}
	s.Bold = base.Bold(true)
	s.Selected = base.Reverse(true)
	s.Border = fg(base, grey)
	s.Focused = fg(base.Bold(true), accent)
	s.Code = fg(base, blue)
	s.Heading = fg(base.Bold(true).Underline(true), accent)
	s.Link = fg(base.Underline(true), blue)
	s.Error = fg(base.Bold(true), red)
	s.Warn = fg(base.Bold(true), yellow)
	s.OK = fg(base, green)
	s.Running = fg(base.Bold(true), blue)
	s.Match = base.Reverse(true).Bold(true)
	s.Key = fg(base.Bold(true), accent)
	s.Dialog = fg(base, accent)
	s.TabActive = base.Bold(true).Reverse(true)
	s.Tab = base
	s.Safe = fg(base, green)
	s.Change = fg(base.Bold(true), yellow)
	s.Destructive = fg(base.Bold(true), red)
	if noColor {
		s.Destructive = base.Bold(true).Reverse(true)
		s.Code = base.Underline(false)
	}
	return s
}

// RiskLabel is the risk as a coloured word: the word carries the meaning.
func (s Styles) RiskLabel(r checklist.Risk) string {
	switch r {
	case checklist.Destructive:
		return s.Destructive.Render("DESTRUCTIVE")
	case checklist.Change:
		return s.Change.Render("change")
	default:
		return s.Safe.Render("safe")
	}
}
