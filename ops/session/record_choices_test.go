package session

import (
	"strings"
	"testing"

	"planner-tui/checklist"
)

func TestWithRecorded(t *testing.T) {
	from := &checklist.StackState{Commit: "7c41e0b2d9a4ffff0000", Tag: "v1.2.2", Revision: "7c41e0b2d9a4",
		Backup: &checklist.BackupRef{Path: "/b/pre-deploy-20261202-101500.sql", SHA256: "ff"}}
	tests := []struct {
		name      string
		param     string
		choices   []Choice
		from      *checklist.StackState
		wantFirst string
		wantLen   int
		recorded  bool
	}{
		{"commit moved first", "previous-commit-hash", []Choice{{Value: "aaaaaaa"}, {Value: "7c41e0b"}}, from, "7c41e0b", 2, true},
		{"commit not listed: offered", "previous-commit-hash", []Choice{{Value: "aaaaaaa"}}, from, from.Commit, 2, true},
		{"tag", "previous-tag", []Choice{{Value: "v1.2.3"}, {Value: "v1.2.2"}}, from, "v1.2.2", 2, true},
		{"revision", "revision-id", []Choice{{Value: "c9e8f1a2b3d4"}, {Value: "7c41e0b2d9a4"}, {Value: "base"}}, from, "7c41e0b2d9a4", 3, true},
		{"backup by its path", "timestamp", []Choice{{Value: "20261202-110000", Label: "/b/pre-deploy-20261202-110000.sql  x"}, {Value: "20261202-101500", Label: "/b/pre-deploy-20261202-101500.sql  2026-12-02 10:15  10 bytes"}}, from, "20261202-101500", 2, true},
		{"backup not on disk: nothing added", "timestamp", []Choice{{Value: "x", Label: "/b/other.sql  x"}}, from, "x", 1, false},
		{"no record", "revision-id", []Choice{{Value: "c9e8f1a2b3d4"}}, nil, "c9e8f1a2b3d4", 1, false},
		{"branched heads: no one value", "revision-id", []Choice{{Value: "a"}}, &checklist.StackState{Revision: "a,b"}, "a", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := withRecorded(tt.param, tt.choices, tt.from)
			if len(got) != tt.wantLen || got[0].Value != tt.wantFirst || got[0].Recorded != tt.recorded {
				t.Fatalf("got %+v, want %s first (recorded %v), %d choices", got, tt.wantFirst, tt.recorded, tt.wantLen)
			}
			if tt.recorded && !strings.Contains(got[0].Label, RecordedLabel) {
				t.Errorf("label %q does not say %q", got[0].Label, RecordedLabel)
			}
		})
	}
}
