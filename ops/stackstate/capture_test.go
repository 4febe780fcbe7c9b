package stackstate

import (
	"context"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"

	"planner-tui/ops/docker/dockertest"
)

func TestKeptTag(t *testing.T) {
	tests := []struct{ image, run, want string }{
		{"planner_app", "20261202-101500-deploy", "planner_app:pre-20261202-101500-deploy"},
		{"planner_app:latest", "r1", "planner_app:pre-r1"},
		{"localhost:5000/team/app:1.2", "r1", "localhost:5000/team/app:pre-r1"},
		{"localhost:5000/app", "r1", "localhost:5000/app:pre-r1"},
		{"sha256:abc", "r1", "planner-tui-kept:pre-r1"},
	}
	for _, tt := range tests {
		if got := KeptTag(tt.image, tt.run); got != tt.want {
			t.Errorf("KeptTag(%q, %q) = %q, want %q", tt.image, tt.run, got, tt.want)
		}
	}
}

// Capture on the sandbox reads what is really running: the checkout's
// commit, the version /health answers, the services' image ids, the
// database's alembic revision and a hash of .env; and the app image can
// be kept under a tag of its own.
func TestCaptureSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the sandbox stack")
	}
	sb := dockertest.Stack(t)
	ctx := context.Background()
	st := Capture(ctx, Options{Target: sb.Target, Env: map[string]string{"POSTGRES_PASSWORD": sb.Password}, Docker: sb.Client})
	if len(st.Errors) > 0 {
		t.Errorf("capture errors: %v", st.Errors)
	}
	head, err := exec.Command("git", "-C", sb.Target.Dir, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if st.Commit != strings.TrimSpace(string(head)) {
		t.Errorf("commit %q, want HEAD %s", st.Commit, head)
	}
	if v, err := AppVersion(ctx, sb.Target.BaseURL); err != nil || st.AppVersion != v || !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		t.Errorf("app version %q, /health says %q (%v)", st.AppVersion, v, err)
	}
	for _, svc := range []string{"app", "db", "redis"} {
		if im := st.Images[svc]; !strings.HasPrefix(im.ID, "sha256:") || im.Tag == "" {
			t.Errorf("image of %s: %+v, want an id and a tag", svc, im)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(st.Revision) {
		t.Errorf("revision %q", st.Revision)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(st.EnvHash) {
		t.Errorf("env hash %q", st.EnvHash)
	}

	ref := KeptTag(st.Images["app"].Tag, "test-"+strings.ReplaceAll(t.Name(), "/", "-"))
	if err := KeepImage(ctx, sb.Client, st.Images["app"].ID, ref); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// only the tag goes: the image is the running app's
		sb.Client.API().ImageRemove(context.Background(), ref, image.RemoveOptions{})
	})
	in, err := sb.Client.API().ImageInspect(ctx, ref)
	if err != nil || in.ID != st.Images["app"].ID {
		t.Errorf("kept image %s: %v, id %q, want %q", ref, err, in.ID, st.Images["app"].ID)
	}

	// Older kept tags beyond the newest KeepKept go; the one just kept and
	// the image the app runs stay.
	repo, _, _ := strings.Cut(ref, ":pre-")
	for i := range KeepKept + 1 {
		old := repo + ":pre-00000000-prunetest-" + string(rune('a'+i))
		if err := KeepImage(ctx, sb.Client, st.Images["app"].ID, old); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Client.API().ImageRemove(context.Background(), old, image.RemoveOptions{}) })
	}
	if _, err := PruneKept(ctx, sb.Client, repo, ref); err != nil {
		t.Fatal(err)
	}
	ims, err := sb.Client.API().ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("reference", repo+":pre-*"))})
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, im := range ims {
		tags = append(tags, im.RepoTags...)
	}
	// The two oldest undated tags are beyond the newest KeepKept whatever
	// other runs kept on this engine (a run of today is never pruned, so
	// there may be more than KeepKept left).
	for _, gone := range []string{repo + ":pre-00000000-prunetest-a", repo + ":pre-00000000-prunetest-b"} {
		if slices.Contains(tags, gone) {
			t.Errorf("kept tags after pruning: %v, %s among them", tags, gone)
		}
	}
	if !slices.Contains(tags, ref) {
		t.Errorf("kept tags after pruning: %v, the one just kept (%s) not among them", tags, ref)
	}
	if _, err := sb.Client.API().ImageInspect(ctx, st.Images["app"].ID); err != nil {
		t.Errorf("the running app's image went with the tags: %v", err)
	}
}
