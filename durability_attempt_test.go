package main

import (
	"path/filepath"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// A quick re-run killed between saving its end and auditing it: the
// previous attempt's run.end (seconds earlier) does not count for it, and
// the next start writes the missing one, with the attempt's job id.
func TestKillBetweenStateAndAuditOfAQuickRerun(t *testing.T) {
	s := newStack(t)
	if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	crashAt(t, "after-save", s.args("run", idGreet)...)
	c := s.runState(t).Commands[idGreet]
	if c == nil || c.Status != checklist.OK || c.Attempt != 2 || c.EndAudit == "" {
		t.Fatalf("saved state after the kill: %+v, want the second attempt ok and not yet audited", c)
	}
	if r := cli(t, s.args("run", idExit42)...); r.code == 0 {
		t.Fatalf("next run: exit %d, want the failure of exit 42: %s", r.code, r.stderr)
	}
	ends := s.ends(t, idGreet)
	if len(ends) != 2 {
		t.Fatalf("run.end records of greet: %+v, want one for each attempt", ends)
	}
	if ends[0].JobID == "" || ends[0].JobID == ends[1].JobID || ends[1].JobID != c.JobID {
		t.Errorf("run.end job ids %q and %q, want the two attempts' (%q last)", ends[0].JobID, ends[1].JobID, c.JobID)
	}
	if bad, err := audit.Verify(filepath.Join(s.state, "audit.jsonl")); err != nil {
		t.Errorf("audit chain broken at line %d: %v", bad, err)
	}
}
