package tuitest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/ops/runner"
)

// binPath is the planner-tui under test; tmuxPath is "" when tmux is missing.
var binPath, tmuxPath string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	tmuxPath, _ = exec.LookPath("tmux")
	if testing.Short() || tmuxPath == "" {
		return m.Run() // every test skips (or fails under CI) in needTmux
	}
	if p := os.Getenv("PLANNER_TUI_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tuitest: PLANNER_TUI_BIN=%s: %v\n", p, err)
			return 1
		}
		binPath = abs
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "tuitest-bin")
	if err != nil {
		fmt.Fprintf(os.Stderr, "tuitest: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "planner-tui")
	build := exec.Command("go", "build", "-o", binPath, "planner-tui")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "tuitest: go build planner-tui: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// needTmux skips the test when it cannot run here, or fails it under CI.
func needTmux(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end TUI test under tmux: skipped with -short")
	}
	if tmuxPath == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed and CI=true: the end-to-end TUI tests must run (make deps installs tmux)")
		}
		t.Skip("tmux is not installed (make deps installs it)")
	}
}

// waitTimeout bounds every wait for the screen; generous because CI
// machines are slow, and a passing test never waits for it.
const waitTimeout = 15 * time.Second

// tui is one planner-tui running in its own tmux server.
type tui struct {
	t        *testing.T
	sock     string // the private tmux server's socket
	scratch  string // $SCRATCH of the runbook
	state    string // --state-dir
	record   string // what the stand-in docker-compose was called with, one line per call
	pidFile  string // planner-tui's pid
	exitFile string // planner-tui's exit status, once it has exited
	root     string // the temp dir holding all of the above
	runbook  string // --runbook
	proj     string // --dir
	path     string // PATH: the stand-in docker-compose first
}

// start opens planner-tui on testdata/runbook.md in a fresh 120×40 tmux
// server with its own state dir, and waits for the home screen.
func start(t *testing.T) *tui {
	t.Helper()
	return startEnv(t, nil)
}

// startEnv is start with more environment variables (NAME=value) for
// planner-tui.
func startEnv(t *testing.T, env []string) *tui {
	t.Helper()
	needTmux(t)
	rb, err := filepath.Abs(filepath.Join("testdata", "runbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	// os.MkdirTemp, not t.TempDir: a unix socket path must stay short.
	root, err := os.MkdirTemp("", "tuitest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	s := &tui{
		t:        t,
		sock:     filepath.Join(root, "tmux.sock"),
		scratch:  filepath.Join(root, "scratch"),
		state:    filepath.Join(root, "state"),
		record:   filepath.Join(root, "docker-compose.calls"),
		pidFile:  filepath.Join(root, "planner-tui.pid"),
		exitFile: filepath.Join(root, "planner-tui.exit"),
		root:     root,
		runbook:  rb,
	}
	// The planner dir's base name is the compose project, hence the phrase
	// of `docker-compose down`.
	proj := filepath.Join(root, "tuiproj")
	stand := filepath.Join(root, "bin")
	s.proj, s.path = proj, stand+":"+os.Getenv("PATH")
	for _, d := range []string{proj, stand, s.scratch} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The stand-in only records that it ran; the UI under test is real.
	writeFile(t, filepath.Join(stand, "docker-compose"), "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \""+s.record+"\"\n", 0o755)
	writeFile(t, s.record, "", 0o644)
	// A clean environment: no PLANNER_DIR or COMPOSE_PROJECT_NAME from the
	// caller changes the phrase, no user config changes the screen. The
	// inner sh's $$ is planner-tui's pid because exec keeps it; the outer
	// sh records the exit status (tmux's own pane_dead_status is racy: the
	// pane's terminal can close before tmux reaps the process).
	launch := fmt.Sprintf(`#!/bin/sh
sh -c 'echo $$ > "$1"; shift; exec "$@"' sh %s env -i HOME=%s TERM="$TERM" LANG=C.UTF-8 PATH=%s %s %s --runbook %s --dir %s --state-dir %s --set SCRATCH=%s
echo $? > %s
`, shq(s.pidFile), shq(root), shq(stand+":"+os.Getenv("PATH")), shqAll(env), shq(binPath), shq(rb), shq(proj), shq(s.state), shq(s.scratch), shq(s.exitFile))
	writeFile(t, filepath.Join(root, "launch.sh"), launch, 0o755)
	// No status line: the pane is the whole 120×40 window.
	conf := filepath.Join(root, "tmux.conf")
	writeFile(t, conf, "set -g status off\n", 0o644)
	s.tmux("-f", conf, "new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", filepath.Join(root, "launch.sh"))
	t.Cleanup(s.stop)
	s.waitText("TUI Test Runbook", "Sections")
	return s
}

// stop ends the tmux server (and with it planner-tui), lets any job that
// waits for the gate finish, and waits for the detached job supervisors so
// that nothing writes into the temp dir while it is removed.
func (s *tui) stop() {
	os.WriteFile(filepath.Join(s.scratch, "gate"), nil, 0o644)
	exec.Command(tmuxPath, "-S", s.sock, "kill-server").Run()
	deadline := time.Now().Add(waitTimeout)
	if pid, ok := s.pid(); ok {
		for processAlive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(s.state, "runs", "*", "jobs", "*"))
	for _, d := range dirs {
		for runner.Alive(d) {
			if time.Now().After(deadline) {
				s.t.Errorf("the supervisor of %s still runs", d)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// tmux runs a tmux command on the private server.
func (s *tui) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(tmuxPath, append([]string{"-u", "-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, Up, q, ...). After Escape, wait
// for the screen to change before the next key: an escape followed at once
// by another key reads as alt+key.
func (s *tui) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "tui"}, keys...)...)
}

// typeText types text literally.
func (s *tui) typeText(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "tui", "-l", text)
}

// capture returns the screen as text.
func (s *tui) capture() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", "tui")
}

// waitFor polls the screen until cond holds and returns that screen; on
// timeout the test fails showing the last screen.
func (s *tui) waitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		scr := s.capture()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %s; the screen:\n%s", waitTimeout, what, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits until every text is on the screen.
func (s *tui) waitText(texts ...string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q on the screen", texts), func(scr string) bool {
		for _, x := range texts {
			if !strings.Contains(scr, x) {
				return false
			}
		}
		return true
	})
}

// waitGone waits until text is no longer on the screen.
func (s *tui) waitGone(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q to leave the screen", text), func(scr string) bool {
		return !strings.Contains(scr, text)
	})
}

