package tuitest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"planner-tui/internal/tmuxtest"
	"planner-tui/ops/runner"
)

// binPath is the planner-tui under test.
var binPath string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if _, err := exec.LookPath("tmux"); testing.Short() || err != nil {
		return m.Run() // every test skips (or fails under CI) in tmuxtest.Need
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

// waitTimeout bounds every wait for the screen; generous because CI
// machines are slow, and a passing test never waits for it.
const waitTimeout = 15 * time.Second

// tui is one planner-tui running in its own tmux server.
type tui struct {
	*tmuxtest.Screen
	t       *testing.T
	scratch string // $SCRATCH of the runbook
	state   string // --state-dir
	record  string // what the stand-in docker-compose was called with, one line per call
	root    string // the temp dir holding all of the above and the tmux server's files
	runbook string // --runbook
	proj    string // --dir
	path    string // PATH: the stand-in docker-compose first
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
	tmuxtest.Need(t)
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
		t:       t,
		scratch: filepath.Join(root, "scratch"),
		state:   filepath.Join(root, "state"),
		record:  filepath.Join(root, "docker-compose.calls"),
		root:    root,
		runbook: rb,
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
	// caller changes the phrase, no user config changes the screen.
	s.Screen = tmuxtest.Start(t, tmuxtest.Options{
		Dir:     root,
		Env:     append([]string{"HOME=" + root, "LANG=C.UTF-8", "PATH=" + s.path}, env...),
		Timeout: waitTimeout,
	}, binPath, "--runbook", rb, "--dir", proj, "--state-dir", s.state, "--set", "SCRATCH="+s.scratch)
	t.Cleanup(s.stop)
	s.WaitText("TUI Test Runbook", "Sections")
	return s
}

// stop ends the tmux server (and with it planner-tui), lets any job that
// waits for the gate finish, and waits for the detached job supervisors so
// that nothing writes into the temp dir while it is removed.
func (s *tui) stop() {
	os.WriteFile(filepath.Join(s.scratch, "gate"), nil, 0o644)
	s.Close()
	deadline := time.Now().Add(waitTimeout)
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

// find opens the search (/), types query, waits until the selected result
// is want (e.g. "command Take the stack down") and jumps to it (enter).
func (s *tui) find(query, want string) {
	s.t.Helper()
	s.Keys("/")
	s.WaitText("Search the runbook")
	s.Type(query)
	scr := s.WaitText("filter: "+query, want)
	// Move down to want: a step or another result may rank first.
	for i := 0; !strings.Contains(scr, "▌"+want); i++ {
		if i == 10 {
			s.t.Fatalf("search %q: cannot select %q:\n%s", query, want, scr)
		}
		before := selectedRow(scr)
		s.Keys("Down")
		scr = s.WaitFor("the selection to move", func(scr string) bool { return selectedRow(scr) != before })
	}
	s.Keys("Enter")
	s.WaitGone("Search the runbook")
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
	s.WaitText(title, "$ "+script)
}

// touchGate lets the runbook's waiting command finish.
func (s *tui) touchGate() {
	s.t.Helper()
	writeFile(s.t, filepath.Join(s.scratch, "gate"), "", 0o644)
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

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}
