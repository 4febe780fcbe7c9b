package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"planner-tui/ops"
	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/monitor"
	"planner-tui/ops/session"
)

// These tests drive the screen with the real monitor: a real docker daemon
// (throwaway containers in a throwaway compose project, never the
// sandbox's), a real closed port for an unreachable database, and the
// sandbox database for a real report.

func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// startMonitor watches project with a database nobody listens on.
func startMonitor(t *testing.T, project string) *monitor.Monitor {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tg := ops.Target{Project: project, DBHost: "127.0.0.1", DBPort: closedPort(t), DBUser: "u", DBName: "d", Dir: t.TempDir()}
	return monitor.Start(ctx, tg, nil, monitor.Options{Every: 200 * time.Millisecond, DBTimeout: time.Second, DiskPaths: []string{"/"}})
}

func monOpts(m Monitor) Options { return Options{NoColor: true, Monitor: m} }

// throwaway starts a container in its own compose project that logs a line
// every 0.2 s, an error every third one.
func throwaway(t *testing.T) (project, id string, mon *monitor.Monitor) {
	t.Helper()
	c := dockertest.Client(t)
	project = fmt.Sprintf("ptt-ui-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	id = dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "web", StopTimeout: 1,
		Script: `trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo "tick $i"; [ $((i % 3)) = 0 ] && echo "ERROR tick $i failed"; sleep 0.2; done`})
	return project, id, startMonitor(t, project)
}

func TestStatusBarStatesUnreachableDockerAndDatabase(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	mon := startMonitor(t, "nothing")
	d := newDriverOpts(t, newEngine(t), 80, 24, monOpts(mon))
	v := d.waitFor("both problems in the status bar", func(v string) bool {
		return strings.Contains(v, "docker unreachable") && strings.Contains(v, "database unreachable")
	})
	checkSize(t, v, 80, 24)
	lines := strings.Split(v, "\n")
	bar := lines[len(lines)-2]
	if !strings.Contains(bar, "no such file or directory") && !strings.Contains(bar, "connection refused") {
		t.Errorf("the status bar does not say why: %q", bar)
	}
	// the database pane says it too, with the address
	d.keys("d")
	d.waitText("reachable          ✗ no")
	d.waitText("connection refused")
}

func TestStatusBarShowsServicesAndAStoppedOne(t *testing.T) {
	_, id, mon := throwaway(t)
	d := newDriverOpts(t, newEngine(t), 80, 24, monOpts(mon))
	v := d.waitText("web ✓")
	checkSize(t, v, 80, 24)
	c := dockertest.Client(t)
	stop := 1
	if err := c.API().ContainerStop(context.Background(), id, container.StopOptions{Timeout: &stop}); err != nil {
		t.Fatal(err)
	}
	d.waitText("web ✗ exited")
	// in colour, the mark is red (the error style)
	col := newModel(newEngine(t), Options{Monitor: mon})
	col.c.snap = d.m.c.snap
	col.c.width, col.c.height = 80, 24
	if bar := col.c.statusBar(80); !strings.Contains(bar, NewStyles(true, false).Error.Render("✗")) {
		t.Fatalf("the stopped service is not marked in the error colour: %q", bar)
	}
}

func TestStackPaneListsStreamsAndRestartsBehindYN(t *testing.T) {
	_, _, mon := throwaway(t)
	e := newEngine(t).(*realEngine)
	d := newDriverOpts(t, e, 100, 30, monOpts(mon))
	d.waitText("web ✓")
	d.keys("s")
	d.waitText("SERVICE")
	d.waitText("running")
	v := d.waitFor("an error line streamed and counted", func(v string) bool {
		return strings.Contains(v, "ERROR tick") && strings.Contains(v, "log of web") && !strings.Contains(v, "0 errors")
	})
	if !strings.Contains(v, "tick 1") && !strings.Contains(v, "tick") {
		t.Fatalf("no log lines:\n%s", v)
	}
	c := dockertest.Client(t)
	started := func() time.Time {
		cs, err := c.Containers(context.Background(), d.m.c.snap.Project)
		if err != nil || len(cs) != 1 {
			t.Fatalf("containers: %v %v", cs, err)
		}
		return cs[0].StartedAt
	}
	before := started()

	// R asks; enter means No
	d.keys("R")
	d.waitText("(y/N)")
	d.keys("enter")
	d.waitText("not restarted")
	if got := started(); !got.Equal(before) {
		t.Fatalf("restarted without a yes: %v -> %v", before, got)
	}
	// y restarts, and it is audited
	d.keys("R")
	d.waitText("(y/N)")
	d.keys("y")
	d.waitText("restarted web (recorded in the audit log)")
	if got := started(); !got.After(before) {
		t.Fatalf("not restarted: StartedAt %v -> %v", before, got)
	}
	recs := auditEvents(t, e.s.StateDir())
	var restarts []string
	for _, r := range recs {
		if r["event"] == "container.restart" {
			restarts = append(restarts, r["message"].(string))
		}
	}
	if len(restarts) != 2 || !strings.HasSuffix(restarts[0], "requested") || !strings.HasSuffix(restarts[1], "done") {
		t.Fatalf("audit of the restart: %q", restarts)
	}
	// the log follows across the restart
	d.waitText("tick 1 ")
}

