package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// binary is the planner-tui under test.
var binary string

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

// setup finds or builds the binary, then runs the tests.
func setup(m *testing.M) (int, error) {
	if b := os.Getenv("PLANNER_TUI_BIN"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			return 0, err
		}
		if _, err := os.Stat(abs); err != nil {
			return 0, fmt.Errorf("PLANNER_TUI_BIN: %w", err)
		}
		binary = abs
		return m.Run(), nil
	}
	dir, err := os.MkdirTemp("", "planner-tui-e2e-bin-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "planner-tui")
	gobin := "/usr/local/go/bin/go"
	if p, err := exec.LookPath("go"); err == nil {
		gobin = p
	}
	build := exec.Command(gobin, "build", "-o", binary, ".")
	build.Dir = ".." // the module root
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build planner-tui: %v\n%s", err, out)
	}
	return m.Run(), nil
}

// sandbox is the planner stack the tests run against.
type sandbox struct {
	root       string            // $PLANNER_SANDBOX
	settings   map[string]string // planner-tui.env
	plannerDir string
	baseURL    string
	backupDir  string
}

// unavailable skips the test, or fails it under CI=true.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("the sandbox stack is needed (CI=true): %s; bring it up with sandbox/up.sh", msg)
	}
	t.Skipf("no sandbox stack: %s (sandbox/up.sh brings it up)", msg)
}

// needSandbox reads the sandbox settings and checks the stack answers.
func needSandbox(t *testing.T) *sandbox {
	t.Helper()
	if testing.Short() {
		// `make unit`: tests that need nothing but Go, bash and files.
		t.Skip("end-to-end test against the sandbox stack: not with -short")
	}
	root := os.Getenv("PLANNER_SANDBOX")
	if root == "" {
		root = "/var/tmp/planner-sandbox"
	}
	envPath := filepath.Join(root, "planner-tui.env")
	settings, err := readKeyValues(envPath)
	if err != nil {
		unavailable(t, "%v", err)
	}
	for _, k := range []string{"PLANNER_DIR", "BASE_URL", "BACKUP_DIR"} {
		if settings[k] == "" {
			unavailable(t, "%s has no %s", envPath, k)
		}
	}
	sb := &sandbox{root: root, settings: settings, plannerDir: settings["PLANNER_DIR"], baseURL: strings.TrimRight(settings["BASE_URL"], "/"), backupDir: settings["BACKUP_DIR"]}
	if _, err := exec.LookPath("docker"); err != nil {
		unavailable(t, "docker: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := httpGet(ctx, sb.baseURL+"/health", ""); err != nil {
		unavailable(t, "%s/health does not answer: %v", sb.baseURL, err)
	}
	return sb
}

// readKeyValues reads KEY=VALUE lines (blank lines and # comments skipped).
func readKeyValues(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: not KEY=VALUE: %q", path, n, line)
		}
		m[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return m, sc.Err()
}

// reset puts the sandbox back to its initial state (v1.2.2, seeded database,
// no backups) with sandbox/reset.sh.
func (sb *sandbox) reset(t *testing.T) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../sandbox/reset.sh")
	cmd.Env = append(os.Environ(), "PLANNER_SANDBOX="+sb.root)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sandbox/reset.sh: %v\n%s", err, out)
	}
	t.Logf("sandbox/reset.sh took %s", time.Since(start).Round(100*time.Millisecond))
	sb.waitHealthy(t, "1.2.2", 2*time.Minute)
	// A test that resets deploys, rolls back or breaks the stack: when it
	// fails half-way it leaves the stack where it stopped (down, say), and
	// every test after it would fail for that instead of for itself.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "../sandbox/reset.sh")
		cmd.Env = append(os.Environ(), "PLANNER_SANDBOX="+sb.root)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("sandbox/reset.sh after the failure: %v\n%s", err, out)
			return
		}
		t.Log("the test failed: the sandbox was reset for the tests after it")
	})
}

// operator is one planner-tui run: a state dir of its own and the sandbox's
// settings in the environment, as docs/sandbox.md tells an operator to do.
type operator struct {
	sb       *sandbox
	stateDir string
	sets     []string // --set KEY=VALUE
	env      []string // extra environment
}

func newOperator(t *testing.T, sb *sandbox, sets ...string) *operator {
	return &operator{sb: sb, stateDir: t.TempDir(), sets: sets}
}

// withEnv is the same operator (state dir, settings) with more environment:
// what `KEY=VALUE planner-tui ...` gives headless.
func (o *operator) withEnv(kv ...string) *operator {
	c := *o
	c.env = append(append([]string{}, o.env...), kv...)
	return &c
}

