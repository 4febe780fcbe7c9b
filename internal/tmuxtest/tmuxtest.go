// Package tmuxtest runs a program in a real terminal for end-to-end tests:
// a tmux server of its own (one socket per Screen, so parallel tests never
// share a server) runs the program in a window of a fixed size; the test
// types with `tmux send-keys` and reads the screen with `tmux capture-pane
// -p`, polling until what a user would see is there, or failing with the
// last screen after a timeout. The program gets a clean environment
// (`env -i`), optionally behind a prefix such as `runuser -u USER --` to
// run it as another Unix user, and the launch records its pid and exit
// status in files (tmux's own pane_dead_status is racy: the pane's
// terminal can close before tmux reaps the process).
//
// Without tmux a test skips, except under CI=true where a missing tmux is
// a failure (Need); with -short it skips.
package tmuxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// DefaultTimeout bounds every wait when Options.Timeout is zero; generous
// because CI machines are slow, and a passing test never waits for it.
const DefaultTimeout = 15 * time.Second

// session is the tmux session (and target) of every Screen: each has a
// server of its own, so one name is enough.
const session = "main"

// poll is how often a wait looks at the screen again.
const poll = 20 * time.Millisecond

// Need returns the path of tmux. It skips the test with -short, and when
// tmux is missing it fails the test under CI=true and skips it otherwise.
func Need(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test under tmux: skipped with -short")
	}
	p, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed and CI=true: this test must run (make deps installs tmux)")
		}
		t.Skip("tmux is not installed (make deps installs it)")
	}
	return p
}

// Options say where and how Start runs the program.
type Options struct {
	// Dir holds the socket, the tmux config, the launch script and the
	// pid and exit files. Keep it short: a unix socket path has about
	// 100 bytes (os.MkdirTemp("", ...), not t.TempDir).
	Dir string
	// Name prefixes those files, so that one Dir can hold several
	// screens; "tmux" when empty.
	Name string
	// Width and Height are the window's size; 120×40 when zero.
	Width, Height int
	// Env is the program's whole environment (NAME=value) besides TERM,
	// which is tmux's.
	Env []string
	// Prefix runs before `env -i`: `runuser -u USER --` runs the program
	// as another Unix user.
	Prefix []string
	// QuitKeys are sent one at a time on Close, which then waits for
	// the program to exit before it kills the server: for a program
	// behind runuser, which does not pass the terminal's hangup on.
	QuitKeys []string
	// RemainOnExit keeps the pane (and its last screen) after the
	// program exits; otherwise the server ends with the program.
	RemainOnExit bool
	// Timeout bounds every wait; DefaultTimeout when zero.
	Timeout time.Duration
}

// Screen is one program running in a tmux server of its own.
type Screen struct {
	t        testing.TB
	tmux     string
	o        Options
	sock     string
	conf     string
	launch   string
	pidFile  string
	exitFile string
	closed   bool
}

