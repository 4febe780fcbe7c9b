package ops

import "planner-tui/checklist"

// Target is where the planner stack lives and how to reach it: the one
// checklist.Target, so that the classifier's phrases and the stack ops
// name the same compose project.
type Target = checklist.Target

// TargetFromVars builds a Target from the effective runbook variables
// (front matter, then environment, then --set and --dir).
func TargetFromVars(vars map[string]string) (Target, error) {
	t, err := checklist.TargetFromVars(vars)
	if err != nil {
		return Target{}, err
	}
	return t, nil
}
