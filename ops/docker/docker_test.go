package docker_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/ops/docker"
	"planner-tui/ops/docker/dockertest"
)

func TestUnreachableDaemon(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct{ host, want string }{
		{"unix:///nonexistent", "docker unreachable at unix:///nonexistent: no such file or directory"},
		{"tcp://" + closed, "docker unreachable at tcp://" + closed + ": connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", tt.host)
			start := time.Now()
			_, err := docker.New(context.Background())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to say the daemon is unreachable", d)
			}
		})
	}
}

func TestSandboxContainers(t *testing.T) {
	sb := dockertest.Stack(t)
	ctx := context.Background()
	cs, err := sb.Client.Containers(ctx, sb.Target.Project)
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]docker.Container{}
	for _, c := range cs {
		services[c.Service] = c
	}
	for _, svc := range []string{"db", "redis", "app"} {
		c, ok := services[svc]
		if !ok {
			t.Errorf("service %s missing from %+v", svc, cs)
			continue
		}
		if c.ID == "" || c.Name == "" || c.Image == "" || c.State == "" || c.Number != 1 {
			t.Errorf("%s: incomplete %+v", svc, c)
		}
	}
	db := services["db"]
	if !db.Running() || db.Health != "healthy" || db.StartedAt.IsZero() {
		t.Errorf("db should be running and healthy with a start time: %+v", db)
	}
	got, err := sb.Client.ServiceContainer(ctx, sb.Target.Project, "db")
	if err != nil || got.ID != db.ID {
		t.Errorf("ServiceContainer(db) = %+v, %v; want %s", got, err, db.ID)
	}
	if _, err := sb.Client.ServiceContainer(ctx, sb.Target.Project, "nope"); err == nil || !strings.Contains(err.Error(), `no container for service "nope"`) {
		t.Errorf("missing service: %v", err)
	}
}

// The watcher must show a failing healthcheck and a stopped container
// within seconds, and live stats for a running one.
func TestWatchHealthFlipAndStop(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-watch-%d", time.Now().UnixNano()%1e6)
	id := dockertest.Run(t, c, dockertest.Throwaway{
		Project: project, Script: "touch /tmp/ok; exec sleep 600",
		HealthCmd: []string{"CMD", "test", "-f", "/tmp/ok"}, StopTimeout: 1,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	snaps := c.Watch(ctx, project, 200*time.Millisecond)
	var mu sync.Mutex
	var last docker.Snapshot
	go func() {
		for s := range snaps {
			mu.Lock()
			last = s
			mu.Unlock()
		}
	}()
	see := func(what string, within time.Duration, cond func(docker.Container) bool) {
		t.Helper()
		dockertest.Eventually(t, within, what, func() (bool, string) {
			mu.Lock()
			defer mu.Unlock()
			if last.Err != nil {
				return false, last.Err.Error()
			}
			for _, ct := range last.Containers {
				if ct.ID == id {
					return cond(ct), fmt.Sprintf("%+v", ct)
				}
			}
			return false, fmt.Sprintf("%d containers", len(last.Containers))
		})
	}
	see("healthy", 10*time.Second, func(ct docker.Container) bool { return ct.Health == "healthy" })
	see("memory stats", 10*time.Second, func(ct docker.Container) bool { return ct.MemBytes > 0 && ct.MemLimit > 0 })

	if code, err := c.Exec(ctx, id, []string{"rm", "/tmp/ok"}, nil, nil, nil, nil); err != nil || code != 0 {
		t.Fatalf("rm /tmp/ok: %d %v", code, err)
	}
	see("unhealthy after the probe file is removed", 5*time.Second, func(ct docker.Container) bool {
		return ct.Health == "unhealthy" && ct.Ready() == false
	})

	if err := c.API().ContainerStop(ctx, id, stopNow()); err != nil {
		t.Fatal(err)
	}
	see("exited after stop", 5*time.Second, func(ct docker.Container) bool { return ct.State == "exited" && ct.CPUPercent == 0 })
	cancel()
	dockertest.Eventually(t, 5*time.Second, "channel closes when ctx ends", func() (bool, string) {
		select {
		case _, ok := <-snaps:
			return !ok, "still open"
		default:
			return false, "still open"
		}
	})
}

func TestLogsFollowAcrossRestart(t *testing.T) {
	c := dockertest.Client(t)
	id := dockertest.Run(t, c, dockertest.Throwaway{StopTimeout: 1, Script: `
n=$(cat /tmp/boots 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/boots
echo "boot $n"; echo "oops $n" >&2
while :; do echo "tick $n"; sleep 0.2; done`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var lines []docker.LogLine
	done := make(chan error, 1)
	go func() {
		done <- c.Logs(ctx, id, docker.LogOptions{Follow: true}, func(l docker.LogLine) {
			mu.Lock()
			lines = append(lines, l)
			mu.Unlock()
		})
	}()
	count := func(stream, text string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, l := range lines {
			if l.Stream == stream && l.Text == text {
				n++
			}
		}
		return n
	}
	has := func(stream, text string) func() (bool, string) {
		return func() (bool, string) {
			mu.Lock()
			n := len(lines)
			mu.Unlock()
			return count(stream, text) > 0, fmt.Sprintf("%d lines", n)
		}
	}
	dockertest.Eventually(t, 10*time.Second, "boot 1 on stdout", has("stdout", "boot 1"))
	dockertest.Eventually(t, 10*time.Second, "oops 1 on stderr", has("stderr", "oops 1"))
	dockertest.Eventually(t, 10*time.Second, "ticking", has("stdout", "tick 1"))
	if err := c.Restart(ctx, id, time.Second); err != nil {
		t.Fatal(err)
	}
	dockertest.Eventually(t, 15*time.Second, "boot 2 after restart", has("stdout", "boot 2"))
	dockertest.Eventually(t, 5*time.Second, "tick 2 after restart", has("stdout", "tick 2"))
	if n := count("stdout", "boot 1"); n != 1 {
		t.Errorf("boot 1 seen %d times; reopening must not repeat lines", n)
	}
	mu.Lock()
	for i, l := range lines {
		if l.Stream != "event" && l.Time.IsZero() {
			t.Errorf("line %d has no timestamp: %+v", i, l)
		}
	}
	mu.Unlock()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Logs returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Logs did not return after cancel")
	}
}

func TestExec(t *testing.T) {
	c := dockertest.Client(t)
	id := dockertest.Run(t, c, dockertest.Throwaway{Script: "exec sleep 600", StopTimeout: 1})
	ctx := context.Background()
	tests := []struct {
		name       string
		cmd        []string
		env        []string
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"stdin copied and closed, exit code kept", []string{"sh", "-c", "cat; echo done >&2; exit 3"}, nil, "hello\n", 3, "hello\n", "done\n"},
		{"secret via env, not argv", []string{"sh", "-c", `printf %s "$SECRET"`}, []string{"SECRET=s3cr3t"}, "", 0, "s3cr3t", ""},
		{"missing binary", []string{"/no/such/binary"}, nil, "", 126, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var in *strings.Reader
			if tt.stdin != "" {
				in = strings.NewReader(tt.stdin)
			}
			var code int
			var err error
			if in != nil {
				code, err = c.Exec(ctx, id, tt.cmd, tt.env, in, &stdout, &stderr)
			} else {
				code, err = c.Exec(ctx, id, tt.cmd, tt.env, nil, &stdout, &stderr)
			}
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (stdout %q stderr %q)", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if tt.wantStdout != "" && stdout.String() != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr != "" && stderr.String() != tt.wantStderr {
				t.Errorf("stderr %q, want %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}
