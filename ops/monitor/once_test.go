package monitor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"planner-tui/ops/docker/dockertest"
)

func TestOnceStatesUnreachablePlainly(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	s := Once(context.Background(), deadTarget(t, "nothing"), nil, Options{})
	if !s.DockerKnown || !strings.Contains(s.DockerErr, "docker unreachable") {
		t.Errorf("docker: known %v, err %q", s.DockerKnown, s.DockerErr)
	}
	if !s.DBKnown || s.DB.Reachable || !strings.Contains(s.DB.Err, "connection refused") {
		t.Errorf("DB = %+v", s.DB)
	}
	if !s.Unreachable() {
		t.Error("Unreachable() = false")
	}
	if len(s.Disk) == 0 || s.Mem.Total == 0 {
		t.Errorf("host not read: disk %v mem %+v", s.Disk, s.Mem)
	}
}

// Once sees the sandbox as the monitor does, and names a service of the
// compose files that has no container as missing: it needs a look.
func TestOnceSandbox(t *testing.T) {
	sb := dockertest.Stack(t)
	tg := sb.Target
	// The sandbox's compose files, plus one that adds a service never created.
	extra := filepath.Join(t.TempDir(), "extra.yml")
	if err := os.WriteFile(extra, []byte("services:\n  worker:\n    image: none\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := slices.Clone(tg.ComposeFiles)
	tg.ComposeFiles = append(files, extra)
	s := Once(context.Background(), tg, map[string]string{"POSTGRES_PASSWORD": sb.Password}, Options{CriticalTables: []string{"programs"}})
	if s.Unreachable() || !s.DB.Reachable || len(s.Containers) == 0 {
		t.Fatalf("sandbox: docker %q, %d containers, db %+v", s.DockerErr, len(s.Containers), s.DB)
	}
	if _, ok := s.DB.RowCounts["programs"]; !ok {
		t.Errorf("no row count for the critical table: %+v", s.DB.RowCounts)
	}
	if !slices.Equal(s.Missing, []string{"worker"}) {
		t.Errorf("Missing = %v, want [worker]", s.Missing)
	}
	if !s.NeedsLook() {
		t.Error("a missing service does not need a look")
	}
}
