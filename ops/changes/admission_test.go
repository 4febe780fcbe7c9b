package changes_test

import (
	"context"
	"slices"
	"testing"

	"planner-tui/ops"
	"planner-tui/ops/changes"
)

// The admission check renders once per app image and revision: a second
// start of the same upgrade reuses the SQL (same findings), a rebuilt image
// or a migrated database renders again, and an image rebuilt while it
// rendered keeps nothing.
func TestAdmissionCheckKeepsTheRender(t *testing.T) {
	type step struct {
		image, current   string
		rebuiltMeanwhile bool // the image id changes during the render
		wantRender       bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"the second start reuses it", []step{{"sha256:a", "7c41e0b2d9a4", false, true}, {"sha256:a", "7c41e0b2d9a4", false, false}}},
		{"a rebuilt image renders again", []step{{"sha256:a", "7c41e0b2d9a4", false, true}, {"sha256:b", "7c41e0b2d9a4", false, true}}},
		{"a migrated database renders again", []step{{"sha256:a", "7c41e0b2d9a4", false, true}, {"sha256:a", "c9e8f1a2b3d4", false, true}}},
		{"rebuilt while rendering: nothing kept", []step{{"sha256:a", "7c41e0b2d9a4", true, true}, {"sha256:b", "7c41e0b2d9a4", false, true}}},
		{"no image id: rendered each time", []step{{"", "7c41e0b2d9a4", false, true}, {"", "7c41e0b2d9a4", false, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fake := &fakeAlembic{sql: twoRevisions, log: twoLogs}
			var first changes.Migrations
			for i, s := range tt.steps {
				image, reads := s.image, 0
				check := changes.AdmissionCheck{
					Dir: dir,
					ImageID: func(context.Context, ops.Target) (string, error) {
						reads++
						if s.rebuiltMeanwhile && reads > 1 {
							return image + "-rebuilt", nil
						}
						return image, nil
					},
					Current: func(context.Context, ops.Target) (string, error) { return s.current, nil },
					Render:  func(ops.Target) changes.Renderer { return fake },
				}
				before := fake.calls
				m, err := check.Check(context.Background(), ops.Target{Project: "planner", AppService: "app", Dir: "/srv/planner"})
				if err != nil {
					t.Fatal(err)
				}
				if rendered := fake.calls > before; rendered != s.wantRender {
					t.Errorf("start %d: rendered %v, want %v", i+1, rendered, s.wantRender)
				}
				if m.Cached == s.wantRender {
					t.Errorf("start %d: Cached %v, want %v", i+1, m.Cached, !s.wantRender)
				}
				if i == 0 {
					first = m
					continue
				}
				if !slices.Equal(m.Destructive, first.Destructive) || len(m.Findings) != len(first.Findings) || len(m.Pending) != len(first.Pending) {
					t.Errorf("start %d: findings %v destructive %v, want those of the first %v %v", i+1, m.Findings, m.Destructive, first.Findings, first.Destructive)
				}
			}
			if len(first.Destructive) == 0 {
				t.Errorf("the fixture's drop is not found: %+v", first)
			}
		})
	}
}
