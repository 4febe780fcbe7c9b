package changes_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/changes"
	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/postgres"
)

const (
	headV122 = "7c41e0b2d9a4"
	headV123 = "c9e8f1a2b3d4"
	headV124 = "e5d4c3b2a1f0"
)

// plannerDir makes a planner dir with the sandbox's own recipe
// (sandbox/stack.sh create_planner_dir): main at v1.2.2, upstream origin/main
// at v1.2.3, tag v1.2.4 on release/1.2.4. It runs the shared stack's app image
// (project planner) but is a copy: the shared planner dir is not touched.
func plannerDir(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs("../../sandbox")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "-c", `set -euo pipefail; . "$1/lib.sh"; . "$1/stack.sh"; create_planner_dir`, "bash", src)
	cmd.Env = append(os.Environ(), "PLANNER_SANDBOX="+root)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("create_planner_dir: %v\n%s", err, out)
	}
	return filepath.Join(root, "planner")
}

// scratchAt is a scratch database whose alembic_version says rev ("" for a
// database never migrated); alembic renders offline, so no table is needed.
func scratchAt(t testing.TB, sb dockertest.Sandbox, rev string) postgres.Config {
	t.Helper()
	ctx := context.Background()
	cfg := postgres.ConfigFor(sb.Target, map[string]string{"POSTGRES_PASSWORD": sb.Password})
	admin, err := postgres.Connect(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("planner_tui_plan_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop scratch database %s: %v", name, err)
		}
		admin.Close(context.Background())
	})
	cfg.Database = name
	if rev != "" {
		conn, err := postgres.Connect(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, q := range []string{
			"CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
			"INSERT INTO alembic_version VALUES ('" + rev + "')",
		} {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cfg
}

func pendingOf(m changes.Migrations) []string {
	var out []string
	for _, r := range m.Pending {
		out = append(out, r.From+" -> "+r.To)
	}
	return out
}

// op plan on the sandbox: the pending revisions of the target and only their
// SQL, rendered by alembic in the running app container with the target's
// code copied in (no one-off container: the app runs the image a one-off
// would); a DROP COLUMN makes the plan destructive, named.
func TestPlanOnTheSandbox(t *testing.T) {
	sb := dockertest.Stack(t)
	tg := sb.Target
	tg.Dir = plannerDir(t)
	tests := []struct {
		name        string
		ref         string
		current     string
		from        string
		pending     []string
		destructive []string
		sqlHas      []string
	}{
		{"next release, the upstream by default", "", headV122, "upstream",
			[]string{headV122 + " -> " + headV123}, nil,
			[]string{"ALTER TABLE programs ADD COLUMN status", "CREATE INDEX ix_programs_status"}},
		{"a release that drops a column", "v1.2.4", headV123, "flag",
			[]string{headV123 + " -> " + headV124}, []string{"drop column resources.role"},
			[]string{"ALTER TABLE resources DROP COLUMN role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			p, err := changes.Build(ctx, changes.Options{Target: tg, Ref: tt.ref, DB: scratchAt(t, sb, tt.current)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Problems) > 0 {
				t.Fatalf("problems: %v", p.Problems)
			}
			if p.TargetFrom != tt.from {
				t.Errorf("target from %q, want %q", p.TargetFrom, tt.from)
			}
			m := p.Migrations
			if m.RenderedIn != "the running app container" || !strings.HasPrefix(m.Command, "docker exec ") {
				t.Errorf("rendered in %q by %q, want the running app container", m.RenderedIn, m.Command)
			}
			if m.Current != tt.current {
				t.Errorf("current %q, want %q", m.Current, tt.current)
			}
			if got := pendingOf(m); !slices.Equal(got, tt.pending) {
				t.Errorf("pending %v, want %v", got, tt.pending)
			}
			for _, s := range tt.sqlHas {
				if !strings.Contains(m.SQL, s) {
					t.Errorf("SQL lacks %q:\n%s", s, m.SQL)
				}
			}
			// Only the pending SQL: nothing of the migrations already run.
			if strings.Contains(m.SQL, "CREATE TABLE") || strings.Count(m.SQL, "-- Running upgrade") != len(tt.pending) {
				t.Errorf("SQL holds more than the pending migrations:\n%s", m.SQL)
			}
			if !slices.Equal(m.Destructive, tt.destructive) {
				t.Errorf("destructive %v, want %v", m.Destructive, tt.destructive)
			}
			if last := m.Pending[len(m.Pending)-1]; tt.destructive != nil && (len(last.Findings) == 0 || last.Findings[0].Rule != "ban-drop-column") {
				t.Errorf("the drop is not among the findings of %s: %+v", last.To, last.Findings)
			}
		})
	}
	t.Run("commits and .env keys of the next release", func(t *testing.T) {
		p, err := changes.Build(context.Background(), changes.Options{Target: tg, DB: scratchAt(t, sb, headV123)})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Commits) != 1 || !strings.HasPrefix(p.Commits[0].Subject, "Release 1.2.3") || len(p.Reverted) != 0 {
			t.Errorf("commits %+v reverted %+v, want the one of release 1.2.3", p.Commits, p.Reverted)
		}
		if !slices.Equal(p.Env.Added, []string{"RATE_LIMIT_PER_MINUTE"}) || !slices.Contains(p.Env.Missing, "RATE_LIMIT_PER_MINUTE") {
			t.Errorf("env %+v, want RATE_LIMIT_PER_MINUTE added to the example and missing from .env", p.Env)
		}
		if len(p.Migrations.Pending) != 0 {
			t.Errorf("database at v1.2.3's head: pending %v, want none", pendingOf(p.Migrations))
		}
	})
}