// Start writes the launch script and the tmux config into o.Dir and runs
// argv in a new detached tmux server. It does not wait for the program:
// wait for its first screen with WaitText. Close runs at the test's end.
func Start(t testing.TB, o Options, argv ...string) *Screen {
	t.Helper()
	tmux := Need(t)
	if o.Name == "" {
		o.Name = "tmux"
	}
	if o.Width == 0 || o.Height == 0 {
		o.Width, o.Height = 120, 40
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	base := filepath.Join(o.Dir, o.Name)
	s := &Screen{t: t, tmux: tmux, o: o, sock: base + ".sock", conf: base + ".conf",
		launch: base + ".sh", pidFile: base + ".pid", exitFile: base + ".exit"}
	// The inner sh's $$ is the program's pid because exec keeps it; the
	// outer sh records the exit status once it has ended.
	envI := append(append([]string{}, o.Prefix...), "env", "-i")
	prog := append(append([]string{}, o.Env...), argv...)
	script := fmt.Sprintf(`#!/bin/sh
sh -c 'echo $$ > "$1"; shift; exec "$@"' sh %s %s TERM="$TERM" %s
echo $? > %s
`, shq(s.pidFile), shqAll(envI), shqAll(prog), shq(s.exitFile))
	conf := "set -g status off\n" // no status line: the pane is the whole window
	if o.RemainOnExit {
		conf += "set -g remain-on-exit on\n"
	}
	for path, f := range map[string]struct {
		data string
		mode os.FileMode
	}{s.launch: {script, 0o755}, s.conf: {conf, 0o644}} {
		if err := os.WriteFile(path, []byte(f.data), f.mode); err != nil {
			t.Fatalf("tmuxtest: %v", err)
		}
	}
	s.Tmux(s.newSession()...)
	t.Cleanup(s.Close)
	return s
}

func (s *Screen) newSession() []string {
	return []string{"-f", s.conf, "new-session", "-d", "-s", session,
		"-x", strconv.Itoa(s.o.Width), "-y", strconv.Itoa(s.o.Height), s.launch}
}

// Tmux runs a tmux command on the screen's server and returns its output;
// an error fails the test.
func (s *Screen) Tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.tmux, append([]string{"-u", "-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Keys sends tmux key names (Enter, Escape, Up, q, ...). After Escape,
// wait for the screen to change before the next key: an escape followed
// at once by another key reads as alt+key.
func (s *Screen) Keys(keys ...string) {
	s.t.Helper()
	s.Tmux(append([]string{"send-keys", "-t", session}, keys...)...)
}

// Type types text literally.
func (s *Screen) Type(text string) {
	s.t.Helper()
	s.Tmux("send-keys", "-t", session, "-l", text)
}

// Capture returns the screen as text.
func (s *Screen) Capture() string {
	s.t.Helper()
	return s.Tmux("capture-pane", "-p", "-t", session)
}

// Resize sets the window's size.
func (s *Screen) Resize(width, height int) {
	s.t.Helper()
	s.Tmux("resize-window", "-t", session, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height))
}

// WaitFor polls the screen until cond holds and returns that screen; on
// timeout the test fails, naming what it waited for and showing the last
// screen.
func (s *Screen) WaitFor(what string, cond func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(s.o.Timeout)
	for {
		scr := s.Capture()
		if cond(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %s; the screen:\n%s", s.o.Timeout, what, scr)
		}
		time.Sleep(poll)
	}
}

// WaitText waits until every text is on the screen, and returns it.
func (s *Screen) WaitText(texts ...string) string {
	s.t.Helper()
	return s.WaitFor(fmt.Sprintf("%q on the screen", texts), func(scr string) bool {
		for _, x := range texts {
			if !strings.Contains(scr, x) {
				return false
			}
		}
		return true
	})
}

// WaitGone waits until text is no longer on the screen, and returns it.
func (s *Screen) WaitGone(text string) string {
	s.t.Helper()
	return s.WaitFor(fmt.Sprintf("%q to leave the screen", text), func(scr string) bool {
		return !strings.Contains(scr, text)
	})
}

// PID is the program's process id, once it has started.
func (s *Screen) PID() (int, bool) {
	b, err := os.ReadFile(s.pidFile)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

// ExitStatus is the program's exit status once it has exited.
func (s *Screen) ExitStatus() (status string, exited bool) {
	b, err := os.ReadFile(s.exitFile)
	if err != nil || !strings.HasSuffix(string(b), "\n") {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// WaitExit waits until the program has exited and returns its status; on
// timeout the test fails showing the last screen.
func (s *Screen) WaitExit() string {
	s.t.Helper()
	deadline := time.Now().Add(s.o.Timeout)
	for {
		if status, exited := s.ExitStatus(); exited {
			return status
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the program still runs after %s; the screen:\n%s", s.o.Timeout, s.Capture())
		}
		time.Sleep(poll)
	}
}

// Restart runs the program again in a new server on the same socket,
// after it has exited (and without RemainOnExit the first server with it).
//
// The first server exits when the program does, but not at once: a
// new-session that reaches it while it shuts down fails with "server
// exited unexpectedly". So wait until no server answers on the socket, and
// start again if the new session still met the dying one.
func (s *Screen) Restart() {
	s.t.Helper()
	os.Remove(s.exitFile)
	deadline := time.Now().Add(s.o.Timeout)
	for exec.Command(s.tmux, "-S", s.sock, "list-sessions").Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("the first tmux server still runs %s after the program exited", s.o.Timeout)
		}
		time.Sleep(poll)
	}
	args := append([]string{"-u", "-S", s.sock}, s.newSession()...)
	for try := 1; ; try++ {
		out, err := exec.Command(s.tmux, args...).CombinedOutput()
		if err == nil {
			return
		}
		if try == 3 || !strings.Contains(string(out), "server exited unexpectedly") {
			s.t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
	}
}

// Close ends the program and the server: it sends QuitKeys and waits for
// the program to exit, when there are any, then kills the server and waits
// (without failing) until the program is gone. Start registers it as a
// cleanup; a caller that needs more done around it calls it itself, as
// only the first call acts.
func (s *Screen) Close() {
	s.t.Helper()
	if s.closed {
		return
	}
	s.closed = true
	if len(s.o.QuitKeys) > 0 {
		for _, k := range s.o.QuitKeys {
			exec.Command(s.tmux, "-S", s.sock, "send-keys", "-t", session, k).Run()
		}
		if !s.waitGone(s.o.Timeout) {
			s.t.Errorf("waited %s for the program to quit on %q", s.o.Timeout, s.o.QuitKeys)
		}
	}
	exec.Command(s.tmux, "-S", s.sock, "kill-server").Run()
	s.waitGone(s.o.Timeout)
}

// waitGone waits up to d until the program has exited, and reports
// whether it has.
func (s *Screen) waitGone(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		_, exited := s.ExitStatus()
		pid, ok := s.PID()
		if exited || !ok || !ProcessAlive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ProcessAlive reports whether pid exists and is not a zombie.
func ProcessAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state is the field after the command name, which may hold spaces.
	rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
	f := strings.Fields(rest)
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
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
