package session

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/changes"
	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/sqllint"
)

// release124 is release 1.2.4's alembic dir (it drops resources.role), made
// with the sandbox's own recipe and readable by the app container's user.
func release124(t *testing.T) string {
	t.Helper()
	root, out := t.TempDir(), t.TempDir()
	if err := os.Chmod(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs("../../sandbox")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", `set -euo pipefail; . "$1/lib.sh"; . "$1/stack.sh"; create_planner_dir >/dev/null
		git -C "$PLANNER_DIR" archive v1.2.4 backend | tar -x -C "$2"`, "bash", src, out)
	cmd.Env = append(os.Environ(), "PLANNER_SANDBOX="+root)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release 1.2.4: %v\n%s", err, b)
	}
	return filepath.Join(out, "backend")
}

// A release whose migration drops a column makes `alembic upgrade head`
// destructive at admission: the check renders the pending SQL for real
// (alembic in a one-off container of the sandbox's app image, release
// 1.2.4's scripts mounted, from v1.2.3's head), the start the operator
// confirmed with "yes" is refused naming the column, the plan then asks for
// the phrase "drop column resources.role", and that phrase runs it, also
// in a new session that never showed the plan (headless `run --confirm`).
func TestDestructiveMigrationRaisesTheUpgrade(t *testing.T) {
	sb := dockertest.Stack(t)
	src := release124(t)
	// Rendered once for all the admissions below: the SQL of one tree
	// from one revision does not change.
	cached := &changes.Cached{Dir: t.TempDir(), Key: "release 1.2.4", R: changes.Alembic{Target: sb.Target, Source: src}}
	checks := 0
	check := func(ctx context.Context, _ ops.Target) (changes.Migrations, error) {
		checks++
		return changes.Pending(ctx, cached, "c9e8f1a2b3d4")
	}
	f := newFixture(t)
	o := f.options()
	o.Migrations = check
	open := func() *Session {
		s, err := Open(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := open()
	if cr, _ := run(t, s, idBackup, nil, "yes"); cr.Status != checklist.OK { // past the backup gate
		t.Fatalf("backup step: %+v", cr)
	}
	p := plan(t, s, idMigrate, nil)
	if p.Risk != checklist.Change || p.Confirm != "" || p.Migration != nil {
		t.Fatalf("before any check: risk %s, phrase %q, migration %+v; want a change without phrase", p.Risk, p.Confirm, p.Migration)
	}

	_, err := s.Start(context.Background(), p, "yes", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("start with \"yes\": %v, want *RefusedError", err)
	}
	for _, want := range []string{"drop column resources.role", `type "drop column resources.role"`, "c9e8f1a2b3d4 -> e5d4c3b2a1f0 drop resource role"} {
		if !strings.Contains(refused.Reason, want) {
			t.Errorf("refusal %q does not say %q", refused.Reason, want)
		}
	}
	if cr := s.Run().Commands[idMigrate]; cr != nil && cr.Status != checklist.Pending {
		t.Errorf("the refused migration ran: %+v", cr)
	}

	p = plan(t, s, idMigrate, nil)
	if p.Risk != checklist.Destructive || p.Confirm != "drop column resources.role" || !strings.Contains(p.Destroys, "resources.role") {
		t.Fatalf("after the check: risk %s, phrase %q, destroys %q", p.Risk, p.Confirm, p.Destroys)
	}
	if m := p.Migration; m == nil || !slices.ContainsFunc(m.Findings, func(f sqllint.Finding) bool { return f.Rule == "ban-drop-column" }) || m.Current != "c9e8f1a2b3d4" {
		t.Fatalf("the plan's migration check: %+v, want the ban-drop-column finding from c9e8f1a2b3d4", m)
	}
	if cr, _ := run(t, s, idMigrate, nil, "drop column resources.role"); cr.Status != checklist.OK {
		t.Fatalf("with the phrase: %+v", cr)
	}

	// Headless: a new session has shown nothing, the operator types the
	// phrase the refusal named.
	s.Close()
	s2 := open()
	p = plan(t, s2, idMigrate, nil)
	if _, err := s2.Start(context.Background(), p, "yes", nil); !errors.As(err, &refused) {
		t.Fatalf("new session, \"yes\": %v, want refused", err)
	}
	if cr, _ := run(t, s2, idMigrate, nil, "drop column resources.role"); cr.Status != checklist.OK {
		t.Fatalf("new session, with the phrase: %+v", cr)
	}
	if checks < 4 {
		t.Errorf("%d checks, want one per admission (4)", checks)
	}
}

// A check that finds nothing destructive leaves the upgrade a change, and a
// failed check is said (audited, on the plan) without blocking it.
func TestMigrationCheckWithoutDrops(t *testing.T) {
	for _, tt := range []struct {
		name string
		mig  changes.Migrations
		err  error
	}{
		{"nothing destructive", changes.Migrations{Current: "a", Pending: []changes.Revision{{From: "a", To: "b", Message: "add a column"}}}, nil},
		{"the check failed", changes.Migrations{}, errors.New("database unreachable at 127.0.0.1:1")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			o := f.options()
			o.Migrations = func(context.Context, ops.Target) (changes.Migrations, error) { return tt.mig, tt.err }
			s, err := Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if cr, _ := run(t, s, idBackup, nil, "yes"); cr.Status != checklist.OK {
				t.Fatalf("backup step: %+v", cr)
			}
			if cr, _ := run(t, s, idMigrate, nil, "yes"); cr.Status != checklist.OK {
				t.Fatalf("migration with \"yes\": %+v", cr)
			}
			p := plan(t, s, idMigrate, nil)
			if p.Risk != checklist.Change || p.Migration == nil || (tt.err != nil) != (p.Migration.Err != "") {
				t.Errorf("plan after the check: risk %s, migration %+v", p.Risk, p.Migration)
			}
		})
	}
}
