package tuitest

import (
	"strings"
	"testing"
	"time"
)

// reviewWait bounds building a review: git, pgx, and alembic --sql in the
// running app container (1 to 2 s, a few more for its first render), else
// a one-off container of the app image (2 s idle, 15 s and more under load).
const reviewWait = 3 * time.Minute

// The Review changes page on the sandbox (embedded runbook, the shared
// stack, read only): c opens it from home, "rendering pending SQL…" while
// it is built, then release 1.2.3 chosen from the picker shows its pending
// revision from the database's (release 1.2.2's) with only its SQL and the
// lint's warning; esc goes back home. Run it under flock
// /tmp/planner-sandbox.lock.
func TestReviewShowsTheSandboxRelease(t *testing.T) {
	sb := needSandbox(t)
	d := startOperator(t, sb)
	s := d.tui
	s.Keys("c")
	s.WaitText("Review changes", "rendering pending SQL…")
	waitLong(s, "the plan against the default target", "Migrations: database at")
	s.Keys("Enter")
	s.WaitText("Review against", "tag v1.2.3")
	s.Type("v1.2.3")
	s.WaitFor("the picker to select v1.2.3", func(scr string) bool { return strings.Contains(selectedRow(scr), "tag v1.2.3") })
	s.Keys("Enter")
	scr := waitLong(s, "the plan against v1.2.3", "target   v1.2.3", "Migrations: database at")
	if !strings.Contains(scr, "Migrations: database at 7c41e0b2d9a4, 1 pending") {
		t.Fatalf("the sandbox's database is not at release 1.2.2's revision 7c41e0b2d9a4 (reset it: sandbox/reset.sh):\n%s", scr)
	}
	for _, want := range []string{"7c41e0b2d9a4 -> c9e8f1a2b3d4", "require-concurrent-index-creation"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the review lacks %q:\n%s", want, scr)
		}
	}
	s.Keys("G")
	scr = s.WaitText("COMMIT;")
	if !strings.Contains(scr, "CREATE INDEX ix_programs_status") || strings.Contains(scr, "CREATE TABLE") {
		t.Errorf("the end of the review is not only the pending SQL:\n%s", scr)
	}
	s.Keys("Escape")
	// home has an item named "Review changes to be deployed": the header
	// says which page shows
	s.WaitGone("Deployment Runbook › Review changes")
	s.WaitText("Deployment Runbook", "Sections")
}

// waitLong is waitText with reviewWait for a page built in the background.
func waitLong(s *tui, what string, texts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(reviewWait)
	for {
		scr := s.Capture()
		all := true
		for _, x := range texts {
			all = all && strings.Contains(scr, x)
		}
		if all {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %s; the screen:\n%s", reviewWait, what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
