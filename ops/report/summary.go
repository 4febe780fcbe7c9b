package report

import (
	"fmt"
	"io"

	"planner-tui/checklist"
)

// SummaryGroup is one group of the runbook's checklist summary with its
// items derived by checklist.SummaryItem, as `status --json` and `report
// --json` give it.
type SummaryGroup struct {
	Title string        `json:"title"`
	Items []SummaryItem `json:"items"`
}

// SummaryItem is one item of a SummaryGroup.
type SummaryItem struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Status string `json:"status"` // pending, in-progress, running, failed, warning, skipped, done
	Done   int    `json:"done"`
	Total  int    `json:"total"`
	Why    string `json:"why,omitempty"`
}

// Summary derives the checklist summary of run.
func Summary(rb *checklist.Runbook, run *checklist.Run) []SummaryGroup {
	var out []SummaryGroup
	for _, g := range checklist.Summary(rb, run) {
		jg := SummaryGroup{Title: g.Step.Title, Items: []SummaryItem{}}
		for _, it := range g.Items {
			jg.Items = append(jg.Items, SummaryItem{ID: it.Check.ID, Text: it.Check.Text, Status: string(it.Status), Done: it.Done, Total: it.Total, Why: it.Why})
		}
		out = append(out, jg)
	}
	return out
}

// PrintSummary writes the summary items, one a line, with their marks
// (✓ only for done), indented for `status` or as Markdown for `report`.
func PrintSummary(w io.Writer, groups []SummaryGroup, markdown bool) {
	head, item := "  %s %d/%d\n", "    "
	if markdown {
		head, item = "**%s** %d/%d\n\n", "- "
	}
	for _, g := range groups {
		done := 0
		for _, it := range g.Items {
			if it.Status == string(checklist.ItemDone) {
				done++
			}
		}
		fmt.Fprintf(w, head, g.Title, done, len(g.Items))
		for _, it := range g.Items {
			mark := checklist.Item{Status: checklist.ItemStatus(it.Status)}.Mark()
			line := fmt.Sprintf("%s[%s] %s", item, mark, it.Text)
			if it.Why != "" {
				line += " — " + it.Why
			}
			fmt.Fprintln(w, line)
		}
		if markdown {
			fmt.Fprintln(w)
		}
	}
}
