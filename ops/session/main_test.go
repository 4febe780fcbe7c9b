package session

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/runner"
)

// The test binary doubles as the detached supervisor: runner.Start
// re-executes os.Executable().
func TestMain(m *testing.M) {
	if runner.IsSupervisor() {
		os.Exit(runner.SupervisorMain())
	}
	if path := os.Getenv(envHoldLock); path != "" {
		os.Exit(holdLock(path))
	}
	os.Exit(m.Run())
}

// secretValue is the SECRET_KEY of the test planner dir's .env.
const secretValue = "s3cr3t-Value-9f8e7d"

// Command ids of testdata/session.md.
const (
	idGreet     = "basics/greet/say-hello"
	idParams    = "basics/params/deploy-a-version"
	idSetStamp  = "basics/variables/set-a-stamp"
	idEchoStamp = "basics/variables/print-the-stamp"
	idFifo      = "basics/blocking/wait-on-the-fifo"
	idPickA     = "guards/pick-one/pick-a"
	idPickB     = "guards/pick-one/or-pick-b"
	idTouch     = "guards/touch/touch-the-change-marker"
	idWipe      = "guards/wipe/wipe-the-scratch-dir"
	idMigrate   = "guards/migrate/migrate-the-database"
	idBackup    = "guards/backup/record-a-verified-backup"
	checkFirst  = "checklist/announce-the-test"
	stepGreet   = "basics/greet"
)

// fixture is a planner dir with a .env, a state dir, a dir for the marker
// files commands leave, and a fifo a command can block on.
type fixture struct {
	runbook string
	planner string
	state   string
	marks   string
	fifo    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	rb, err := filepath.Abs(filepath.Join("..", "..", "testdata", "session.md"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{runbook: rb, planner: t.TempDir(), state: t.TempDir(), marks: t.TempDir()}
	env := "# test stack\nDB_USER=planner\nSECRET_KEY=" + secretValue + "\n"
	if err := os.WriteFile(filepath.Join(f.planner, ".env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	f.fifo = filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(f.fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A failed test must not leave a supervisor blocked on the fifo.
	t.Cleanup(func() {
		if w, err := os.OpenFile(f.fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	return f
}

func (f *fixture) options() Options {
	return Options{
		RunbookPath: f.runbook,
		Dir:         f.planner,
		StateDir:    f.state,
		Sets:        map[string]string{"MARK_DIR": f.marks, "FIFO": f.fifo},
		Version:     "test",
	}
}

func (f *fixture) open(t *testing.T) *Session {
	t.Helper()
	s, err := Open(context.Background(), f.options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (f *fixture) exists(name string) bool {
	_, err := os.Stat(filepath.Join(f.marks, name))
	return err == nil
}

// release lets the command blocked on the fifo go on.
func (f *fixture) release(t *testing.T, line string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(f.fifo, os.O_WRONLY, 0)
		if err == nil {
			_, err = w.WriteString(line + "\n")
			w.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command never opened the fifo")
	}
}

// syncBuffer is an io.Writer safe to read while a job writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// plan fails the test if Plan does.
func plan(t *testing.T, s *Session, id string, params map[string]string) *Plan {
	t.Helper()
	p, err := s.Plan(id, params)
	if err != nil {
		t.Fatalf("Plan(%s): %v", id, err)
	}
	return p
}

// run plans, starts and waits for a command; it fails the test if the
// command could not start.
func run(t *testing.T, s *Session, id string, params map[string]string, confirmation string) (checklist.CommandRun, string) {
	t.Helper()
	var out syncBuffer
	e, err := s.Start(context.Background(), plan(t, s, id, params), confirmation, &out)
	if err != nil {
		t.Fatalf("Start(%s): %v", id, err)
	}
	cr, err := e.Wait()
	if err != nil {
		t.Fatalf("Wait(%s): %v", id, err)
	}
	return cr, out.String()
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

// auditEvents reads the audit log of a state dir.
func auditEvents(t *testing.T, stateDir string) []audit.Record {
	t.Helper()
	recs, err := audit.Read(filepath.Join(stateDir, "audit.jsonl"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return recs
}

func hasEvent(recs []audit.Record, event, cmdID string) bool {
	for _, r := range recs {
		if r.Event == event && r.CommandID == cmdID {
			return true
		}
	}
	return false
}
