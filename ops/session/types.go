package session

import (
	"fmt"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
)

// Options say which runbook, stack and state dir a session works on.
type Options struct {
	RunbookPath string            // "" = the embedded docs/runbook.md
	Dir         string            // --dir: overrides PLANNER_DIR
	StateDir    string            // --state-dir; "" = $XDG_STATE_HOME/planner-tui
	Sets        map[string]string // --set K=V, applied last
	Version     string            // tool version, for the audit log
	// ReadOnly sessions (list, show, status) create no run, take no lock and
	// write nothing; Start refuses.
	ReadOnly bool
	// Watch (with ReadOnly) is planner-tui watch (watch_open.go): no
	// current run is an error, commands are never settled and the lock
	// is never probed; only the presence file is written.
	Watch bool
	// Migrations checks the pending migrations' SQL when a command that
	// applies them is started (migration_risk.go); nil: not checked.
	Migrations MigrationCheck
	// OnAudit sees each audit record once it is appended (ops/notify turns
	// some into notifications). It runs under the run mutex: it must not
	// call the session back, and it must not wait on the network.
	OnAudit func(audit.Record)
	// HealthGate: after a compose up of the app in a deployment procedure
	// ends ok, watch the app for the runbook's window in the background
	// (healthgate.go). The TUI sets it; a headless run, which exits when
	// its command ends, runs `planner-tui op health-gate` instead.
	HealthGate bool
}

// Plan is what running a command would do, resolved without running it.
type Plan struct {
	Command *checklist.Command
	Script  string // parameters filled in
	Display string // Script with secrets masked: what the screen shows
	Params  map[string]string
	Missing []string // placeholder names that still need a value
	// Reused are the values not given to Plan but taken from earlier in
	// the run: name -> the command that set it. A plan that needs a phrase
	// is refused with them until they are given again.
	Reused map[string]string
	// Risk, Reason, Confirm and Destroys are judged on Script (filled).
	Risk   checklist.Risk
	Reason string
	// Confirm is the phrase to type: set for Destructive commands and for
	// commands behind the fresh-backup gate.
	Confirm  string
	Destroys string
	// Blocked says why it cannot run now (another command running, an
	// alternative already chosen, the lock held by someone); "" if it can.
	Blocked string
	// Gate is the fresh-backup gate's message; when set, Confirm is required
	// even for a Change command.
	Gate string
	// Alternatives is the whole "Or ..." group of the command (len > 1), or nil.
	Alternatives []*checklist.Command
	// Migration is the last check of the migrations the command applies
	// (migration_risk.go), nil when none was made.
	Migration *MigrationRisk
	// Approvals is how many approvals of other engineers it needs
	// (approval.go), judged with Risk; Approval is its request as this
	// session last saw it (nil: none seen). ApprovalNote is the
	// operator's note for a request Start makes (set by the caller).
	Approvals    int
	Approval     *ApprovalStatus
	ApprovalNote string

	// secrets are values of secret-named parameters (<token>): masked like
	// the .env secrets and never kept in the run's state.
	secrets []string
	// given are the params given to Plan (not Reused): what Start plans
	// again with.
	given map[string]string
}

// NeedsPhrase says whether the plan needs the typed Confirm phrase.
func (p *Plan) NeedsPhrase() bool { return p.Confirm != "" }

// Choice is a value offered for a placeholder parameter. Recorded says it
// is the value the run's deployment record holds from before the deploy
// (the commit, tag, revision or backup to go back to): it comes first, and
// a picker opens with it chosen.
type Choice struct {
	Value, Label string
	Recorded     bool
}

// ParamError is a parameter that cannot be used: a name the command does
// not have, an empty value, or a value the shell would interpret.
type ParamError struct {
	CommandID, Name, Reason string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s: parameter <%s>: %s", e.CommandID, e.Name, e.Reason)
}

// RefusedError is returned by Start when the confirmation does not match or a
// guard refuses to run the command; nothing ran.
type RefusedError struct {
	CommandID string
	Reason    string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused to run %s: %s", e.CommandID, e.Reason)
}
