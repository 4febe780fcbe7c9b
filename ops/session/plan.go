package session

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/envfile"
	"planner-tui/ops/lock"
	"planner-tui/ops/mask"
)

// paramValue is what a <placeholder> may be replaced with: enough for commit
// hashes, tags, alembic revisions, timestamps, file names and tokens, and
// nothing that the shell would interpret.
var paramValue = regexp.MustCompile(`^[A-Za-z0-9._:@+=/-]+$`)

// Plan resolves what running a command would do, without running it.
// params are the values given now, explicitly; a placeholder without one
// takes the value this run last gave it (marked in Plan.Reused). Names the
// command does not have are ignored here (the TUI carries values across
// alternatives); CheckParams refuses them where the operator typed them.
// Risk, phrase and what is destroyed are judged on the filled script.
func (s *Session) Plan(cmdID string, params map[string]string) (*Plan, error) {
	return s.planner.plan(cmdID, params)
}

// planner is the planning part of a session: it resolves what a command
// would do from the runbook, the target and the latest snapshot of the run
// (snapshot.go). It takes no lock and writes nothing: the screen calls it
// on every selection move. admit (admission.go) plans again and re-checks
// what matters under the run mutex and the operator lock.
type planner struct {
	runbook *checklist.Runbook
	target  ops.Target
	// snapshot is the session's latest snapshot (an atomic load).
	snapshot func() *Snapshot
	// masker is the secrets part's masker of the moment.
	masker func() *mask.Masker
	// lockPath is the operator lock file, probed when no watcher keeps
	// the snapshot's holder current (the headless CLI).
	lockPath string
	// migrations are the last checks of pending migrations (migration_risk.go).
	migrations *migrationMemo
	// approvals are the last statuses of approval requests (approval.go).
	approvals *approvalMemo
}

// plan is Plan.
func (s *planner) plan(cmdID string, params map[string]string) (*Plan, error) {
	cmd, err := s.runbook.Command(cmdID)
	if err != nil {
		return nil, err
	}
	// The snapshot, not the run under mu: the screen plans on every
	// selection move and must not wait for a write's fsync. Start
	// re-checks under the lock (admit).
	snap := s.snapshot()
	run := snap.Run

	p := &Plan{
		Command: cmd,
		Params:  map[string]string{},
		given:   map[string]string{},
	}
	for _, name := range cmd.Params {
		v, given := params[name]
		if given && v == "" {
			return nil, &ParamError{CommandID: cmd.ID, Name: name, Reason: "empty value"}
		}
		if !given {
			v = run.Params[name]
		}
		if v == "" {
			p.Missing = append(p.Missing, name)
			continue
		}
		secret := envfile.IsSecretKey(name)
		shown := v
		if secret {
			shown = "***"
		}
		if !paramValue.MatchString(v) {
			return nil, &ParamError{CommandID: cmd.ID, Name: name, Reason: fmt.Sprintf("%q has characters the shell would interpret; allowed: letters, digits and . _ : @ + = / -", shown)}
		}
		if strings.HasPrefix(v, "-") {
			// "-f" in `git checkout <commit>` would be an option.
			return nil, &ParamError{CommandID: cmd.ID, Name: name, Reason: fmt.Sprintf("%q starts with \"-\", which the command would read as an option", shown)}
		}
		p.Params[name] = v
		if given {
			p.given[name] = v
		} else {
			if p.Reused == nil {
				p.Reused = map[string]string{}
			}
			p.Reused[name] = paramSourceIn(run, name, v)
		}
		if secret {
			p.secrets = append(p.secrets, v)
		}
	}
	p.Script = fillParams(cmd.Script, p.Params)
	shown := s.masker()
	show := func(t string) string {
		t = shown.String(t)
		if len(p.secrets) > 0 {
			// <token> and the like: shown, logged and audited as *** too.
			t = mask.New(p.secrets).String(t)
		}
		return t
	}
	p.Display = show(p.Script)
	// Judged on what will run: `docker-compose <action>` with action=down
	// is down. risk= in the runbook is a floor (Judge).
	cl := checklist.Judge(p.Script, cmd.Attrs, s.target)
	p.Risk, p.Reason, p.Destroys = cl.Risk, show(cl.Reason), show(cl.Destroys)
	if cl.Risk == checklist.Destructive {
		p.Confirm = cl.Confirm
	}
	s.applyMigrationRisk(p, cl)
	s.applyApprovals(p, run.ID)
	if alts := s.runbook.Alternatives(cmd.ID); len(alts) > 1 {
		p.Alternatives = alts
	}
	p.Blocked = s.blockedIn(run, cmd)
	if p.Blocked == "" {
		p.Blocked = s.lockedOutOf(snap)
	}
	if other := s.startedAlternativeIn(run, cmd); other != "" && p.Blocked == "" {
		// A run uses one alternative of a group. When the chosen one
		// failed or was interrupted, the other may be what saves the day
		// (downgrade failed: restore instead), but only knowingly.
		p.Gate = fmt.Sprintf("Its alternative %q was already started in this run and did not succeed; it may have changed things half-way. Type the phrase to run this one as well.", other)
		if p.Confirm == "" {
			p.Confirm = firstNonEmpty(cl.Confirm, cmd.Confirm, s.target.Project)
		}
		if p.Destroys == "" {
			p.Destroys = "whatever the half-run alternative left behind, if this one does not expect it"
		}
	}
	if cl.Gated {
		if gate := s.backupGateIn(run); gate != "" {
			p.Gate = strings.TrimSpace(p.Gate + " " + gate)
			if p.Confirm == "" {
				p.Confirm = s.target.DBName
			}
			if p.Destroys == "" {
				p.Destroys = "nothing directly, but it changes database " + s.target.DBName + " with no verified backup in this run to go back to"
			}
		}
	}
	return p, nil
}

