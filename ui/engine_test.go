package ui

// testEngine is scaffolding until ops/session's real engine builds: it plans
// and guards like the session contract says and runs the commands for real
// with bash (process group, output streamed to the writer), keeping the run
// in memory. Tests switch to session.Open when the runner lands.

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

type testEngine struct {
	mu       sync.Mutex
	rb       *checklist.Runbook
	run      checklist.Run
	env      []string
	running  string
	started  []string // command ids, in the order they started
	choices  map[string][]session.Choice
	job      *testJob // the running one
	detached bool     // the screen that started the job is gone (see detach)
}

// detach is the starting screen dying: the next Running call hands the
// job's output to whoever asks, as following the log file would.
func (e *testEngine) detach() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.detached = true
}

// switchWriter lets a later screen take over a running command's output,
// as the real engine does by following the job's log file.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func newTestEngine(t *testing.T) *testEngine {
	t.Helper()
	rb, _, err := checklist.Load("testdata/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if err := os.MkdirAll(tmp+"/scratch", 0o755); err != nil {
		t.Fatal(err)
	}
	return &testEngine{
		rb: rb,
		run: checklist.Run{
			ID: "run-test", Operator: "tester", Host: "testhost", Started: time.Now(),
			Commands: map[string]*checklist.CommandRun{}, Checks: map[string]*checklist.CheckState{},
			Choices: map[string]string{}, Params: map[string]string{}, Notes: map[string][]checklist.Note{},
		},
		env:     append(os.Environ(), "TMPDIR_X="+tmp),
		choices: map[string][]session.Choice{"version": {{Value: "v1.2.3", Label: "tag"}, {Value: "v1.2.2", Label: "tag"}}},
	}
}

func (e *testEngine) scratch() string {
	for _, kv := range e.env {
		if v, ok := strings.CutPrefix(kv, "TMPDIR_X="); ok {
			return v + "/scratch"
		}
	}
	return ""
}

func (e *testEngine) startedIDs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.started)
}

func (e *testEngine) Runbook() *checklist.Runbook { return e.rb }
func (e *testEngine) Actor() string               { return "tester@testhost" }
func (e *testEngine) Vars() map[string]string     { return map[string]string{} }

func (e *testEngine) Run() checklist.Run {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.run
	r.Commands = map[string]*checklist.CommandRun{}
	for k, v := range e.run.Commands {
		c := *v
		r.Commands[k] = &c
	}
	r.Checks = map[string]*checklist.CheckState{}
	for k, v := range e.run.Checks {
		c := *v
		r.Checks[k] = &c
	}
	r.Notes = map[string][]checklist.Note{}
	for k, v := range e.run.Notes {
		r.Notes[k] = slices.Clone(v)
	}
	return r
}

// Snapshot is Run as a snapshot; it is never replaced (the test engine
// has no other process to watch).
func (e *testEngine) Snapshot() *session.Snapshot {
	r := e.Run()
	return &session.Snapshot{Run: &r}
}

func (e *testEngine) Plan(id string, params map[string]string) (*session.Plan, error) {
	cmd, _ := findCommand(e.rb, id)
	if cmd == nil {
		return nil, errors.New("no command " + id)
	}
	p := &session.Plan{Command: cmd, Risk: cmd.Risk, Confirm: cmd.Confirm, Destroys: cmd.Destroys, Params: map[string]string{}}
	script := cmd.Script
	for _, n := range cmd.Params {
		if v, ok := params[n]; ok && v != "" {
			script = strings.ReplaceAll(script, "<"+n+">", v)
			p.Params[n] = v
		} else {
			p.Missing = append(p.Missing, n)
		}
	}
	p.Script, p.Display = script, script
	if cmd.Risk == checklist.Destructive && p.Confirm == "" {
		p.Confirm = "destroy"
	}
	e.mu.Lock()
	if e.running != "" {
		p.Blocked = "another command is running: " + e.running
	}
	e.mu.Unlock()
	first := cmd.ID
	if cmd.AltOf != "" {
		first = cmd.AltOf
	}
	for _, sec := range e.rb.Sections {
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				if c.ID == first || c.AltOf == first {
					p.Alternatives = append(p.Alternatives, c)
				}
			}
		}
	}
	if len(p.Alternatives) < 2 {
		p.Alternatives = nil
	}
	return p, nil
}

