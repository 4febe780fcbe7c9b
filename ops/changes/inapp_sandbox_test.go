package changes_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/changes"
	"planner-tui/ops/docker/dockertest"
)

// The running app container (an exec, the target's alembic dir copied in)
// and a one-off container (the dir mounted) render the same SQL, and fail
// the same way, from the same scripts and revision; the exec starts no
// container and leaves nothing behind in the app's.
func TestInAppAndOneOffRenderTheSame(t *testing.T) {
	sb := dockertest.Stack(t)
	tg := sb.Target
	tg.Dir = plannerDir(t)
	tests := []struct {
		name, ref, current string
		pending            int
		problem            string
	}{
		{"the next release", "v1.2.3", headV122, 1, ""},
		{"a release that drops a column, from an empty database", "v1.2.4", "", 4, ""},
		{"a rollback target older than the database", "v1.2.2", headV124, 0, "which this code does not know"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			db := scratchAt(t, sb, tt.current)
			var inApp *changes.InApp
			since := time.Now()
			fast, err := changes.Build(ctx, changes.Options{Target: tg, Ref: tt.ref, DB: db, Render: func(src string) changes.Renderer {
				inApp = &changes.InApp{Target: tg, Source: src}
				return inApp
			}})
			if err != nil {
				t.Fatal(err)
			}
			tookFast := time.Since(since)
			started := oneOffStarts(t, sb.Client, tg.Project, since.Add(-time.Second), time.Now().Add(time.Second))
			since = time.Now()
			slow, err := changes.Build(ctx, changes.Options{Target: tg, Ref: tt.ref, DB: db, Render: func(src string) changes.Renderer {
				return changes.Alembic{Target: tg, Source: src}
			}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("plan in the running app %v, with a one-off container %v", tookFast.Round(time.Millisecond), time.Since(since).Round(time.Millisecond))
			if started != 0 {
				t.Errorf("the render in the running app started %d one-off containers", started)
			}
			if !strings.HasPrefix(inApp.Ran, "docker exec -w /tmp/planner-tui-plan-") {
				t.Errorf("the render ran %q, want an exec in a copy of the target's dir", inApp.Ran)
			}
			f, s := fast.Migrations, slow.Migrations
			if f.SQL != s.SQL {
				t.Errorf("the SQL differs:\n--- running app\n%s\n--- one-off\n%s", f.SQL, s.SQL)
			}
			if !slices.Equal(pendingOf(f), pendingOf(s)) || !slices.Equal(f.Destructive, s.Destructive) || !slices.Equal(f.Findings, s.Findings) {
				t.Errorf("running app: pending %v destructive %v findings %v\none-off: pending %v destructive %v findings %v",
					pendingOf(f), f.Destructive, f.Findings, pendingOf(s), s.Destructive, s.Findings)
			}
			if len(f.Pending) != tt.pending {
				t.Errorf("pending %v, want %d", pendingOf(f), tt.pending)
			}
			// The same verdict; the line of alembic's log quoted may differ
			// (compose v1 prints the exit code after it).
			for _, p := range [][]string{fast.Problems, slow.Problems} {
				if tt.problem == "" && len(p) > 0 || tt.problem != "" && (len(p) != 1 || !strings.Contains(p[0], tt.problem)) {
					t.Errorf("problems: running app %q, one-off %q; want %q", fast.Problems, slow.Problems, tt.problem)
				}
			}
		})
	}
	ct, err := sb.Client.ServiceContainer(context.Background(), tg.Project, "app")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code, err := sb.Client.Exec(context.Background(), ct.ID, []string{"ls", "-a", "/tmp"}, nil, nil, &out, nil); err != nil || code != 0 {
		t.Fatalf("ls /tmp in %s: exit %d, %v", ct.Name, code, err)
	}
	if strings.Contains(out.String(), "planner-tui-plan-") {
		t.Errorf("the copies are left in %s's /tmp:\n%s", ct.Name, out.String())
	}
}

// Without a running app container the exec path says why and renders
// nothing (the plan then renders in a one-off container).
func TestInAppWithoutTheApp(t *testing.T) {
	sb := dockertest.Stack(t)
	tg := sb.Target
	tg.Project = "planner-tui-no-such-project"
	r := &changes.InApp{Target: tg}
	sql, _, err := r.PendingSQL(context.Background(), headV122)
	var u *changes.UnavailableError
	if !errors.As(err, &u) || sql != "" || r.Ran != "" {
		t.Fatalf("sql %q, ran %q, err %v; want unavailable", sql, r.Ran, err)
	}
	if !strings.Contains(u.Why, "no container for service") {
		t.Errorf("why %q, want it to name the missing container", u.Why)
	}
}

// BenchmarkPlanFirstRender is op plan's first render (nothing cached) of
// the next release on the sandbox, by each path, and what the plan costs
// without any render (git and pgx): `make bench` reports it against issue
// 10's goal of 2 s.
func BenchmarkPlanFirstRender(b *testing.B) {
	sb := dockertest.Stack(b)
	tg := sb.Target
	tg.Dir = plannerDir(b)
	db := scratchAt(b, sb, headV122)
	for _, bb := range []struct {
		name   string
		render func(src string) changes.Renderer
	}{
		{"git and pgx only", func(string) changes.Renderer { return noRender{} }},
		{"running app, else one-off", nil},
		{"running app", func(src string) changes.Renderer { return &changes.InApp{Target: tg, Source: src} }},
		{"one-off container", func(src string) changes.Renderer { return changes.Alembic{Target: tg, Source: src} }},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				p, err := changes.Build(context.Background(), changes.Options{Target: tg, Ref: "v1.2.3", DB: db, Render: bb.render})
				if err != nil || len(p.Problems) > 0 {
					b.Fatalf("plan: %v %v", err, p.Problems)
				}
			}
		})
	}
}

type noRender struct{}

func (noRender) PendingSQL(context.Context, string) (string, string, error) {
	return "BEGIN;\n\nCOMMIT;\n", "", nil
}
