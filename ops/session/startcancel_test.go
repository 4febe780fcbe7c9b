package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/runner"
)

// A start cancelled while the supervisor starts (ctx already done: the
// operator pressed Ctrl+C, the screen quit) is recorded as it really
// ended: the command is not left running behind a "never started", and
// what the state says agrees with the supervisor's result.json.
func TestStartCancelledDuringTheHandshakeRecordsTheRealEnd(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	exercised := 0
	for i := range 5 {
		os.Remove(filepath.Join(f.marks, "changed")) // the last attempt's
		// Done once the supervisor wrote its pid file: it is up, handles
		// SIGTERM, and is about to start bash (or just did).
		pid := filepath.Join(s.store.JobDir(s.Run().ID, fmt.Sprintf("%s-%d", jobSlug(idTouch), i+1)), runner.PidFile)
		ctx := newFileCtx(pid)
		if i%2 == 0 {
			// Done before the supervisor could answer: every even attempt
			// is cancelled during the handshake, whatever the timing.
			ctx.cancel()
		}
		e, err := s.Start(ctx, plan(t, s, idTouch, nil), "yes", nil)
		ctx.stop()
		if err == nil {
			if i%2 == 0 {
				t.Fatalf("attempt %d: the context was done before Start, and the command started anyway", i)
			}
			// the handshake won the race: nothing to check this time
			e.Wait()
			continue
		}
		exercised++
		cr := s.Run().Commands[idTouch]
		if cr.Status == checklist.Running || cr.EndAudit != "" {
			t.Fatalf("attempt %d: recorded %+v, want its end", i, cr)
		}
		jobDir := s.store.JobDir(s.Run().ID, cr.JobID)
		var (
			res runner.Result
			ok  bool
		)
		waitFor(t, "the supervisor's result (or its end)", 10*time.Second, func() bool {
			var err error
			res, ok, err = runner.ReadResult(jobDir)
			return ok || err != nil || !runner.Alive(jobDir)
		})
		ranMarker := f.exists("changed")
		switch {
		case ok && res.Canceled:
			if !strings.Contains(cr.Error, "cancelled by the operator") {
				t.Errorf("attempt %d: result.json says cancelled, the run says %s %q", i, cr.Status, cr.Error)
			}
		case ok && res.Err == "" && !res.Canceled:
			if cr.Status == checklist.Interrupted {
				t.Errorf("attempt %d: the command ran to its end (exit %d), the run says %s %q", i, res.ExitCode, cr.Status, cr.Error)
			}
		}
		if ranMarker && strings.Contains(cr.Error, "never started") {
			t.Errorf("attempt %d: the command ran (its marker exists) but is recorded as %q", i, cr.Error)
		}
	}
	if exercised == 0 {
		t.Fatal("no attempt was cancelled during the handshake")
	}
	ends := 0
	for _, r := range auditEvents(t, f.state) {
		if r.Event == "run.end" && r.CommandID == idTouch {
			ends++
		}
	}
	if ends != 5 {
		t.Errorf("%d run.end records, want one per attempt (5)", ends)
	}
}

// fileCtx is a context that is done once a file exists (or cancel is
// called).
type fileCtx struct {
	context.Context
	done     chan struct{}
	quit     chan struct{}
	doneOnce sync.Once
	quitOnce sync.Once
}

func newFileCtx(path string) *fileCtx {
	c := &fileCtx{Context: context.Background(), done: make(chan struct{}), quit: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if _, err := os.Stat(path); err == nil {
				c.cancel()
				return
			}
			select {
			case <-c.quit:
				return
			case <-t.C:
			}
		}
	}()
	return c
}

// cancel makes the context done now.
func (c *fileCtx) cancel() { c.doneOnce.Do(func() { close(c.done) }) }

// stop ends the watch for the file.
func (c *fileCtx) stop() { c.quitOnce.Do(func() { close(c.quit) }) }

func (c *fileCtx) Done() <-chan struct{} { return c.done }

func (c *fileCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}