func auditEvents(t *testing.T, stateDir string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(stateDir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestDatabasePaneRendersTheSandboxReport(t *testing.T) {
	sb := dockertest.Stack(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mon := monitor.Start(ctx, sb.Target, map[string]string{"POSTGRES_PASSWORD": sb.Password},
		monitor.Options{CriticalTables: []string{"programs"}, EnvFile: filepath.Join(sb.Target.Dir, ".env")})
	d := newDriverOpts(t, newEngine(t), 100, 30, monOpts(mon))
	d.keys("d")
	v := d.waitText("✓ yes")
	for _, want := range []string{"version ", "alembic revision", "connections", "tables "} {
		if !strings.Contains(v, want) {
			t.Errorf("database pane lacks %q:\n%s", want, v)
		}
	}
	// the sandbox may be freshly reset (not migrated): either way the
	// critical table is accounted for
	if !strings.Contains(v, "critical rows      programs") && !strings.Contains(v, "missing tables     programs") {
		t.Errorf("database pane says nothing of the critical table programs:\n%s", v)
	}
	// r asks for a fresh check
	first := d.m.c.snap.DBAt
	d.keys("r")
	d.waitText("checking again…")
	d.waitFor("a fresh report", func(string) bool { return d.m.c.snap.DBAt.After(first) })
	d.waitFor("the pending note gone", func(v string) bool { return !strings.Contains(v, "checking again") })
}

func TestEmergencyPlaybookOpensWithTheStackState(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	mon := startMonitor(t, "nothing")
	e := newEngine(t)
	if roleSection(e.Runbook(), "emergency", "Emergency Procedures") == nil {
		t.Skip("test runbook has no emergency section")
	}
	d := newDriverOpts(t, e, 100, 30, monOpts(mon))
	d.waitText("database unreachable")
	d.keys("e")
	d.waitText("Emergency playbooks")
	d.keys("enter")
	v := d.waitText("Stack now")
	for _, want := range []string{"docker unreachable", "database unreachable", "used, ", "memory "} {
		if !strings.Contains(v, want) {
			t.Errorf("playbook top lacks %q:\n%s", want, v)
		}
	}
}

// A service of the compose files without any container (never created, or
// removed by down) shows as down, next to the ones that run.
func TestStatusBarShowsAServiceWithNoContainer(t *testing.T) {
	c := dockertest.Client(t)
	project := fmt.Sprintf("ptt-ui-missing-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6)
	dockertest.Run(t, c, dockertest.Throwaway{Project: project, Service: "web", StopTimeout: 1,
		Script: `trap 'exit 0' TERM; while true; do sleep 0.2; done`})
	dir := t.TempDir()
	compose := "services:\n  web:\n    image: x\n  worker:\n    image: y\n"
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(compose), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tg := ops.Target{Project: project, Dir: dir, ComposeFiles: []string{"docker-compose.yml"},
		DBHost: "127.0.0.1", DBPort: closedPort(t), DBUser: "u", DBName: "d"}
	mon := monitor.Start(ctx, tg, nil, monitor.Options{Every: 200 * time.Millisecond, DBTimeout: time.Second, DiskPaths: []string{"/"}})

	d := newDriverOpts(t, newEngine(t), 120, 30, monOpts(mon))
	v := d.waitText("worker ✗ no container")
	if !strings.Contains(v, "web ✓") {
		t.Fatalf("the running service is not shown next to the missing one:\n%s", v)
	}
}

// A restart from the stack pane goes through the session's admission: while
// another operator holds the state dir's lock it is refused on screen,
// audited, and the container is not restarted.
func TestStackPaneRestartRefusedWhileAnotherOperatorDrives(t *testing.T) {
	_, _, mon := throwaway(t)
	e := newEngine(t).(*realEngine)
	// another operator (a second session on the same state dir) drives
	other, err := session.Open(context.Background(), sessionOptions(filepath.Dir(filepath.Dir(e.scratchDir))))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.AddNote("deploy/step-1-hello", "I drive now"); err != nil {
		t.Fatal(err)
	}
	d := newDriverOpts(t, e, 100, 30, monOpts(mon))
	d.waitText("web ✓")
	d.keys("s")
	d.waitText("SERVICE")
	d.waitText("running")
	c := dockertest.Client(t)
	started := func() time.Time {
		cs, err := c.Containers(context.Background(), d.m.c.snap.Project)
		if err != nil || len(cs) != 1 {
			t.Fatalf("containers: %v %v", cs, err)
		}
		return cs[0].StartedAt
	}
	before := started()
	d.keys("R")
	d.waitText("(y/N)")
	d.keys("y")
	d.waitText("refused, not restarted: state dir is in use by")
	if got := started(); !got.Equal(before) {
		t.Fatalf("restarted while another operator holds the lock: %v -> %v", before, got)
	}
	var events []string
	for _, r := range auditEvents(t, e.s.StateDir()) {
		if r["command_id"] != nil && strings.HasPrefix(fmt.Sprint(r["command_id"]), "ptt-ui-") {
			events = append(events, fmt.Sprint(r["event"]))
		}
	}
	if strings.Join(events, " ") != "lock.refused" {
		t.Fatalf("audit of the refused restart: %q, want [lock.refused]", events)
	}
}
