package report

import "planner-tui/checklist"

// Ended says whether a command ran to its end, so that its exit code means
// something.
func Ended(s checklist.Status) bool {
	return s == checklist.OK || s == checklist.Warning || s == checklist.Failed
}

// StatusMark is the one-column status of a command in text output: ✓ only
// for ok; a warning is ⚠.
func StatusMark(cr *checklist.CommandRun) string {
	if cr == nil {
		return " "
	}
	switch cr.Status {
	case checklist.OK:
		return "✓"
	case checklist.Warning:
		return "⚠"
	case checklist.Failed:
		return "✗"
	case checklist.Running:
		return "▶"
	case checklist.Skipped:
		return "-"
	case checklist.Interrupted:
		return "!"
	}
	return " "
}
