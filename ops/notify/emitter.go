package notify

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/mask"
	"planner-tui/ops/runner"
)

// Source is what the emitter reads of the session (*session.Session is
// one). None of these may take the session's run mutex: the emitter runs
// under it.
type Source interface {
	Runbook() *checklist.Runbook
	StateDir() string
	Mask(string) string
}

// Emitter turns audit records into queued events: its Record is the
// session's Options.OnAudit. Records seen before Bind (the run.new of
// session.Open) wait for it.
type Emitter struct {
	Getenv func(string) string
	// After is called with the state dir once events were queued: it
	// starts a deliverer (headless) or wakes one (the TUI). It must not
	// wait for delivery.
	After func(stateDir string)

	mu   sync.Mutex
	src  Source
	held []audit.Record
	seq  int
	err  error
}

// Record derives the events of rec and queues them (OnAudit).
func (e *Emitter) Record(rec audit.Record) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.src == nil {
		e.held = append(e.held, rec)
		return
	}
	e.emit(rec)
}

// Bind gives the emitter its session and queues what was held for it.
func (e *Emitter) Bind(src Source) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.src = src
	for _, r := range e.held {
		e.emit(r)
	}
	e.held = nil
}

// Err is the last failure to queue an event, or nil.
func (e *Emitter) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// emit queues rec's events for the hooks that want them. e.mu is held.
func (e *Emitter) emit(rec audit.Record) {
	rb := e.src.Runbook()
	hooks, err := Hooks(rb, e.Getenv)
	if err != nil {
		e.err = err
	}
	if len(hooks) == 0 {
		return
	}
	if _, err := SettingsFromEnv(e.Getenv); err != nil {
		e.err = err // the deliverer uses the defaults: said, not fatal
	}
	dir := e.src.StateDir()
	store := &checklist.Store{Dir: dir}
	q := newQueue(dir)
	d := deriver{
		rb: rb,
		run: func(id string) *checklist.Run {
			if id == "" {
				return nil
			}
			r, err := store.Load(id)
			if err != nil {
				return nil
			}
			return r
		},
		outputTail: func(runID, jobID string) []string {
			return tailLines(filepath.Join(store.JobDir(runID, jobID), runner.OutputFile), 10)
		},
		once: q.once,
	}
	events := d.derive(rec)
	if len(events) == 0 {
		return
	}
	// The hooks' own URLs and secrets are masked too, whatever the
	// session knows.
	var own []string
	for _, h := range hooks {
		own = append(own, e.Getenv(h.URLEnv), e.Getenv(h.SecretEnv))
	}
	hm := mask.New(own)
	maskAll := func(s string) string { return hm.String(e.src.Mask(s)) }
	queued := false
	for _, ev := range events {
		e.seq++
		ev.ID = fmt.Sprintf("%020d-%07d-%04d", time.Now().UnixNano(), os.Getpid(), e.seq%10000)
		ev = maskEvent(ev, maskAll)
		for _, h := range hooks {
			if !h.Wants(ev.Event) {
				continue
			}
			body, err := Body(h.Format, ev)
			if err != nil {
				e.err = err
				continue
			}
			if err := q.put(Item{EventID: ev.ID, Event: ev.Event, RunID: ev.RunID, Hook: h, Body: string(body), Queued: time.Now().UTC()}); err != nil {
				e.err = err
				continue
			}
			queued = true
		}
	}
	if queued && e.After != nil {
		e.After(dir)
	}
}

// tailLines is the last n non-empty lines of a file's last 8 KiB.
func tailLines(path string, n int) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 8<<10 {
		f.Seek(fi.Size()-8<<10, io.SeekStart)
	}
	b, _ := io.ReadAll(io.LimitReader(f, 8<<10))
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 8<<10), 8<<10)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}
