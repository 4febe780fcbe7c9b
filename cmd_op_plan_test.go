package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"planner-tui/ops/docker/dockertest"
)

// op plan on the sandbox, through the binary: release 1.2.4's drop is named
// and the plan is a warning (exit 3). The planner dir is made with the
// sandbox's recipe and the shared .env (the database's password); it runs
// the shared stack's app image and reads its database, changing neither.
func TestOpPlanNamesTheDrop(t *testing.T) {
	sb := dockertest.Stack(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "build"), 0o755); err != nil {
		t.Fatal(err)
	}
	src, _ := filepath.Abs("sandbox")
	mk := exec.Command("bash", "-c", `set -euo pipefail; . "$1/lib.sh"; . "$1/stack.sh"; create_planner_dir >/dev/null`, "bash", src)
	mk.Env = append(os.Environ(), "PLANNER_SANDBOX="+root)
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("create_planner_dir: %v\n%s", err, out)
	}
	dir := filepath.Join(root, "planner")
	env, err := os.ReadFile(filepath.Join(sb.Target.Dir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), env, 0o600); err != nil {
		t.Fatal(err)
	}
	r := cli(t, "--dir", dir, "--state-dir", t.TempDir(), "--set", "COMPOSE_PROJECT_NAME="+sb.Target.Project,
		"--set", "DB_PORT="+strconv.Itoa(sb.Target.DBPort), "op", "plan", "--target", "v1.2.4")
	if r.code != 3 {
		t.Fatalf("exit %d, want 3\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"target   v1.2.4",
		"c9e8f1a2b3d4 -> e5d4c3b2a1f0  drop resource role",
		"ALTER TABLE resources DROP COLUMN role;",
		"destructive ban-drop-column: DROP COLUMN resources.role",
		"DESTRUCTIVE: the upgrade will drop column resources.role",
		// the app runs the image a one-off would start: no container is made
		"--sql, rendered in the running app container):",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("op plan does not say %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "CREATE TABLE") {
		t.Errorf("op plan shows more than the pending SQL:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "destructive migration: drop column resources.role") {
		t.Errorf("stderr %q does not say why it is a warning", r.stderr)
	}
}
