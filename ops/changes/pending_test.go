package changes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"planner-tui/ops/changes"
)

// fakeAlembic stands in for alembic only where its output is the point:
// splitting and linting what it printed, and keeping it.
type fakeAlembic struct {
	sql, log string
	err      error
	calls    int
}

func (f *fakeAlembic) PendingSQL(_ context.Context, _ string) (string, string, error) {
	f.calls++
	return f.sql, f.log, f.err
}

const twoRevisions = `BEGIN;

-- Running upgrade 7c41e0b2d9a4 -> c9e8f1a2b3d4

ALTER TABLE programs ADD COLUMN status VARCHAR(20) DEFAULT 'active' NOT NULL;

UPDATE alembic_version SET version_num='c9e8f1a2b3d4' WHERE alembic_version.version_num = '7c41e0b2d9a4';

-- Running upgrade c9e8f1a2b3d4 -> e5d4c3b2a1f0

ALTER TABLE resources DROP COLUMN role;

UPDATE alembic_version SET version_num='e5d4c3b2a1f0' WHERE alembic_version.version_num = 'c9e8f1a2b3d4';

COMMIT;
`

const twoLogs = `INFO  [alembic.runtime.migration] Running upgrade 7c41e0b2d9a4 -> c9e8f1a2b3d4, add program status
INFO  [alembic.runtime.migration] Running upgrade c9e8f1a2b3d4 -> e5d4c3b2a1f0, drop resource role
`

func TestPendingSplitsAndLints(t *testing.T) {
	m, err := changes.Pending(context.Background(), &fakeAlembic{sql: twoRevisions, log: twoLogs}, "7c41e0b2d9a4")
	if err != nil {
		t.Fatal(err)
	}
	type rev struct {
		from, to, msg  string
		first, last    int
		findings       int
		firstFindingAt int
	}
	var got []rev
	for _, r := range m.Pending {
		at := 0
		if len(r.Findings) > 0 {
			at = r.Findings[0].Line
		}
		got = append(got, rev{r.From, r.To, r.Message, r.FromLine, r.ToLine, len(r.Findings), at})
	}
	want := []rev{
		{"7c41e0b2d9a4", "c9e8f1a2b3d4", "add program status", 3, 7, 1, 5},
		{"c9e8f1a2b3d4", "e5d4c3b2a1f0", "drop resource role", 9, 13, 1, 11},
	}
	if !slices.Equal(got, want) {
		t.Errorf("pending\n%+v\nwant\n%+v", got, want)
	}
	if !slices.Equal(m.Destructive, []string{"drop column resources.role"}) {
		t.Errorf("destructive %v", m.Destructive)
	}
}

func TestPendingSQLThatDoesNotParse(t *testing.T) {
	_, err := changes.Pending(context.Background(), &fakeAlembic{sql: "ALTER TABLE x DRP y;"}, "a")
	if err == nil {
		t.Fatal("unparsable SQL gave no error")
	}
}

func TestCachedRendersOncePerRevision(t *testing.T) {
	dir := t.TempDir()
	f := &fakeAlembic{sql: twoRevisions, log: twoLogs}
	c := &changes.Cached{Dir: dir, Key: "tree 1", R: f}
	ctx := context.Background()
	for i, tt := range []struct {
		current string
		fresh   bool
		hit     bool
		calls   int
	}{
		{"a", false, false, 1},
		{"a", false, true, 1},
		{"b", false, false, 2}, // another revision: other SQL
		{"a", true, false, 3},  // --fresh
	} {
		c.Fresh = tt.fresh
		sql, _, err := c.PendingSQL(ctx, tt.current)
		if err != nil || sql != twoRevisions || c.Hit != tt.hit || f.calls != tt.calls {
			t.Errorf("call %d: err %v, same SQL %v, hit %v (want %v), renders %d (want %d)", i, err, sql == twoRevisions, c.Hit, tt.hit, f.calls, tt.calls)
		}
	}
	// Another tree (the target moved): rendered again. An error is not kept.
	failing := &fakeAlembic{err: errors.New("alembic failed")}
	c2 := &changes.Cached{Dir: dir, Key: "tree 2", R: failing}
	for range 2 {
		if _, _, err := c2.PendingSQL(ctx, "a"); err == nil || c2.Hit {
			t.Errorf("err %v hit %v, want the failure each time", err, c2.Hit)
		}
	}
	if failing.calls != 2 {
		t.Errorf("a failure was kept: %d renders, want 2", failing.calls)
	}
}

// JSON lists are [], never null: nothing pending is an empty list.
func TestPendingNothingIsEmptyLists(t *testing.T) {
	m, err := changes.Pending(context.Background(), &fakeAlembic{sql: "BEGIN;\n\nCOMMIT;\n"}, "c9e8f1a2b3d4")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("null")) {
		t.Errorf("JSON has null: %s", b)
	}
}
