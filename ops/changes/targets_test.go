package changes_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"planner-tui/ops/changes"
)

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// The review's target picker offers the default (as op plan picks it),
// the tags newest version first, then the remote branches.
func TestTargets(t *testing.T) {
	root := t.TempDir()
	origin, clone := filepath.Join(root, "origin"), filepath.Join(root, "clone")
	gitIn(t, root, "init", "-q", "-b", "main", origin)
	gitIn(t, origin, "commit", "-q", "--allow-empty", "-m", "one")
	for _, tag := range []string{"v1.2", "v1.10", "v1.9"} {
		gitIn(t, origin, "tag", tag)
	}
	gitIn(t, origin, "branch", "release/2")
	gitIn(t, root, "clone", "-q", origin, clone)
	got, err := changes.Targets(context.Background(), clone)
	if err != nil {
		t.Fatal(err)
	}
	want := []changes.TargetChoice{
		{Ref: "", Label: "default: origin/main (upstream)"},
		{Ref: "v1.10", Label: "tag v1.10"}, {Ref: "v1.9", Label: "tag v1.9"}, {Ref: "v1.2", Label: "tag v1.2"},
		{Ref: "origin/main", Label: "branch origin/main"}, {Ref: "origin/release/2", Label: "branch origin/release/2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("targets\n%v\nwant\n%v", got, want)
	}
}
