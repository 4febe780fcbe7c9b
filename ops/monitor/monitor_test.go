package monitor

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"planner-tui/ops"
	"planner-tui/ops/docker"
	"planner-tui/ops/docker/dockertest"
)

// next waits for a snapshot that satisfies cond, failing with the last one
// seen when none does within d.
func next(t *testing.T, m *Monitor, d time.Duration, what string, cond func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.After(d)
	var last Snapshot
	for {
		select {
		case s, ok := <-m.Snapshots():
			if !ok {
				t.Fatalf("%s: snapshots closed; last %+v", what, last)
			}
			last = s
			if cond(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("%s: not within %s; last snapshot: docker %q containers %d db %+v", what, d, last.DockerErr, len(last.Containers), last.DB)
		}
	}
}

// closedPort returns a local TCP port nothing listens on.
func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func deadTarget(t *testing.T, project string) ops.Target {
	return ops.Target{Project: project, DBHost: "127.0.0.1", DBPort: closedPort(t), DBUser: "u", DBName: "d", Dir: t.TempDir()}
}

func TestUnreachableDockerAndDatabaseAreStatedPlainly(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := Start(ctx, deadTarget(t, "nothing"), nil, Options{DBTimeout: time.Second})
	s := next(t, m, 10*time.Second, "both failures reported", func(s Snapshot) bool { return s.DockerKnown && s.DBKnown })
	if !strings.Contains(s.DockerErr, "docker unreachable") {
		t.Errorf("DockerErr = %q, want it to say docker unreachable", s.DockerErr)
	}
	if s.DB.Reachable || !strings.Contains(s.DB.Err, "database unreachable") || !strings.Contains(s.DB.Err, "connection refused") {
		t.Errorf("DB = %+v, want unreachable, connection refused", s.DB)
	}
	if len(s.Disk) == 0 || s.Mem.Total == 0 {
		t.Errorf("host not read: disk %v mem %+v", s.Disk, s.Mem)
	}
	// it keeps trying: Refresh runs another database check at once
	first := s.DBAt
	m.Refresh()
	next(t, m, 5*time.Second, "a second check after Refresh", func(s Snapshot) bool { return s.DBAt.After(first) })
	cancel()
	for range m.Snapshots() {
	}
}

func TestWatchSeesAContainerStopAndStreamsItsLogs(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-mon-%d", os.Getpid())
	id := dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "web",
		Script: `i=0; while true; do i=$((i+1)); echo "tick $i"; [ $((i % 3)) = 0 ] && echo "ERROR tick $i"; sleep 0.2; done`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := Start(ctx, deadTarget(t, project), nil, Options{Every: 200 * time.Millisecond, DBTimeout: time.Second})
	running := func(s Snapshot) bool {
		return len(s.Containers) == 1 && s.Containers[0].Running() && s.Containers[0].Service == "web"
	}
	s := next(t, m, 15*time.Second, "the container running", running)
	if s.DockerErr != "" {
		t.Fatalf("docker error with a daemon up: %s", s.DockerErr)
	}
	next(t, m, 15*time.Second, "live memory from the stats stream", func(s Snapshot) bool {
		return running(s) && s.Containers[0].MemBytes > 0
	})

	// logs follow, through the monitor's client
	var mu sync.Mutex
	var lines []string
	lctx, lcancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- m.Logs(lctx, id, 5, func(l docker.LogLine) {
			mu.Lock()
			lines = append(lines, l.Text)
			mu.Unlock()
		})
	}()
	dockertest.Eventually(t, 10*time.Second, "an ERROR line in the followed log", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range lines {
			if strings.HasPrefix(l, "ERROR tick") {
				return true, ""
			}
		}
		return false, strings.Join(lines, "|")
	})
	lcancel()
	if err := <-done; err != nil {
		t.Fatalf("Logs: %v", err)
	}

	// a stop shows as exited
	stop := 1
	if err := c.API().ContainerStop(ctx, id, container.StopOptions{Timeout: &stop}); err != nil {
		t.Fatal(err)
	}
	s = next(t, m, 15*time.Second, "the container exited", func(s Snapshot) bool {
		return len(s.Containers) == 1 && s.Containers[0].State == "exited"
	})
	if s.Containers[0].Ready() {
		t.Fatal("an exited container counts as ready")
	}
	if len(s.Down()) != 1 {
		t.Fatalf("Down() = %v", s.Down())
	}

	// and a restart brings it back
	rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
	defer rcancel()
	if err := m.Restart(rctx, id); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	next(t, m, 15*time.Second, "running again after Restart", running)
}

func TestSandboxDatabaseReport(t *testing.T) {
	sb := dockertest.Stack(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := Start(ctx, sb.Target, map[string]string{"POSTGRES_PASSWORD": sb.Password}, Options{CriticalTables: []string{"programs"}})
	s := next(t, m, 15*time.Second, "a database report", func(s Snapshot) bool { return s.DBKnown && s.DockerKnown })
	if !s.DB.Reachable || s.DB.ServerVersion == "" {
		t.Fatalf("sandbox database not reported reachable: %+v", s.DB)
	}
	if s.DockerErr != "" || len(s.Containers) == 0 {
		t.Fatalf("sandbox containers: err %q, %d containers", s.DockerErr, len(s.Containers))
	}
}
