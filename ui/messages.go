package ui

import (
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/session"
)

// Messages between the screens and the root.
type (
	runMsg struct {
		cmdID  string
		picked bool // an alternative chosen on the list: no picker
	}
	openMsg    struct{ t target }
	tickMsg    struct{ check *checklist.Check }
	noteReqMsg struct{ stepID, title string }
	noteMsg    struct{ stepID, text string }
	flashMsg   struct {
		text string
		warn bool
		err  bool
	}
	flowMsg     struct{ f flow }
	startReqMsg struct {
		plan *session.Plan
		conf string
	}
	startedMsg struct {
		cmdID string
		job   job
		buf   *LogBuffer
		err   error
	}
	jobDoneMsg struct {
		cmdID string
		cr    checklist.CommandRun
		err   error
	}
	attachMsg struct {
		job job
		buf *LogBuffer
	}
	cancelReqMsg  struct{}
	cancelDoneMsg struct{ err error }
	secondMsg     struct{ t time.Time }
	quitMsg       struct{}
	// the log of a command that ran before this screen started
	tailReqMsg struct{ path string }
	tailMsg    struct {
		path string
		buf  *LogBuffer
	}
	skipReqMsg  struct{ cmdID string }
	skipDoneMsg struct {
		cmdID string
		err   error
	}
	newRunReqMsg  struct{}
	newRunMsg     struct{ title string }
	newRunDoneMsg struct{ err error }
	// savedMsg: a write to the run (a tick, a note) finished.
	savedMsg struct {
		ok, failed string // flash on success (may be ""), prefix on failure
		err        error
	}
	recordedMsg struct {
		cmdID string
		err   error
	}
)

// flow is a request to run a command on its way through the pickers,
// forms and guards.
type flow struct {
	cmdID  string
	params map[string]string
	picked bool // the alternative was chosen already
	again  bool // the operator said yes to running again what ran elsewhere
}
