package session

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/envfile"
	"planner-tui/ops/lock"
	"planner-tui/ops/mask"
)

// paramValue is what a <placeholder> may be replaced with: enough for commit
// hashes, tags, alembic revisions, timestamps, file names and tokens, and
// nothing that the shell would interpret.
var paramValue = regexp.MustCompile(`^[A-Za-z0-9._:@+=/-]+$`)

// Plan resolves what running a command would do, without running it.
// params add to (and override) the parameters already given in this run.
func (s *Session) Plan(cmdID string, params map[string]string) (*Plan, error) {
	cmd, err := s.runbook.Command(cmdID)
	if err != nil {
		return nil, err
	}
	// The snapshot, not s.run under mu: the screen plans on every selection
	// move and must not wait for a write's fsync. Start re-checks under the
	// lock (admit).
	snap := s.Snapshot()
	run := snap.Run

	p := &Plan{
		Command:  cmd,
		Params:   map[string]string{},
		Risk:     cmd.Risk,
		Confirm:  "",
		Destroys: cmd.Destroys,
	}
	for _, name := range cmd.Params {
		v, ok := params[name]
		if !ok {
			v, ok = run.Params[name]
		}
		if !ok || v == "" {
			p.Missing = append(p.Missing, name)
			continue
		}
		secret := envfile.IsSecretKey(name)
		shown := v
		if secret {
			shown = "***"
		}
		if !paramValue.MatchString(v) {
			return nil, fmt.Errorf("parameter <%s>: %q has characters the shell would interpret; allowed: letters, digits and . _ : @ + = / -", name, shown)
		}
		if strings.HasPrefix(v, "-") {
			// "-f" in `git checkout <commit>` would be an option, and the
			// risk was judged on the command as written.
			return nil, fmt.Errorf("parameter <%s>: %q starts with \"-\", which the command would read as an option", name, shown)
		}
		p.Params[name] = v
		if secret {
			p.secrets = append(p.secrets, v)
		}
	}
	p.Script = fillParams(cmd.Script, p.Params)
	p.Display = s.masker.Load().String(p.Script)
	if len(p.secrets) > 0 {
		// <token> and the like: shown, logged and audited as *** too.
		p.Display = mask.New(p.secrets).String(p.Display)
	}
	if cmd.Risk == checklist.Destructive {
		p.Confirm = cmd.Confirm
	}
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
			p.Confirm = firstNonEmpty(cmd.Confirm, s.target.Project)
		}
		if p.Destroys == "" {
			p.Destroys = "whatever the half-run alternative left behind, if this one does not expect it"
		}
	}
	if gate := s.backupGateIn(run, cmd); gate != "" {
		p.Gate = strings.TrimSpace(p.Gate + " " + gate)
		if p.Confirm == "" {
			p.Confirm = s.target.DBName
		}
		if p.Destroys == "" {
			p.Destroys = "nothing directly, but it changes database " + s.target.DBName + " with no verified backup in this run to go back to"
		}
	}
	return p, nil
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
func (s *Session) blockedLocked(cmd *checklist.Command) string { return s.blockedIn(s.run, cmd) }

// blockedIn is blockedLocked on a given run (a snapshot's).
func (s *Session) blockedIn(run *checklist.Run, cmd *checklist.Command) string {
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
			if cr := run.Commands[chosen]; cr != nil && cr.Status == checklist.OK {
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

// lockedOutLocked says who holds the operator lock when another session
// does, so the operator learns it before typing a confirmation; Start
// still takes the lock itself.
func (s *Session) lockedOutLocked() string {
	if s.lock != nil || s.store == nil {
		return ""
	}
	h, held, err := lock.Read(s.store.LockPath())
	if err != nil || !held {
		return ""
	}
	return (&lock.HeldError{Holder: h}).Error()
}

// lockedOutOf is lockedOutLocked for Plan: from the snapshot when Watch
// keeps its holder current, else from the lock file (a flock probe, no mu).
func (s *Session) lockedOutOf(snap *Snapshot) string {
	if snap.Mine || snap.Watched {
		return snap.lockedOut()
	}
	if s.store == nil {
		return ""
	}
	h, held, err := lock.Read(s.store.LockPath())
	if err != nil || !held {
		return ""
	}
	return (&lock.HeldError{Holder: h}).Error()
}

// gated are the commands that can lose data when no backup exists.
var gated = regexp.MustCompile(`alembic\s+(upgrade|downgrade)\b|planner-tui\s+op\s+restore\b|\bpsql\b[^\n]*<|\bpg_restore\b`)

// backupGateIn is the fresh-backup gate: a migration, a restore or a
// downgrade in a run that has no verified backup (taken in the last day)
// needs the typed phrase even where it would not have.
func (s *Session) backupGateIn(run *checklist.Run, cmd *checklist.Command) string {
	hit := false
	for _, line := range strings.Split(cmd.Script, "\n") {
		// `alembic upgrade head --sql` only prints SQL; judge each line, so
		// a preview next to a real upgrade does not lift the gate.
		for _, m := range gated.FindAllStringIndex(line, -1) {
			rest := line[m[0]:]
			if end := strings.IndexAny(rest, ";&|"); end >= 0 {
				rest = rest[:end]
			}
			if !strings.Contains(rest, "--sql") {
				hit = true
			}
		}
	}
	if !hit {
		return ""
	}
	for _, b := range run.Backups {
		if b.Verified && time.Since(b.At) < 24*time.Hour {
			return ""
		}
	}
	return "This run has no verified backup of " + s.target.DBName + ". Take one first (Step 1: Create Backup, `planner-tui op backup`), or type the database name to go on without one."
}

// startedAlternativeIn names the alternative of cmd that run
// already started and that did not succeed (failed or interrupted), or "".
// One that succeeded blocks cmd outright (blockedLocked).
func (s *Session) startedAlternativeIn(run *checklist.Run, cmd *checklist.Command) string {
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
