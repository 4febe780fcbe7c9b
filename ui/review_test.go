package ui

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"planner-tui/checklist"
	"planner-tui/ops/changes"
)

// fixedSQL renders a release's pending SQL as alembic would print it: one
// statement longer than any screen line, a drop.
type fixedSQL struct{}

const reviewSQL = `BEGIN;

-- Running upgrade 7c41e0b2d9a4 -> c9e8f1a2b3d4

ALTER TABLE programs ADD COLUMN status VARCHAR(20) DEFAULT 'active' NOT NULL;

CREATE INDEX ix_programs_status_owner_created ON programs USING btree (status, owner_id, created_at, updated_at, name, description_long_column_name);

UPDATE alembic_version SET version_num='c9e8f1a2b3d4' WHERE alembic_version.version_num = '7c41e0b2d9a4';

-- Running upgrade c9e8f1a2b3d4 -> e5d4c3b2a1f0

ALTER TABLE resources DROP COLUMN role;

UPDATE alembic_version SET version_num='e5d4c3b2a1f0' WHERE alembic_version.version_num = 'c9e8f1a2b3d4';

COMMIT;
`

func (fixedSQL) PendingSQL(context.Context, string) (string, string, error) {
	return reviewSQL, "INFO  [alembic.runtime.migration] Running upgrade 7c41e0b2d9a4 -> c9e8f1a2b3d4, add program status\nINFO  [alembic.runtime.migration] Running upgrade c9e8f1a2b3d4 -> e5d4c3b2a1f0, drop resource role\n", nil
}

// fakePlan is a plan as op plan builds it, its migrations split and linted
// by the real code from fixedSQL.
func fakePlan(t *testing.T, ref string) changes.Plan {
	t.Helper()
	m, err := changes.Pending(context.Background(), fixedSQL{}, "7c41e0b2d9a4")
	if err != nil {
		t.Fatal(err)
	}
	return changes.Plan{
		Running:    changes.Ref{Name: "HEAD", Commit: "7c41e0b2d9a4aaaa", Describe: "v1.2.2"},
		Target:     changes.Ref{Name: ref, Commit: "e5d4c3b2a1f0bbbb", Describe: ref},
		TargetFrom: "flag",
		Commits:    []changes.Commit{{Short: "e5d4c3b", Date: "2026-12-01T10:00:00Z", Subject: "Release 1.2.4: drop the resource role"}},
		Files:      []changes.FileChange{{Path: "backend/alembic/versions/e5d4c3b2a1f0_drop_role.py", Added: 20}},
		Env:        changes.EnvKeys{Example: ".env.production.example", Added: []string{"RATE_LIMIT_PER_MINUTE"}, Missing: []string{"RATE_LIMIT_PER_MINUTE"}},
		Migrations: m,
	}
}

// The review page: "rendering pending SQL…" while the plan is built in a
// Cmd, then the plan (the drop named), scrolled to the end, the target
// chosen from the picker built again for it, esc back home.
func TestReviewPage(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	release := make(chan struct{}, 4)
	review := func(ctx context.Context, ref string, fresh bool) (changes.Plan, error) {
		mu.Lock()
		asked = append(asked, ref)
		mu.Unlock()
		select {
		case <-release:
		case <-ctx.Done():
			return changes.Plan{}, ctx.Err()
		}
		name := ref
		if name == "" {
			name = "origin/main"
		}
		return fakePlan(t, name), nil
	}
	targets := func(context.Context) ([]changes.TargetChoice, error) {
		return []changes.TargetChoice{{Ref: "", Label: "default: origin/main, the branch's upstream"}, {Ref: "v1.2.4", Label: "tag v1.2.4"}, {Ref: "v1.2.3", Label: "tag v1.2.3"}}, nil
	}
	d := newDriverOpts(t, newTestEngine(t), 140, 30, Options{NoColor: true, Review: review, Targets: targets})
	if v := d.view(); !strings.Contains(v, "c review changes") {
		t.Errorf("home's key line does not offer the review:\n%s", v)
	}
	d.send(resize(80, 24))
	d.keys("c")
	d.waitText("rendering pending SQL…")
	release <- struct{}{}
	v := d.waitText("Migrations: database at 7c41e0b2d9a4, 2 pending")
	for _, want := range []string{"target   origin/main", "+ e5d4c3b 2026-12-01 Release 1.2.4", "MISSING from .env (add before deploying): RATE_LIMIT_PER_MINUTE", "✗ c9e8f1a2b3d4 -> e5d4c3b2a1f0  drop resource role"} {
		if !strings.Contains(v, want) {
			t.Errorf("the review lacks %q:\n%s", want, v)
		}
	}
	d.keys("G")
	v = d.view()
	for _, want := range []string{"COMMIT;", "✗", "ban-drop-column"} {
		if !strings.Contains(v, want) {
			t.Errorf("the end of the review lacks %q:\n%s", want, v)
		}
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyHome})
	d.keys("pgdown")
	if v := d.view(); !strings.Contains(v, "DESTRUCTIVE: the upgrade will drop column resources.role") {
		t.Errorf("the second page does not name the drop:\n%s", v)
	}

	d.keys("enter")
	d.waitText("tag v1.2.4")
	d.typ("v1.2.3")
	d.keys("enter")
	d.waitText("rendering pending SQL…")
	release <- struct{}{}
	d.waitText("target   v1.2.3")
	mu.Lock()
	if len(asked) != 2 || asked[0] != "" || asked[1] != "v1.2.3" {
		t.Errorf("plans asked for %q, want the default then v1.2.3", asked)
	}
	mu.Unlock()

	d.keys("esc")
	if v := d.view(); strings.Contains(v, "Review changes") || !strings.Contains(v, "Sections") {
		t.Errorf("esc did not go back home:\n%s", v)
	}
}

