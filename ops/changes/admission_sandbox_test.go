package changes_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"planner-tui/ops"
	"planner-tui/ops/changes"
	"planner-tui/ops/docker"
	"planner-tui/ops/docker/dockertest"
)

// oneOffStarts counts the one-off containers (compose run) of project
// started between since and until, as the engine's event log tells it.
func oneOffStarts(t *testing.T, d *docker.Client, project string, since, until time.Time) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := filters.NewArgs(
		filters.Arg("type", "container"), filters.Arg("event", "start"),
		filters.Arg("label", docker.LabelProject+"="+project),
		filters.Arg("label", docker.LabelOneoff+"=True"))
	msgs, errs := d.API().Events(ctx, events.ListOptions{
		Since: since.Format(time.RFC3339Nano), Until: until.Format(time.RFC3339Nano), Filters: f})
	n := 0
	for {
		select {
		case <-msgs:
			n++
		case err := <-errs:
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("docker events: %v", err)
			}
			return n
		}
	}
}

// On the sandbox: the first admission check of an upgrade renders in a
// one-off container of the app image; the second (the confirmed start
// after a refusal) starts none and finds the same.
func TestAdmissionCheckOnTheSandbox(t *testing.T) {
	sb := dockertest.Stack(t)
	check := changes.AdmissionCheck{
		Dir: t.TempDir(),
		// A database never migrated: every migration of the image is
		// pending, whatever the shared stack runs (offline alembic
		// connects to nothing; the database is not touched).
		Current: func(context.Context, ops.Target) (string, error) { return "", nil },
	}
	run := func() (changes.Migrations, int, time.Duration) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		since := time.Now()
		m, err := check.Check(ctx, sb.Target)
		took := time.Since(since)
		if err != nil {
			t.Fatal(err)
		}
		// the engine's clock in whole seconds: a second either side
		return m, oneOffStarts(t, sb.Client, sb.Target.Project, since.Add(-time.Second), time.Now().Add(time.Second)), took
	}
	first, n1, took1 := run()
	second, n2, took2 := run()
	t.Logf("first admission check %v (%d one-off container), second %v (%d)", took1.Round(time.Millisecond), n1, took2.Round(time.Millisecond), n2)
	if n1 != 1 || first.Cached {
		t.Errorf("first check: %d one-off containers started, cached %v; want 1 rendered", n1, first.Cached)
	}
	if n2 != 0 || !second.Cached {
		t.Errorf("second check: %d one-off containers started, cached %v; want none, the first render reused", n2, second.Cached)
	}
	if len(first.Pending) == 0 {
		t.Fatalf("nothing pending from an empty database: %+v", first)
	}
	if second.SQL != first.SQL || !slices.Equal(second.Destructive, first.Destructive) || !slices.Equal(second.Findings, first.Findings) {
		t.Errorf("the second check differs: findings %v %v, want %v %v", second.Findings, second.Destructive, first.Findings, first.Destructive)
	}
}
