package session

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"planner-tui/checklist"
)

// A runbook variable read only inside an inner script (bash -c '...') is
// in the command's environment: what the classifier resolved for the
// phrase is what the script sees, not an empty string.
func TestInnerScriptSeesRunbookVariables(t *testing.T) {
	f := newFixture(t)
	rb := "---\ntitle: Inner\nvars:\n  PLANNER_DIR: \".\"\n  SCRATCH: /nonexistent-scratch\n---\n\n# Inner\n\n## Work\n\n### Scratch\n\n" +
		"```bash\n# Inner script\nbash -c 'echo \"inner sees [$SCRATCH]\"; echo \"and [${MARK_DIR}]\"'\n```\n"
	f.runbook = filepath.Join(t.TempDir(), "inner.md")
	if err := os.WriteFile(f.runbook, []byte(rb), 0o644); err != nil {
		t.Fatal(err)
	}
	s := f.open(t)
	cr, out := run(t, s, "work/scratch/inner-script", nil, "")
	if cr.Status != checklist.OK {
		t.Fatalf("inner script: %+v", cr)
	}
	for _, want := range []string{"inner sees [/nonexistent-scratch]", "and [" + f.marks + "]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
}