// The page's text at a width: nothing wider, nothing cut (every word of the
// long statement is there, no "…"), the finding under its line, the drop's
// lines red, the warnings' yellow.
func TestReviewBodyWrapsAndColours(t *testing.T) {
	st := NewStyles(true, false)
	p := fakePlan(t, "v1.2.4")
	for _, w := range []int{60, 80, 120} {
		lines := reviewBody(st, p, w)
		plainText := ansiStripStr(strings.Join(lines, "\n"))
		for i, l := range lines {
			if ansiWidth(l) > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i, ansiWidth(l), ansiStripStr(l))
			}
		}
		if strings.Contains(plainText, "…") {
			t.Errorf("width %d: something was cut:\n%s", w, plainText)
		}
		words := strings.Join(strings.Fields(plainText), " ")
		for _, word := range strings.Fields("CREATE INDEX ix_programs_status_owner_created ON programs USING btree (status, owner_id, created_at, updated_at, name, description_long_column_name);") {
			if !strings.Contains(words, word) {
				t.Errorf("width %d: the long statement lost %q", w, word)
			}
		}
		red := strings.Split(st.Destructive.Render("✗"), "✗")[0]
		yellow := strings.Split(st.Warn.Render("⚠"), "⚠")[0]
		var drop, index bool
		for _, l := range lines {
			pl := ansiStripStr(l)
			if strings.Contains(pl, "ALTER TABLE resources DROP") {
				drop = true
				if !strings.HasPrefix(pl, " ✗") || !strings.HasPrefix(l, red) {
					t.Errorf("width %d: the drop's line is not marked ✗ in red: %q", w, l)
				}
			}
			if strings.Contains(pl, "CREATE INDEX ix_") {
				index = true
				if !strings.HasPrefix(pl, " ⚠") || !strings.HasPrefix(l, yellow) {
					t.Errorf("width %d: the index's line is not marked ⚠ in yellow: %q", w, l)
				}
			}
		}
		if !drop || !index {
			t.Errorf("width %d: the SQL is not shown:\n%s", w, plainText)
		}
	}
}

// The review is offered where the migrations are: a step whose command
// runs alembic upgrade (its detail says c opens the review), or that links
// to the migration procedure; not elsewhere.
func TestReviewOfferedNearMigrations(t *testing.T) {
	rb, _, err := checklist.Parse("t.md", []byte("# T\n\n## Deploy\n\n### Step 5: Run Database Migrations\n\nSee [Database Migration Procedure](#database-migration-procedure) section.\n\n### Step 6: Deploy\n\n```bash\n# Start\ndocker-compose up -d\n```\n\n## Database Migration Procedure\n\n### Migration Execution\n\n```bash\n# Dry run\ndocker-compose run --rm -T app alembic upgrade head --sql > migration-preview.sql\n\n# Review the SQL\ncat migration-preview.sql\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := &Context{styles: NewStyles(true, true), keys: DefaultKeyMap(), opts: Options{Review: func(context.Context, string, bool) (changes.Plan, error) { return changes.Plan{}, nil }}}
	tests := []struct {
		step  string
		offer bool
	}{
		{"Step 5: Run Database Migrations", true},
		{"Step 6: Deploy", false},
		{"Migration Execution", true},
	}
	for _, tt := range tests {
		var step *checklist.Step
		for _, sec := range rb.Sections {
			for _, st := range sec.Steps {
				if st.Title == tt.step {
					step = st
				}
			}
		}
		if step == nil {
			t.Fatalf("no step %q", tt.step)
		}
		if got := reviewOffered(step); got != tt.offer {
			t.Errorf("%s: offered %v, want %v", tt.step, got, tt.offer)
		}
		for _, cmd := range step.Commands {
			hint := ansiStripStr(strings.Join(c.reviewHint(cmd), "\n"))
			if want := strings.Contains(cmd.Script, "migration-preview"); strings.Contains(hint, "c Review changes") != want {
				t.Errorf("%s: the detail's hint %q, want one: %v", cmd.Title, hint, want)
			}
		}
	}
}

// The page says where the SQL was rendered, and the plan's notes (a target
// that changes how the image is built) as warnings, whole.
func TestReviewSaysWhereTheSQLWasRendered(t *testing.T) {
	st := NewStyles(false, false)
	tests := []struct {
		name string
		edit func(*changes.Migrations)
		has  []string
	}{
		{"in the running app container", func(m *changes.Migrations) { m.RenderedIn = "the running app container" },
			[]string{"Pending SQL (alembic upgrade 7c41e0b2d9a4:head --sql, rendered in the running app container):"}},
		{"in a one-off container, saying why", func(m *changes.Migrations) {
			m.RenderedIn = "a one-off container (the app service is not running (exited))"
		}, []string{"rendered in a one-off container (the app service is not running (exited))):"}},
		{"kept from earlier", func(m *changes.Migrations) { m.Cached = true },
			[]string{"rendered earlier for the same scripts and revision"}},
		{"a note", func(m *changes.Migrations) {
			m.Notes = []string{"the target changes how the app image is built (backend/Dockerfile)"}
		},
			[]string{"⚠ note: the target changes how the app image is built (backend/Dockerfile)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fakePlan(t, "v1.2.4")
			tt.edit(&p.Migrations)
			words := strings.Join(strings.Fields(ansiStripStr(strings.Join(reviewBody(st, p, 200), "\n"))), " ")
			for _, s := range tt.has {
				if !strings.Contains(words, s) {
					t.Errorf("the page lacks %q:\n%s", s, words)
				}
			}
		})
	}
}
