package stackstate

import (
	"slices"
	"testing"
	"time"
)

// Which kept tags go: beyond the newest KeepKept, and only when their run
// started a day ago or more, so that a deployment under way in another run
// keeps its way back.
func TestPrunable(t *testing.T) {
	now := time.Date(2026, 12, 2, 17, 30, 0, 0, time.UTC)
	tag := func(id string) string { return "planner_app:pre-" + id }
	tests := []struct {
		name   string
		tags   []string
		except string
		want   []string
	}{
		{"few: none go",
			[]string{tag("20261130-100000-a"), tag("20261201-100000-b")}, tag("20261201-100000-b"), nil},
		{"old ones beyond the newest three go",
			[]string{tag("20261101-100000-a"), tag("20261102-100000-b"), tag("20261103-100000-c"), tag("20261104-100000-d"), tag("20261105-100000-e")},
			tag("20261105-100000-e"),
			[]string{tag("20261102-100000-b"), tag("20261101-100000-a")}},
		{"a run of today stays, however many newer",
			[]string{tag("20261202-171735-deployment-runbook"), tag("20261202-172948-x"), tag("20261202-172949-y"), tag("20261202-172950-z")},
			tag("20261202-172950-z"), nil},
		{"except stays even when it is the oldest",
			[]string{tag("20261101-100000-a"), tag("20261102-100000-b"), tag("20261103-100000-c"), tag("20261104-100000-d")},
			tag("20261101-100000-a"),
			[]string{tag("20261102-100000-b")}},
		{"undated tags go by count alone",
			[]string{tag("00000000-prunetest-a"), tag("00000000-prunetest-b"), tag("20261202-170000-now"), tag("20261202-171000-now")},
			tag("20261202-171000-now"),
			[]string{tag("00000000-prunetest-a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Prunable(tt.tags, tt.except, now); !slices.Equal(got, tt.want) {
				t.Errorf("Prunable = %v, want %v", got, tt.want)
			}
		})
	}
}
