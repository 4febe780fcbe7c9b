package tmuxtest

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// shortDir is a temp dir short enough for a unix socket path.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tmuxtest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// A program on the screen reads what is typed, is seen by the test, its
// exit status is recorded, and it runs again on the same socket.
func TestScreen(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix []string
		want   string // on the first screen
	}{
		{"plain", nil, "ready"},
		{"prefix", []string{"sh", "-c", `echo through-the-prefix; exec "$@"`, "sh"}, "through-the-prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Start(t, Options{Dir: shortDir(t), Env: []string{"PATH=/usr/bin:/bin", "GREETING=ready"}, Prefix: tc.prefix, Width: 80, Height: 24},
				"sh", "-c", `echo "$GREETING at $TERM"; read x; echo "got $x"; read x; exit 3`)
			s.WaitText(tc.want, "ready at ")
			if _, exited := s.ExitStatus(); exited {
				t.Fatal("exited before it read a line")
			}
			s.Type("hi there")
			s.Keys("Enter")
			s.WaitText("got hi there")
			s.Keys("Enter")
			if status := s.WaitExit(); status != "3" {
				t.Errorf("exit status %q, want 3", status)
			}
			s.Restart()
			s.WaitText("ready at ")
			s.Keys("Enter")
			s.WaitText("got")
			s.Keys("Enter")
			if status := s.WaitExit(); status != "3" {
				t.Errorf("exit status after the restart %q, want 3", status)
			}
		})
	}
}

// Close sends the quit keys and the program exits (it ignores the hangup).
func TestCloseSendsQuitKeys(t *testing.T) {
	s := Start(t, Options{Dir: shortDir(t), Env: []string{"PATH=/usr/bin:/bin"}, QuitKeys: []string{"q", "Enter"}, RemainOnExit: true},
		"sh", "-c", `trap '' HUP; echo up; until [ "$x" = q ]; do read x; done; exit 7`)
	s.WaitText("up")
	pid, ok := s.PID()
	if !ok {
		t.Fatal("no pid")
	}
	s.Close()
	if status, exited := s.ExitStatus(); !exited || status != "7" {
		t.Errorf("after Close: exit status %q (exited %v), want 7", status, exited)
	}
	if ProcessAlive(pid) {
		t.Errorf("pid %d still alive after Close", pid)
	}
}

// fatalRecorder stands in for the test to catch how it ends: a Fatal or
// a Skip, and the message.
type fatalRecorder struct {
	testing.TB
	ended, msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.end("fatal", fmt.Sprintf(format, args...))
}

func (r *fatalRecorder) Fatal(args ...any) { r.end("fatal", fmt.Sprint(args...)) }
func (r *fatalRecorder) Skip(args ...any)  { r.end("skip", fmt.Sprint(args...)) }

func (r *fatalRecorder) end(how, msg string) {
	r.ended, r.msg = how, msg
	runtime.Goexit()
}

// run calls f with r as its test, on a goroutine of its own so that a
// Fatal or Skip ends only f.
func (r *fatalRecorder) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

// Without tmux a test fails under CI=true and skips otherwise.
func TestNeedWithoutTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("Need skips everything with -short")
	}
	for _, tc := range []struct {
		ci, want string
	}{
		{"true", "fatal"},
		{"", "skip"},
		{"false", "skip"},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("PATH", t.TempDir()) // no tmux on it
			t.Setenv("CI", tc.ci)
			rec := &fatalRecorder{TB: t}
			rec.run(func() { Need(rec) })
			if rec.ended != tc.want || !strings.Contains(rec.msg, "tmux is not installed") {
				t.Errorf("Need ended with %s %q, want %s saying tmux is not installed", rec.ended, rec.msg, tc.want)
			}
		})
	}
}

// A wait that times out fails naming what it waited for and showing the
// last screen.
func TestWaitTimeoutShowsTheScreen(t *testing.T) {
	s := Start(t, Options{Dir: shortDir(t), Env: []string{"PATH=/usr/bin:/bin"}, Timeout: 300 * time.Millisecond},
		"sh", "-c", `echo on-the-screen; read x`)
	s.WaitText("on-the-screen")
	rec := &fatalRecorder{TB: t}
	s.t = rec
	rec.run(func() { s.WaitText("never shown") })
	s.t = t
	if rec.ended != "fatal" {
		t.Fatalf("the wait ended with %q, want a failure", rec.ended)
	}
	for _, want := range []string{`waited 300ms for ["never shown"] on the screen`, "on-the-screen"} {
		if !strings.Contains(rec.msg, want) {
			t.Errorf("the failure %q does not say %q", rec.msg, want)
		}
	}
}