func (e *testEngine) ParamChoices(ctx context.Context, name string) ([]session.Choice, error) {
	return e.choices[name], nil
}

type testJob struct {
	e    *testEngine
	id   string
	cmd  *exec.Cmd
	out  *switchWriter
	done chan struct{}
	cr   checklist.CommandRun
}

func (j *testJob) CommandID() string { return j.id }
func (j *testJob) Cancel() error     { return syscall.Kill(-j.cmd.Process.Pid, syscall.SIGTERM) }
func (j *testJob) Wait() (checklist.CommandRun, error) {
	<-j.done
	return j.cr, nil
}

func (e *testEngine) startJob(ctx context.Context, p *session.Plan, confirmation string, out io.Writer) (*testJob, error) {
	want := ""
	switch {
	case p.NeedsPhrase():
		want = p.Confirm
	case p.Risk == checklist.Change:
		want = "yes"
	}
	if confirmation != want {
		return nil, &session.RefusedError{CommandID: p.Command.ID, Reason: "the confirmation does not match"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running != "" {
		return nil, &session.RefusedError{CommandID: p.Command.ID, Reason: "another command is running"}
	}
	c := exec.Command("bash", "-c", p.Script)
	c.Env = e.env
	if out == nil {
		out = io.Discard
	}
	sw := &switchWriter{w: out}
	c.Stdout, c.Stderr = sw, sw
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		return nil, err
	}
	id := p.Command.ID
	cr := &checklist.CommandRun{Status: checklist.Running, Started: time.Now(), Attempt: 1, Confirmed: confirmation}
	e.run.Commands[id] = cr
	e.running = id
	e.started = append(e.started, id)
	j := &testJob{e: e, id: id, cmd: c, done: make(chan struct{}), out: sw}
	e.job = j
	go func() {
		err := c.Wait()
		e.mu.Lock()
		cr.Ended = time.Now()
		cr.Status = checklist.OK
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			cr.ExitCode = ee.ExitCode()
			cr.Status = checklist.Failed
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				cr.Status = checklist.Interrupted
				cr.Error = "cancelled"
			}
		}
		e.running = ""
		j.cr = *cr
		e.mu.Unlock()
		close(j.done)
	}()
	return j, nil
}

func (e *testEngine) Start(ctx context.Context, p *session.Plan, confirmation string, out io.Writer) (job, error) {
	j, err := e.startJob(ctx, p, confirmation, out)
	if err != nil {
		return nil, err
	}
	return j, nil
}

func (e *testEngine) Running(ctx context.Context, out io.Writer) job {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.running == "" || e.job == nil {
		return nil
	}
	if !e.detached {
		// like the real engine: the execution started here, output unchanged
		return e.job
	}
	e.detached = false
	e.job.out.mu.Lock()
	e.job.out.w = out
	e.job.out.mu.Unlock()
	return e.job
}

func (e *testEngine) SetCheck(id string, done bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.run.Checks[id] = &checklist.CheckState{Done: done, By: "tester", At: time.Now()}
	return nil
}

func (e *testEngine) AddNote(stepID, text string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.run.Notes[stepID] = append(e.run.Notes[stepID], checklist.Note{By: "tester", At: time.Now(), Text: text})
	return nil
}

// The test engine does not keep these; the tests that need them use the
// real session (newEngine).
func (e *testEngine) Skip(string) error   { return errors.New("test engine: no skip") }
func (e *testEngine) NewRun(string) error { return errors.New("test engine: no new run") }
func (e *testEngine) StartInteractive(p *session.Plan, _, _ string) (*exec.Cmd, error) {
	return exec.Command("bash", "-c", p.Script), nil
}
func (e *testEngine) Mask(s string) string { return s }
func (e *testEngine) RecordInteractive(string, session.InteractiveEnd) error {
	return nil
}
func (e *testEngine) AdmitAction(string, string, string, string) (*session.Action, error) {
	return &session.Action{}, nil
}
