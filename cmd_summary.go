package main

import (
	"io"

	"planner-tui/checklist"
	"planner-tui/ops/report"
)

// The checklist summary as `status` and `report` give it: ops/report owns
// it, so that the screen's report (ui/runsummary.go) is the same.
type summaryGroupJSON = report.SummaryGroup

func summaryJSON(rb *checklist.Runbook, run *checklist.Run) []summaryGroupJSON {
	return report.Summary(rb, run)
}

func printSummary(w io.Writer, groups []summaryGroupJSON, markdown bool) {
	report.PrintSummary(w, groups, markdown)
}
