package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"planner-tui/ops/docker/dockertest"
	"planner-tui/ops/envfile"
)

type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

// doctorSandbox is the running sandbox stack (or a skip; a failure under
// CI=true) as `make run` reaches it: its planner-tui.env as --set flags.
type doctorSandbox struct {
	sets       []string
	plannerDir string
	secrets    []string // the values of the planner dir's .env that must never show
}

func needDoctorSandbox(t *testing.T) doctorSandbox {
	t.Helper()
	sb := dockertest.Stack(t)
	root := os.Getenv("PLANNER_SANDBOX")
	if root == "" {
		root = dockertest.SandboxRoot
	}
	f, err := os.Open(filepath.Join(root, "planner-tui.env"))
	if err != nil {
		dockertest.Unavailable(t, "sandbox settings: %v", err)
	}
	defer f.Close()
	var d doctorSandbox
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			d.sets = append(d.sets, "--set", line)
		}
	}
	d.plannerDir = sb.Target.Dir
	env, err := envfile.Load(filepath.Join(d.plannerDir, ".env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range env.Secrets() {
		// ACCESS_TOKEN_EXPIRE_MINUTES=30 is "secret" by its name only: a
		// number that short turns up in ports and paths by chance.
		if len(s) >= 8 {
			d.secrets = append(d.secrets, s)
		}
	}
	if len(d.secrets) == 0 {
		t.Fatalf("the sandbox's .env has no secrets to look for")
	}
	return d
}

// doctor runs `planner-tui doctor --json` with the sandbox's settings, then
// extra args (global flags, then doctor's after a "doctor"), in env (added
// to the test's), on a fresh state dir.
func (d doctorSandbox) doctor(t *testing.T, env []string, extra ...string) (result, map[string]doctorCheck, []string) {
	t.Helper()
	args := append([]string{"--state-dir", t.TempDir()}, d.sets...)
	if i := slices.Index(extra, "doctor"); i >= 0 {
		args = append(append(args, extra...), "--json")
	} else {
		args = append(append(args, extra...), "doctor", "--json")
	}
	c := command(t, args...)
	c.Env = append(c.Env, env...)
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if c.ProcessState == nil {
		t.Fatalf("planner-tui doctor: %v", err)
	}
	r.code = c.ProcessState.ExitCode()
	var list []doctorCheck
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("doctor --json: stdout is not a JSON array: %v\n%s\nstderr %s", err, r.stdout, r.stderr)
	}
	byName := map[string]doctorCheck{}
	var names []string
	for _, ch := range list {
		byName[ch.Name] = ch
		names = append(names, ch.Name)
	}
	for _, s := range d.secrets {
		if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
			t.Errorf("doctor printed a secret value of the planner dir's .env")
		}
	}
	return r, byName, names
}

var doctorCheckNames = []string{"docker", "compose", "planner dir", ".env", "secrets", "database", "backup dir", "state dir", "terminal", "editor", "version"}

// On the healthy sandbox every check runs and none fails; the ones the
// sandbox is there for are ok, and the text form says the same.
func TestDoctorHealthySandbox(t *testing.T) {
	d := needDoctorSandbox(t)
	r, checks, names := d.doctor(t, nil)
	if strings.Join(names, ",") != strings.Join(doctorCheckNames, ",") {
		t.Errorf("checks %q, want %q", names, doctorCheckNames)
	}
	for _, n := range names {
		c := checks[n]
		if c.Status != "ok" && c.Status != "warning" {
			t.Errorf("%s: %s: %s (fix: %s)", n, c.Status, c.Detail, c.Fix)
		}
		if c.Status != "ok" && c.Fix == "" {
			t.Errorf("%s: %s without a fix", n, c.Status)
		}
	}
	if r.code != 0 {
		t.Errorf("exit %d on a healthy sandbox: %s", r.code, r.stderr)
	}
	for n, want := range map[string]string{
		"docker":      "API 1.",
		"compose":     "docker-compose 1.",
		"planner dir": "docker-compose.prod.yml",
		".env":        d.plannerDir,
		"secrets":     "POSTGRES_PASSWORD",
		"database":    "alembic revision ",
		"backup dir":  "writable",
		"state dir":   "lock free",
		"terminal":    "not a terminal",
	} {
		if c := checks[n]; !strings.Contains(c.Detail, want) {
			t.Errorf("%s: %s %q, want it to say %q", n, c.Status, c.Detail, want)
		}
	}
	for _, n := range []string{"docker", "compose", "planner dir", ".env", "database", "backup dir", "state dir"} {
		if checks[n].Status != "ok" {
			t.Errorf("%s is not ok on the sandbox: %+v", n, checks[n])
		}
	}

	txt := cli(t, append(append([]string{"--state-dir", t.TempDir()}, d.sets...), "doctor")...)
	if txt.code != 0 || !strings.Contains(txt.stdout, "✓ docker") || !strings.Contains(txt.stdout, "⚠ terminal") ||
		!strings.Contains(txt.stdout, "11 checks:") || strings.Contains(txt.stdout, "✗") {
		t.Errorf("doctor: exit %d\n%s%s", txt.code, txt.stdout, txt.stderr)
	}
}

