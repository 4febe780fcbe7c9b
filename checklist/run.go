package checklist

import "time"

// Status of a command in a run.
type Status string

const (
	Pending Status = "pending"
	Running Status = "running"
	OK      Status = "ok"
	Failed  Status = "failed"
	// Warning: the command ran, but something needs a look (a warn-exit
	// code, a warn-if line, `planner-tui op` exiting 3). Never shown or
	// counted as ok.
	Warning     Status = "warning"
	Skipped     Status = "skipped"
	Interrupted Status = "interrupted" // the supervisor died, or the step was cancelled
)

// Run is one walk through a runbook: a deployment, a rollback, an incident.
// It is persisted as JSON in <state dir>/runs/<ID>/state.json.
type Run struct {
	ID       string `json:"id"`
	Runbook  string `json:"runbook"` // Runbook.Path
	Title    string `json:"title"`   // what the operator called it, or the runbook title
	Operator string `json:"operator"`
	Host     string `json:"host"`
	// Dir is the planner dir (PLANNER_DIR) the run was started for, so
	// that planner-tui watch opens the same stack; "" in runs of older
	// versions.
	Dir string `json:"dir,omitempty"`
	// OperatorVars are the variables the driving planner-tui filled
	// commands with when it last opened the run (front matter, its
	// environment, --set), secrets left out: planner-tui watch shows the
	// commands as the operator runs them, not with its own environment.
	OperatorVars map[string]string `json:"operator_vars,omitempty"`
	Started      time.Time         `json:"started"`
	Updated      time.Time         `json:"updated"`
	Ended        time.Time         `json:"ended,omitzero"`

	Commands map[string]*CommandRun `json:"commands"` // by Command.ID
	Checks   map[string]*CheckState `json:"checks"`   // by Check.ID
	// Choices maps the id of the first command of an alternative group to
	// the id of the command chosen in it.
	Choices map[string]string `json:"choices"`
	// Params are the <placeholder> values given in this run, by name.
	Params map[string]string `json:"params"`
	// Vars are the shell variables set by the run's commands (the values are
	// kept as the shell printed them with declare -p; secrets masked for
	// display only by the caller).
	Vars  map[string]string `json:"vars"`
	Notes map[string][]Note `json:"notes"` // by step id
	// Backups are the verified backups taken during this run, newest last.
	Backups []Backup `json:"backups,omitempty"`
	// Deployment is what this run deployed (record.go); nil until its
	// first change to the stack.
	Deployment *DeploymentRecord `json:"deployment,omitempty"`
	// Attempts are the ended attempts of each command, oldest first, by
	// Command.ID: a retry replaces Commands[id], never these. Runs of
	// older versions lack them (their Commands hold the last attempt).
	Attempts map[string][]CommandRun `json:"attempts,omitempty"`
}

// CommandRun is the latest attempt of one command in a run.
type CommandRun struct {
	Status   Status            `json:"status"`
	JobID    string            `json:"job_id,omitempty"`
	Attempt  int               `json:"attempt"`
	Started  time.Time         `json:"started,omitzero"`
	Ended    time.Time         `json:"ended,omitzero"`
	ExitCode int               `json:"exit_code"`
	Log      string            `json:"log,omitempty"` // path of the full output
	Params   map[string]string `json:"params,omitempty"`
	// Confirmed is the phrase typed (or "yes") that let it run.
	Confirmed string `json:"confirmed,omitempty"`
	Error     string `json:"error,omitempty"` // why it could not start, or was interrupted
	// Detail says why the outcome is what it is when the exit code alone
	// does not ("output matched fail-if ...: <line>", "exit 1 is in ok-exit").
	Detail string `json:"detail,omitempty"`
	// EndAudit is the outcome of a run.end audit record not yet known to
	// be written: set when the end is saved, cleared once it is audited,
	// so that a crash in between is repaired at the next start.
	EndAudit string `json:"end_audit,omitempty"`
}

// CheckState is a ticked manual check.
type CheckState struct {
	Done bool      `json:"done"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Note is a free-text note an operator added to a step.
type Note struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Backup is a database backup taken and verified during a run.
type Backup struct {
	Path     string    `json:"path"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Verified bool      `json:"verified"`
	At       time.Time `json:"at"`
	// DrillPassed is when a restore drill of this file passed (op
	// verify-backup --restore-test); zero when it was not drilled.
	DrillPassed time.Time `json:"drill_passed,omitzero"`
}
