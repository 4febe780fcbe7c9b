package checklist

import "fmt"

// lintTickedInDocument warns about "- [x]" items: a run counts only the
// ticks a person gives in it (Run.Ticked), so a runbook copied from a
// filled-in checklist would otherwise look done to its author and not to
// planner-tui, or the other way round.
func lintTickedInDocument(path string, rb *Runbook) []Problem {
	var probs []Problem
	for _, st := range rb.Steps() {
		for _, ch := range st.Checks {
			if ch.Done {
				probs = append(probs, Problem{Path: path, Line: ch.Line, Severity: SeverityWarning, Message: fmt.Sprintf(
					"%q is ticked in the document ([x]): a run ignores that and starts it unticked; a person ticks it in the run (write [ ])", ch.Text)})
			}
		}
	}
	return probs
}
