package session

import (
	"context"
	"errors"
	"io"
	"sync"

	"planner-tui/checklist"
	"planner-tui/ops"
)

// errUnbuilt marks methods whose bodies land with the runner and state
// store; the lead replaces every use before the engine issue closes.
var errUnbuilt = errors.New("session: not built yet")

// Session is one operator's handle on a runbook and its current run. All
// methods are safe for concurrent use.
type Session struct {
	mu      sync.Mutex
	runbook *checklist.Runbook
	vars    map[string]string
	target  ops.Target
	run     *checklist.Run
}

// Open loads the runbook, works out the effective variables and the target
// stack, and resumes (or creates) the current run in the state dir.
func Open(ctx context.Context, o Options) (*Session, error) { return nil, errUnbuilt }

func (s *Session) Runbook() *checklist.Runbook { return s.runbook }
func (s *Session) Vars() map[string]string     { return s.vars }
func (s *Session) Target() ops.Target          { return s.target }
func (s *Session) Actor() string               { return "" }
func (s *Session) Run() checklist.Run          { return checklist.Run{} }
func (s *Session) Mask(text string) string     { return text }

// Plan resolves what running a command would do, without running it.
func (s *Session) Plan(cmdID string, params map[string]string) (*Plan, error) {
	return nil, errUnbuilt
}

// ParamChoices lists values for a placeholder where they can be listed.
func (s *Session) ParamChoices(ctx context.Context, name string) ([]Choice, error) {
	return nil, errUnbuilt
}

// Start runs the plan in the background. See Execution.
func (s *Session) Start(ctx context.Context, p *Plan, confirmation string, out io.Writer) (*Execution, error) {
	return nil, errUnbuilt
}

// Running returns the execution of a command still running, or nil.
func (s *Session) Running(ctx context.Context, out io.Writer) *Execution { return nil }

func (s *Session) SetCheck(checkID string, done bool) error { return errUnbuilt }
func (s *Session) AddNote(stepID, text string) error        { return errUnbuilt }
func (s *Session) Skip(cmdID string) error                  { return errUnbuilt }
func (s *Session) NewRun(title string) error                { return errUnbuilt }
func (s *Session) Close() error                             { return nil }

// Execution is a command running in the background.
type Execution struct {
	JobID     string
	CommandID string
	LogPath   string
}

// Wait blocks until the command ends and returns its recorded result.
func (e *Execution) Wait() (checklist.CommandRun, error) { return checklist.CommandRun{}, errUnbuilt }

// Cancel sends SIGTERM to the command's process group, SIGKILL after a grace.
func (e *Execution) Cancel() error { return errUnbuilt }
