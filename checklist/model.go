package checklist

import "time"

// Runbook is a parsed Markdown runbook.
//
// Ids are stable, readable slugs (see docs/runbook-format.md):
//   - a section's id is the GitHub anchor of its heading ("rollback-procedure");
//   - a step's id is "<section id>/<anchor of the step heading>";
//   - a check's id is "<step id>/<slug of its text>";
//   - a command's id is "<step id>/<slug of its title>".
//
// Duplicates get "-2", "-3", ... in document order. Any unique suffix of an
// id that starts at a "/" boundary finds it (see Runbook.Find).
type Runbook struct {
	Title string
	// Path is where the runbook was read from; "embedded:docs/runbook.md"
	// for the default one. Problems and errors name it with a line number.
	Path string
	// Vars are the front matter defaults (PLANNER_DIR, BASE_URL, DB_NAME,
	// ...), before overrides. Commands see them as environment variables.
	Vars map[string]string
	// Meta holds the other front matter keys, as strings (summary, emergency,
	// rollback: titles of the sections that play those roles).
	Meta map[string]string
	// Shell runs the blocks whose fence names no shell ("shell",
	// "console"): front matter shell, else DefaultShell.
	Shell string
	// Dir is the front matter cwd: the directory commands run in,
	// relative to the runbook file (see CommandDir); "" for the default.
	Dir string
	// Approvals is the front matter's approvals policy (approvals.go).
	Approvals ApprovalPolicy
	// Notify are the front matter's webhooks (notify.go; ops/notify).
	Notify   []NotifyHook
	Sections []*Section
}

// Section is a "##" heading and everything under it.
type Section struct {
	ID    string
	Title string
	Line  int
	// Intro is the Markdown prose between the heading and its first step.
	Intro string
	Steps []*Step
}

// Step is a "###" or "####" heading with its prose, checks and commands.
// Commands and checks that sit directly under a "##" heading (before any
// "###") go to an implicit step titled like the section.
type Step struct {
	ID     string
	Anchor string // GitHub anchor of the heading, the target of "#..." links
	Title  string
	// Group is the title of the enclosing "###" when this is a "####" step
	// ("Rollback Steps" for "Step 1: Stop Current Services").
	Group string
	Level int // heading level: 2 (implicit), 3 or 4
	Line  int
	// Body is the step's Markdown prose: everything but the shell blocks and
	// task-list items, kept for display.
	Body     string
	Checks   []*Check
	Commands []*Command
	// Links are the "#anchor" targets of links in the step's prose, in order.
	Links []string
}

// Check is a task-list item ("- [ ] Backup database"): a manual check the
// operator ticks, or, when it links to a procedure, a way there.
type Check struct {
	ID   string
	Text string // plain text, link markup removed
	Line int
	Link string // "#anchor" target of the first link in the item, if any
	Done bool   // "[x]" in the document
}

// Command is one runnable unit of a shell block: a comment line and the
// command lines under it, with "\" continuations and multi-line constructs
// kept whole.
type Command struct {
	ID     string
	Title  string // the comment above it (without "#"), else its first line
	Script string // exactly as in the runbook, placeholders included
	Line   int    // line of the first script line in the runbook file
	Lang   string // fence language: bash, sh, zsh, ksh, shell or console
	// Shell is the shell that runs it: the one the fence names, else the
	// front matter's, else bash; a Runme interpreter= attribute overrides.
	Shell string
	// Dir is where it runs, from the front matter cwd and the fence's cwd
	// attribute (Runme's), relative to the runbook file unless absolute;
	// "" for the project dir. See Runbook.CommandDir.
	Dir string
	// Background is Runme's background=true: a process meant to keep
	// running (a server). It runs as every step does, detached, and its
	// step stays running until it ends or is cancelled.
	Background bool
	// Attrs are the fence info attributes ({confirm="x" timeout=120s risk=destructive}).
	Attrs map[string]string
	// Risk as classified from the script, raised (never lowered below
	// Destructive) by a risk= attribute.
	Risk    Risk
	Reason  string // why it has this risk ("compose down stops the stack")
	Confirm string // the phrase to type before a Destructive command runs
	// Destroys says what a Destructive command destroys, for the modal.
	Destroys string
	Params   []string // <placeholder> names, in order of first use
	Sets     []string // shell variables the script assigns
	Uses     []string // shell variables the script reads (that are not its own)
	// AltOf is the id of the command this one is an alternative to ("Or
	// checkout specific version"); the first command of the group has "".
	// A run chooses one command of a group and never runs two.
	AltOf   string
	Timeout time.Duration // from timeout=; 0 means none
	// Outcome judges how the command ended (fail-if, warn-if, ok-exit,
	// warn-exit, the planner-tui op convention); see Outcome.Judge.
	Outcome Outcome
	// Interactive is true for commands that need the terminal (an editor).
	Interactive bool
}

// Problem is something wrong in a runbook, with the line it is on.
type Problem struct {
	Path     string
	Line     int
	Severity Severity
	Message  string
}

// Severity of a Problem: errors make lint fail, warnings do not.
type Severity int

// SeverityWarning is not called Warning: that name is the command Status
// "warning" (run.go).
const (
	SeverityWarning Severity = iota
	Error
)
