package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/ops/notify"
	"planner-tui/ops/runner"
)

// testVersion is stamped into the binary the tests build.
const testVersion = "v0.0.0-clitest"

// bin is the planner-tui binary under test: $PLANNER_TUI_BIN, else one
// built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	if runner.IsSupervisor() {
		os.Exit(runner.SupervisorMain())
	}
	if notify.IsDeliverer() {
		os.Exit(notify.DelivererMain())
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// Started under nohup, this process has SIGHUP ignored, and an ignored
	// signal stays ignored across exec: the planner-tui processes these
	// tests start would then survive the hangup TestKilledRunIsRecorded
	// sends. Catching it here gives every child the default again (exec
	// resets caught signals, not ignored ones).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	bin = os.Getenv("PLANNER_TUI_BIN")
	if bin == "" {
		dir, err := os.MkdirTemp("", "planner-tui-clitest-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "planner-tui")
		build := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", bin, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building planner-tui:", err)
			return 1
		}
	}
	return m.Run()
}

// Command ids of testdata/session.md (suffixes work too, but full ids make
// failures plain).
const (
	idGreet    = "basics/greet/say-hello"
	idParams   = "basics/params/deploy-a-version"
	idExit0    = "basics/exit-codes/exit-zero"
	idExit1    = "basics/exit-codes/exit-one"
	idExit42   = "basics/exit-codes/exit-forty-two"
	idCount    = "basics/streaming/count-lines"
	idPrintW   = "basics/streaming/print-then-wait"
	idBlock7   = "basics/blocking/wait-for-release-then-exit-7"
	idPickA    = "guards/pick-one/pick-a"
	idPickB    = "guards/pick-one/or-pick-b"
	idTouch    = "guards/touch/touch-the-change-marker"
	idWipe     = "guards/wipe/wipe-the-scratch-dir"
	idDrop     = "guards/drop/drop-a-release"
	secretEnv  = "SECRET_KEY"
	secretText = "clitest-S3cret-a1b2c3"
)

// stack is a planner dir (with a .env holding a secret), a state dir, and a
// dir for the marker files of testdata/session.md.
type stack struct {
	runbook, planner, state, marks, release string
}

func newStack(t *testing.T) *stack {
	t.Helper()
	rb, err := filepath.Abs(filepath.Join("testdata", "session.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := &stack{runbook: rb, planner: t.TempDir(), state: t.TempDir(), marks: t.TempDir()}
	s.release = filepath.Join(s.marks, "release")
	if err := os.WriteFile(filepath.Join(s.planner, ".env"), []byte(secretEnv+"="+secretText+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Whatever happens, a command waiting for the release file ends.
	t.Cleanup(func() { os.WriteFile(s.release, nil, 0o600) })
	return s
}

// args are the global flags for this stack, then args.
func (s *stack) args(args ...string) []string {
	return append([]string{
		"--runbook", s.runbook, "--dir", s.planner, "--state-dir", s.state,
		"--set", "MARK_DIR=" + s.marks, "--set", "RELEASE=" + s.release,
	}, args...)
}

func (s *stack) exists(name string) bool {
	_, err := os.Stat(filepath.Join(s.marks, name))
	return err == nil
}

type result struct {
	stdout, stderr string
	code           int
}

// command is planner-tui with args, stdin /dev/null, in its own process
// group (so the test's signals stay the test's), with a state home of its
// own.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(bin, args...)
	c.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir(), "NO_COLOR=1")
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return c
}

// cli runs planner-tui to the end.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	c := command(t, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	r := result{stdout: out.String(), stderr: errb.String()}
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("planner-tui %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// jsonOf runs planner-tui and decodes its stdout.
func jsonOf(t *testing.T, v any, args ...string) {
	t.Helper()
	r := cli(t, args...)
	if r.code != 0 {
		t.Fatalf("planner-tui %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("planner-tui %s: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
}

// commandStatus is a command's status and exit code from `list --json`.
func (s *stack) commandStatus(t *testing.T, id string) jsonCommand {
	t.Helper()
	var rb jsonRunbook
	jsonOf(t, &rb, s.args("list", "--json")...)
	for _, sec := range rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				if c.ID == id {
					return c
				}
			}
		}
	}
	t.Fatalf("list --json has no command %s", id)
	return jsonCommand{}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