// result of one planner-tui invocation.
type result struct {
	args           []string
	stdout, stderr string
	code           int
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("planner-tui %s: exit %d after %s\n--- stdout\n%s--- stderr\n%s", strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// tui runs planner-tui with the global flags and args.
func (o *operator) tui(t *testing.T, args ...string) result {
	t.Helper()
	full := []string{"--state-dir", o.stateDir}
	for _, s := range o.sets {
		full = append(full, "--set", s)
	}
	full = append(full, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, full...)
	cmd.Env = os.Environ()
	for k, v := range o.sb.settings {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, o.env...)
	cmd.Stdin = nil // not a terminal: change commands need --yes
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{args: full, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("planner-tui %s: %v", strings.Join(full, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("planner-tui %s: still running after 5 minutes\n%s", strings.Join(full, " "), r)
	}
	t.Logf("run %-60s exit %d  %s", strings.Join(args, " "), r.code, r.took.Round(time.Millisecond))
	return r
}

// run runs one runbook command headless: `planner-tui run ID args...`.
func (o *operator) run(t *testing.T, id string, args ...string) result {
	t.Helper()
	return o.tui(t, append([]string{"run", id}, args...)...)
}

// mustRun runs a command that must succeed.
func (o *operator) mustRun(t *testing.T, id string, args ...string) result {
	t.Helper()
	r := o.run(t, id, args...)
	if r.code != 0 {
		t.Fatalf("%s failed:\n%s", id, r)
	}
	return r
}

// mustRefuse runs a command that a guard must refuse (exit 66, nothing run).
func (o *operator) mustRefuse(t *testing.T, id string, args ...string) result {
	t.Helper()
	r := o.run(t, id, args...)
	if r.code != 66 {
		t.Fatalf("%s: want a refusal (exit 66), got:\n%s", id, r)
	}
	if !strings.Contains(r.stderr, "refused") {
		t.Errorf("%s: exit 66 without saying it refused:\n%s", id, r)
	}
	if r.stdout != "" {
		t.Errorf("%s was refused but printed output (did it run?):\n%s", id, r)
	}
	return r
}

// wantOutput fails unless the output holds each string.
func wantOutput(t *testing.T, r result, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("output of %q lacks %q:\n%s", strings.Join(r.args, " "), w, r)
		}
	}
}

// rejectOutput fails if the output holds any of the strings.
func rejectOutput(t *testing.T, r result, rejects ...string) {
	t.Helper()
	for _, w := range rejects {
		if strings.Contains(r.stdout, w) {
			t.Errorf("output of %q holds %q:\n%s", strings.Join(r.args, " "), w, r)
		}
	}
}

// runStatus is the part of `planner-tui status --json` the tests read.
type runStatus struct {
	Run     string `json:"run"`
	Backups []struct {
		Path     string    `json:"path"`
		Size     int64     `json:"size"`
		SHA256   string    `json:"sha256"`
		Verified bool      `json:"verified"`
		At       time.Time `json:"at"`
	} `json:"backups"`
}

func (o *operator) status(t *testing.T) runStatus {
	t.Helper()
	r := o.tui(t, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status: %s", r)
	}
	var st runStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r)
	}
	return st
}

// dbReport is the part of `planner-tui op db-check --json` the tests read.
type dbReport struct {
	Reachable     bool
	Err           string
	ServerVersion string
	Revision      string
	RowCounts     map[string]int64
}

// dbCheck reads the database's revision and row counts with op db-check.
func (o *operator) dbCheck(t *testing.T) dbReport {
	t.Helper()
	saved := o.sets
	o.sets = append(append([]string{}, saved...), "CRITICAL_TABLES=programs,projects,resources,users")
	r := o.tui(t, "op", "db-check", "--json")
	o.sets = saved
	var rep dbReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("op db-check --json: %v\n%s", err, r)
	}
	if r.code != 0 || !rep.Reachable {
		t.Fatalf("op db-check: database not healthy:\n%s", r)
	}
	return rep
}

// --- the stack, seen from outside planner-tui ---

// docker runs the docker CLI and returns its trimmed stdout.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// container is one compose container of the planner project.
type container struct {
	ID, Name, Service, State, Health string
	StartedAt                        time.Time
}