// Each broken part fails its own check (and only that one), with its fix,
// and doctor exits 1.
func TestDoctorFailures(t *testing.T) {
	d := needDoctorSandbox(t)

	// A loopback port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	// The planner dir with a broken line 2 in .env.
	badDir := t.TempDir()
	for _, f := range []string{"docker-compose.yml", "docker-compose.prod.yml", ".env"} {
		b, err := os.ReadFile(filepath.Join(d.plannerDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == ".env" {
			first, rest, _ := strings.Cut(string(b), "\n")
			b = []byte(first + "\nthis line is not an assignment\n" + rest)
		}
		if err := os.WriteFile(filepath.Join(badDir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A backup dir nobody can write, root included: its parent is a file.
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	// A loopback port that takes connections and never answers: a hung
	// engine or database. Connections are closed when the test ends.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		defer close(conns)
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		hung.Close()
		for c := range conns {
			c.Close()
		}
	})
	hungPort := strconv.Itoa(hung.Addr().(*net.TCPAddr).Port)

	tests := []struct {
		name   string
		env    []string
		args   []string
		check  string
		detail string
	}{
		{"docker down", []string{"DOCKER_HOST=unix://" + filepath.Join(t.TempDir(), "no-such", "docker.sock")}, nil, "docker", "no-such/docker.sock"},
		{"db down", nil, []string{"--set", "DB_PORT=" + closed}, "database", "127.0.0.1:" + closed},
		// COMPOSE_PROJECT_NAME keeps the copy's project the sandbox's.
		{"a bad .env line", nil, []string{"--dir", badDir, "--set", "COMPOSE_PROJECT_NAME=planner"}, ".env", filepath.Join(badDir, ".env") + ":2:"},
		{"an unwritable backup dir", nil, []string{"--set", "BACKUP_DIR=" + filepath.Join(file, "backups")}, "backup dir", "not a directory"},
		// Hung: each check gives up at --timeout, and doctor ends.
		{"docker hangs", []string{"DOCKER_HOST=tcp://127.0.0.1:" + hungPort}, []string{"doctor", "--timeout", "4s"}, "docker", "127.0.0.1:" + hungPort},
		{"db hangs", nil, []string{"--set", "DB_PORT=" + hungPort, "doctor", "--timeout", "4s"}, "database", "127.0.0.1:" + hungPort},
		// Settings that cannot be worked out: the checks that need none still run.
		{"a bad DB_PORT", nil, []string{"--set", "DB_PORT=not-a-port"}, "settings", `DB_PORT "not-a-port"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			r, checks, _ := d.doctor(t, tt.env, tt.args...)
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("doctor took %s", took)
			}
			if r.code != exitDoctorFailed {
				t.Errorf("exit %d, want %d", r.code, exitDoctorFailed)
			}
			c := checks[tt.check]
			if c.Status != "failed" || !strings.Contains(c.Detail, tt.detail) || c.Fix == "" {
				t.Errorf("%s: %+v; want failed, saying %q, with a fix", tt.check, c, tt.detail)
			}
			if tt.check == "settings" && (checks["docker"].Status != "ok" || checks["editor"].Status == "") {
				t.Errorf("without settings, docker and editor are still checked: %+v", checks)
			}
			for n, o := range checks {
				if n != tt.check && o.Status == "failed" {
					t.Errorf("%s failed too: %+v", n, o)
				}
			}
		})
	}
}

// On a terminal (a pty from util-linux's script, sized with stty) the
// terminal check reports its size and colours; too small is a warning.
func TestDoctorTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every check, the engine's and the database's included: not with -short")
	}
	if _, err := exec.LookPath("script"); err != nil {
		dockertest.Unavailable(t, "no script(1) to give doctor a terminal: %v", err)
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	for _, tt := range []struct {
		cols, rows int
		want       string
	}{
		{100, 30, "✓ terminal     100×30, 256 colours (TERM=xterm-256color)"},
		{60, 20, "⚠ terminal     60×20, 256 colours (TERM=xterm-256color): smaller than the 80×24 the TUI needs"},
	} {
		typescript := filepath.Join(t.TempDir(), "typescript")
		sh := fmt.Sprintf("stty cols %d rows %d && exec %s --state-dir %s --dir %s doctor --timeout 3s",
			tt.cols, tt.rows, quote(bin), quote(t.TempDir()), quote(t.TempDir()))
		c := exec.Command("script", "-qec", sh, typescript)
		c.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=", "COLORTERM=", "XDG_STATE_HOME="+t.TempDir())
		c.Run() // doctor fails here (no planner dir): only the terminal line matters
		b, err := os.ReadFile(typescript)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ReplaceAll(string(b), "\r", ""), tt.want+"\n") {
			t.Errorf("%d×%d: want %q in\n%s", tt.cols, tt.rows, tt.want, b)
		}
	}
}
