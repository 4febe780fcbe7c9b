package docs

import (
	"testing"

	"planner-tui/checklist"
)

// The embedded runbook lints clean: no error and no warning, in particular
// none about failure-swallowing (a check that would pass when it fails).
func TestEmbeddedRunbookLintsClean(t *testing.T) {
	for _, p := range checklist.Lint(RunbookPath, Runbook) {
		t.Errorf("%s", p)
	}
}