// containers lists the planner project's containers (running or not), by service.
func containers(t *testing.T) map[string]container {
	t.Helper()
	ids := strings.Fields(docker(t, "ps", "-a", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project=planner"))
	out := map[string]container{}
	if len(ids) == 0 {
		return out
	}
	lines := docker(t, append([]string{"inspect", "-f", `{{.Id}}|{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.StartedAt}}`}, ids...)...)
	for _, line := range strings.Split(lines, "\n") {
		f := strings.Split(line, "|")
		if len(f) != 6 {
			t.Fatalf("docker inspect: unexpected line %q", line)
		}
		started, _ := time.Parse(time.RFC3339Nano, f[5])
		c := container{ID: f[0], Name: strings.TrimPrefix(f[1], "/"), Service: f[2], State: f[3], Health: f[4], StartedAt: started}
		out[c.Service] = c
	}
	return out
}

// wantRunning fails unless the services' containers run, with the same ids as before.
func wantRunning(t *testing.T, before map[string]container, services ...string) {
	t.Helper()
	now := containers(t)
	for _, s := range services {
		c, ok := now[s]
		switch {
		case !ok:
			t.Errorf("service %s has no container any more", s)
		case c.State != "running":
			t.Errorf("service %s is %s, want running", s, c.State)
		case before != nil && before[s].ID != c.ID:
			t.Errorf("service %s's container was replaced (%s -> %s)", s, before[s].ID[:12], c.ID[:12])
		}
	}
}

// images lists every image on the host (id and tags), sorted.
func images(t *testing.T) string {
	t.Helper()
	lines := strings.Split(docker(t, "images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"), "\n")
	slices.Sort(lines) // docker orders images of the same second arbitrarily
	return strings.Join(lines, "\n")
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %s (last: %s)", what, timeout, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// health is GET /health.
type health struct {
	Status     string `json:"status"`
	Version    string `json:"version"`
	Database   string `json:"database"`
	Redis      string `json:"redis"`
	Migrations struct {
		Current string `json:"current"`
		Head    string `json:"head"`
		State   string `json:"state"`
	} `json:"migrations"`
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func httpGet(ctx context.Context, url, token string) (int, []byte, error) {
	return httpDo(ctx, http.MethodGet, url, token, nil)
}

func httpDo(ctx context.Context, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// health reads /health once.
func (sb *sandbox) health() (health, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, b, err := httpGet(ctx, sb.baseURL+"/health", "")
	var h health
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("GET /health: %d %q: %w", code, b, err)
	}
	if code != http.StatusOK {
		return h, fmt.Errorf("GET /health: %d %s", code, b)
	}
	return h, nil
}

// waitHealthy waits until /health answers ok with version (any if "").
func (sb *sandbox) waitHealthy(t *testing.T, version string, timeout time.Duration) health {
	t.Helper()
	var h health
	waitFor(t, "GET /health ok, version "+version, timeout, func() (bool, string) {
		var err error
		h, err = sb.health()
		if err != nil {
			return false, err.Error()
		}
		return h.Status == "ok" && (version == "" || h.Version == version), fmt.Sprintf("%+v", h)
	})
	return h
}

// login gets a bearer token for the seeded test user.
func (sb *sandbox) login(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, b, err := httpDo(ctx, http.MethodPost, sb.baseURL+"/api/v1/auth/login", "", map[string]string{"username": "test", "password": "test"})
	if err != nil || code != http.StatusOK {
		t.Fatalf("login: %d %s %v", code, b, err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("login: no token in %s (%v)", b, err)
	}
	return tok.AccessToken
}

// program as the API returns it.
type program struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func (sb *sandbox) createProgram(t *testing.T, token, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, b, err := httpDo(ctx, http.MethodPost, sb.baseURL+"/api/v1/programs", token, map[string]string{"name": name, "description": "written by the e2e test"})
	if err != nil || code != http.StatusCreated {
		t.Fatalf("POST /api/v1/programs: %d %s %v", code, b, err)
	}
}

func (sb *sandbox) programs(t *testing.T, token string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, b, err := httpGet(ctx, sb.baseURL+"/api/v1/programs", token)
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /api/v1/programs: %d %s %v", code, b, err)
	}
	var ps []program
	if err := json.Unmarshal(b, &ps); err != nil {
		t.Fatalf("GET /api/v1/programs: %v in %s", err, b)
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

// git runs git in the planner dir.
func (sb *sandbox) git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", sb.plannerDir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// secrets are the secret values of the planner dir's .env.
func (sb *sandbox) secrets(t *testing.T) map[string]string {
	t.Helper()
	env, err := readKeyValues(filepath.Join(sb.plannerDir, ".env"))
	if err != nil {
		t.Fatalf("read the sandbox's .env: %v", err)
	}
	out := map[string]string{}
	for _, k := range []string{"POSTGRES_PASSWORD", "SECRET_KEY", "REDIS_PASSWORD"} {
		if len(env[k]) < 8 {
			t.Fatalf(".env: %s is %d characters: too short to search for", k, len(env[k]))
		}
		out[k] = env[k]
	}
	return out
}

// noSecretsIn fails if any file under dir holds one of the secret values.
// It also counts the files it read, so that an empty state dir cannot pass.
func noSecretsIn(t *testing.T, dir string, secrets map[string]string, minLogs int) {
	t.Helper()
	files, logs := 0, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if d.Name() == "output.log" {
			logs++
		}
		for k, v := range secrets {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("the value of %s is in %s", k, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"audit.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("state dir: %v", err)
		}
	}
	jobs, _ := filepath.Glob(filepath.Join(dir, "runs", "*", "jobs", "*"))
	if logs != len(jobs) {
		t.Errorf("%d output.log files for %d jobs in %s: a job's output was not checked", logs, len(jobs), dir)
	}
	if logs < minLogs {
		t.Errorf("only %d output.log files in %s, want %d at least: the check proves little", logs, dir, minLogs)
	}
	t.Logf("no secret in %d files (%d command logs) of %s", files, logs, dir)
}

var backupNameRE = regexp.MustCompile(`pre-deploy-(\d{8}-\d{6})\.sql$`)