// find opens the search (/), types query, waits until the selected result
// is want (e.g. "command Take the stack down") and jumps to it (enter).
func (s *tui) find(query, want string) {
	s.t.Helper()
	s.keys("/")
	s.waitText("Search the runbook")
	s.typeText(query)
	scr := s.waitText("filter: "+query, want)
	// Move down to want: a step or another result may rank first.
	for i := 0; !strings.Contains(scr, "▌"+want); i++ {
		if i == 10 {
			s.t.Fatalf("search %q: cannot select %q:\n%s", query, want, scr)
		}
		before := selectedRow(scr)
		s.keys("Down")
		scr = s.waitFor("the selection to move", func(scr string) bool { return selectedRow(scr) != before })
	}
	s.keys("Enter")
	s.waitGone("Search the runbook")
}

// selectedRow is the text of the screen's highlighted row ("▌..."), for a
// dialog or the pane with focus.
func selectedRow(screen string) string {
	var rows []string
	for _, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, "▌"); i >= 0 {
			rows = append(rows, line[i:])
		}
	}
	return strings.Join(rows, "\n")
}

// openCommand finds a command by its title and waits for its detail, where
// enter runs it.
func (s *tui) openCommand(title, script string) {
	s.t.Helper()
	s.find(title, "command "+title)
	s.waitText(title, "$ "+script)
}

// touchGate lets the runbook's waiting command finish.
func (s *tui) touchGate() {
	s.t.Helper()
	writeFile(s.t, filepath.Join(s.scratch, "gate"), "", 0o644)
}

// pid is planner-tui's process id.
func (s *tui) pid() (int, bool) {
	b, err := os.ReadFile(s.pidFile)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

// exitStatus is planner-tui's exit status once it has exited.
func (s *tui) exitStatus() (status string, exited bool) {
	b, err := os.ReadFile(s.exitFile)
	if err != nil || !strings.HasSuffix(string(b), "\n") {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// records are the argument lists the stand-in docker-compose was called with.
func (s *tui) records() []string {
	s.t.Helper()
	b, err := os.ReadFile(s.record)
	if err != nil {
		s.t.Fatal(err)
	}
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state is the field after the command name, which may hold spaces.
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	f := strings.Fields(rest)
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// shq quotes s for sh.
func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shqAll quotes each word and joins them with spaces.
func shqAll(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shq(w)
	}
	return strings.Join(q, " ")
}