// paramSourceIn names the command of run that last ran with name=value,
// or says it is from earlier in the run.
func paramSourceIn(run *checklist.Run, name, value string) string {
	src, at := "", time.Time{}
	for id, cr := range run.Commands {
		if cr != nil && cr.Params[name] == value && (src == "" || cr.Started.After(at)) {
			src, at = id, cr.Started
		}
	}
	return firstNonEmpty(src, "earlier in this run")
}

// CheckParams refuses what an operator typed for a command: a name the
// command has no <placeholder> for (the error names the ones it has) or
// an empty value. Plan checks the values themselves.
func CheckParams(cmd *checklist.Command, params map[string]string) error {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !slices.Contains(cmd.Params, k) {
			known := "it has no parameters"
			if len(cmd.Params) > 0 {
				known = "its parameters are <" + strings.Join(cmd.Params, ">, <") + ">"
			}
			return &ParamError{CommandID: cmd.ID, Name: k, Reason: "unknown parameter: " + known}
		}
		if params[k] == "" {
			return &ParamError{CommandID: cmd.ID, Name: k, Reason: "empty value"}
		}
	}
	return nil
}

// reusedRefusal is why a plan that needs a phrase does not run with values
// taken from earlier in the run, or "": such a value is shown and given
// again (--param, or confirmed in the TUI's parameter dialog).
func (p *Plan) reusedRefusal() string {
	if !p.NeedsPhrase() || len(p.Reused) == 0 {
		return ""
	}
	names := make([]string, 0, len(p.Reused))
	for k := range p.Reused {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts, flags []string
	for _, k := range names {
		v := p.Params[k]
		if envfile.IsSecretKey(k) {
			v = "***"
		}
		parts = append(parts, fmt.Sprintf("<%s>=%s (from %s)", k, v, p.Reused[k]))
		flags = append(flags, fmt.Sprintf("--param %s=%s", k, v))
	}
	return fmt.Sprintf("%s needs a phrase and would reuse %s: a value from another command is not reused silently; give it again (%s, or confirm it in the parameter dialog)",
		p.Risk, strings.Join(parts, ", "), strings.Join(flags, " "))
}

// fillParams replaces each <name> with its value; unknown names stay.
func fillParams(script string, values map[string]string) string {
	if len(values) == 0 {
		return script
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	pairs := make([]string, 0, 2*len(names))
	for _, k := range names {
		pairs = append(pairs, "<"+k+">", values[k])
	}
	return strings.NewReplacer(pairs...).Replace(script)
}

// blockedLocked says why a command cannot start now, or "".
func (s *Session) blockedLocked(cmd *checklist.Command) string {
	return s.planner.blockedIn(s.run, cmd)
}

// blockedIn says why cmd cannot start in run (a snapshot's, or the
// session's under mu), or "".
func (s *planner) blockedIn(run *checklist.Run, cmd *checklist.Command) string {
	if id, cr := runningIn(run); cr != nil {
		if id == cmd.ID {
			return fmt.Sprintf("it is already running (since %s)", cr.Started.Local().Format("15:04:05"))
		}
		title := id
		if c, err := s.runbook.Command(id); err == nil {
			title = c.Title
		}
		return fmt.Sprintf("%q is running (since %s): one command at a time", title, cr.Started.Local().Format("15:04:05"))
	}
	if alts := s.runbook.Alternatives(cmd.ID); len(alts) > 1 {
		chosen := run.Choices[alts[0].ID]
		if chosen != "" && chosen != cmd.ID {
			// a warning ran to its end too: the other one must not run as well
			if cr := run.Commands[chosen]; cr != nil && (cr.Status == checklist.OK || cr.Status == checklist.Warning) {
				title := chosen
				if c, err := s.runbook.Command(chosen); err == nil {
					title = c.Title
				}
				return fmt.Sprintf("its alternative %q already ran in this run: only one of them runs", title)
			}
		}
	}
	return ""
}

// lockedOutOf says who holds the operator lock when another session does,
// so the operator learns it before typing a confirmation: from the snapshot
// when Watch keeps its holder current, else from the lock file (a
// non-blocking flock probe). Start still takes the lock itself.
func (s *planner) lockedOutOf(snap *Snapshot) string {
	if snap.Mine || snap.Watched {
		return snap.lockedOut()
	}
	if s.lockPath == "" {
		return ""
	}
	h, held, err := lock.Read(s.lockPath)
	if err != nil || !held {
		return ""
	}
	return (&lock.HeldError{Holder: h}).Error()
}

// backupGateIn is the fresh-backup gate of a command the classifier marked
// Gated (a migration that changes the schema, a restore): in a run that has
// no verified backup (taken in the last day) it needs the typed phrase even
// where it would not have.
//
// With `restore-drill: required` in the runbook's front matter, only a
// backup whose restore drill passed (`op verify-backup --restore-test`)
// counts.
func (s *planner) backupGateIn(run *checklist.Run) string {
	drill := s.runbook.Meta["restore-drill"] == "required"
	for _, b := range run.Backups {
		if b.Verified && time.Since(b.At) < 24*time.Hour && (!drill || !b.DrillPassed.IsZero()) {
			return ""
		}
	}
	if drill {
		return "This run has no backup of " + s.target.DBName + " whose restore drill passed (the runbook says restore-drill: required). Drill one first (`planner-tui op verify-backup --restore-test FILE`), or type the database name to go on without one."
	}
	return "This run has no verified backup of " + s.target.DBName + ". Take one first (Step 1: Create Backup, `planner-tui op backup`), or type the database name to go on without one."
}

// startedAlternativeIn names the alternative of cmd that run
// already started and that did not succeed (failed or interrupted), or "".
// One that succeeded blocks cmd outright (blockedLocked).
func (s *planner) startedAlternativeIn(run *checklist.Run, cmd *checklist.Command) string {
	alts := s.runbook.Alternatives(cmd.ID)
	if len(alts) < 2 {
		return ""
	}
	chosen := run.Choices[alts[0].ID]
	if chosen == "" || chosen == cmd.ID {
		return ""
	}
	cr := run.Commands[chosen]
	if cr == nil || (cr.Status != checklist.Failed && cr.Status != checklist.Interrupted) {
		return ""
	}
	if c, err := s.runbook.Command(chosen); err == nil {
		return c.Title
	}
	return chosen
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
