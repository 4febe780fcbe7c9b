// Package dockertest gives ops tests a real Docker daemon and the sandbox
// stack (see sandbox/), or a clear skip (a failure under CI=true), plus
// throwaway containers that are labelled and removed after the test.
package dockertest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"planner-tui/ops"
	"planner-tui/ops/docker"
)

// SandboxRoot is where the sandbox stack lives unless PLANNER_SANDBOX says
// otherwise.
const SandboxRoot = "/var/tmp/planner-sandbox"

// TestLabel marks every container a test creates.
const TestLabel = "planner-tui.test"

// Unavailable skips the test, or fails it under CI=true, where a missing
// service is a broken pipeline rather than a developer laptop.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s", msg)
	}
	t.Skip(msg)
}

// Client connects to the daemon or skips.
func Client(t testing.TB) *docker.Client {
	t.Helper()
	if testing.Short() {
		// `make check` and `make unit` run before anything starts the
		// engine; `make test` runs these without -short, where a missing
		// daemon fails under CI=true.
		t.Skip("needs the Docker engine: not with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := docker.New(ctx)
	if err != nil {
		Unavailable(t, "no docker daemon: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Sandbox is the running sandbox stack as the tests reach it.
type Sandbox struct {
	Client   *docker.Client
	Target   ops.Target
	Password string // the database password (POSTGRES_PASSWORD)
}

// Stack finds the sandbox: the variables from <root>/planner-tui.env when it
// exists, else the sandbox defaults (project planner, db on 127.0.0.1:15432,
// planner_admin / planner_production), the password from the planner dir's
// .env; and waits up to 90 s for the db container to be healthy.
func Stack(t testing.TB) Sandbox {
	t.Helper()
	c := Client(t)
	root := os.Getenv("PLANNER_SANDBOX")
	if root == "" {
		root = SandboxRoot
	}
	vars := map[string]string{
		"PLANNER_DIR": filepath.Join(root, "planner"), "COMPOSE_PROJECT_NAME": "planner",
		"DB_USER": "planner_admin", "DB_NAME": "planner_production", "DB_PORT": "15432",
		"BACKUP_DIR": filepath.Join(root, "backups"),
	}
	for k, v := range readEnv(filepath.Join(root, "planner-tui.env")) {
		vars[k] = v
	}
	tg, err := ops.TargetFromVars(vars)
	if err != nil {
		t.Fatalf("sandbox variables: %v", err)
	}
	env := readEnv(filepath.Join(tg.Dir, ".env"))
	pw := env["POSTGRES_PASSWORD"]
	if pw == "" {
		Unavailable(t, "sandbox not set up: no POSTGRES_PASSWORD in %s/.env", tg.Dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		ct, err := c.ServiceContainer(ctx, tg.Project, tg.DBService)
		if err == nil && ct.Ready() {
			break
		}
		select {
		case <-ctx.Done():
			Unavailable(t, "sandbox db (project %s) not healthy: %v %+v", tg.Project, err, ct)
		case <-time.After(500 * time.Millisecond):
		}
	}
	return Sandbox{Client: c, Target: tg, Password: pw}
}

// readEnv reads KEY=VALUE lines (comments, blanks, "export " and simple
// quotes tolerated); a missing file is an empty map.
func readEnv(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// Throwaway is a test container's spec.
type Throwaway struct {
	Image       string // default planner-sandbox/postgres:15 (has sh, sleep, test)
	Script      string // run by sh -c as the main process
	HealthCmd   []string
	Project     string // compose project label; default ptt-<pid>
	Service     string // compose service label; default probe
	Env         []string
	StopTimeout int
	Restart     string // restart policy ("always", "on-failure"); default none
}

// Run creates and starts a throwaway container (no network, labelled
// planner-tui.test=1 and with compose labels so project queries find it) and
// removes it, forcibly, when the test ends. It returns the container ID.
func Run(t testing.TB, c *docker.Client, spec Throwaway) string {
	t.Helper()
	if spec.Image == "" {
		spec.Image = "planner-sandbox/postgres:15"
	}
	if spec.Project == "" {
		spec.Project = "ptt-" + strconv.Itoa(os.Getpid())
	}
	if spec.Service == "" {
		spec.Service = "probe"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.API().ImageInspect(ctx, spec.Image); err != nil {
		Unavailable(t, "image %s not available: %v", spec.Image, err)
	}
	cfg := &container.Config{
		Image:      spec.Image,
		Entrypoint: []string{"sh", "-c", spec.Script},
		Env:        spec.Env,
		Labels: map[string]string{
			TestLabel: "1", docker.LabelProject: spec.Project, docker.LabelService: spec.Service,
			docker.LabelNumber: "1", docker.LabelOneoff: "False",
		},
	}
	if spec.StopTimeout > 0 {
		cfg.StopTimeout = &spec.StopTimeout
	}
	if spec.HealthCmd != nil {
		cfg.Healthcheck = &container.HealthConfig{Test: spec.HealthCmd, Interval: 300 * time.Millisecond,
			Timeout: 2 * time.Second, Retries: 1}
	}
	name := fmt.Sprintf("%s_%s_%d", spec.Project, spec.Service, time.Now().UnixNano()%1e6)
	host := &container.HostConfig{NetworkMode: "none", RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyMode(spec.Restart)}}
	created, err := c.API().ContainerCreate(ctx, cfg, host, nil, nil, name)
	if err != nil {
		t.Fatalf("create test container: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.API().ContainerRemove(ctx, created.ID, container.RemoveOptions{Force: true}); err != nil {
			t.Errorf("remove test container %s: %v", name, err)
		}
	})
	if err := c.API().ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start test container: %v", err)
	}
	return created.ID
}

// Eventually polls cond every 100 ms until it holds or the deadline passes,
// then fails with what it last saw.
func Eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, seen := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last seen: %s", what, within, seen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
