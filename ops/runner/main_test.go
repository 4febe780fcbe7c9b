package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the supervisor (re-executed by Start) and as
// a helper process that starts jobs and then dies or blocks.
const (
	helperEnv     = "RUNNER_TEST_HELPER" // "block": Start, print READY, block; "run": Start and Wait
	helperSpecEnv = "RUNNER_TEST_SPEC"
)

func TestMain(m *testing.M) {
	if IsSupervisor() {
		os.Exit(SupervisorMain())
	}
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode))
	}
	os.Exit(m.Run())
}

func helperMain(mode string) int {
	var spec Spec
	if err := json.Unmarshal([]byte(os.Getenv(helperSpecEnv)), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	job, err := Start(context.Background(), spec, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	if mode == "run" {
		res, err := job.Wait()
		if err != nil || res.Err != "" {
			fmt.Fprintln(os.Stderr, "helper:", err, res.Err)
			return 2
		}
		return res.ExitCode
	}
	fmt.Println("READY")
	io.Copy(io.Discard, os.Stdin) // until killed
	return 0
}

// startHelper runs the test binary as a helper in its own process group and
// returns once it has started the job.
func startHelper(t *testing.T, mode string, spec Spec) *exec.Cmd {
	t.Helper()
	b, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperSpecEnv+"="+string(b))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe() // never closed: "block" blocks on it
	t.Cleanup(func() { stdin.Close() })
	if mode == "run" {
		return cmd
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	line := make([]byte, 6)
	if _, err := io.ReadFull(stdout, line); err != nil || string(line) != "READY\n" {
		t.Fatalf("helper did not start the job: %q %v", line, err)
	}
	return cmd
}

// syncBuffer is an io.Writer safe to read while a job writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mkfifo makes a fifo a script can block on until the test releases it.
func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// release writes a line to the fifo (blocking until the script opens it).
func release(t *testing.T, fifo, line string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(line + "\n")
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the script never opened the fifo")
	}
}

func newSpec(t *testing.T, script string) Spec {
	return Spec{JobDir: filepath.Join(t.TempDir(), "job"), Dir: t.TempDir(), Script: script}
}

// run starts spec, waits and returns the result and the live output.
func run(t *testing.T, spec Spec) (Result, string) {
	t.Helper()
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	res, err := job.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

func readLog(t *testing.T, jobDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(jobDir, OutputFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
