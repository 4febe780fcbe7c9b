package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/audit"
	"planner-tui/ops/envfile"
	"planner-tui/ops/lock"
	"planner-tui/ops/runner"
)

// Admission is how anything that changes the run or the world gets in:
// admit (a runbook command) and AdmitAction (action.go: a container
// restart) check the confirmation and the guards, take the operator lock
// and audit the request. The session's facade coordinates the parts here:
// admit plans again (planner), re-reads .env (secretBook), marks the
// command running in the run under the run mutex, saves it and audits it
// (recorder).

// operatorLock is the operator lock part: one operator per state dir. It
// is taken on the first write and kept until Close. It is guarded by the
// session's run mutex (taking it reloads the run).
type operatorLock struct {
	path string
	who  audit.Actor
	held *lock.Lock // nil until taken
}

// take acquires the lock unless this session holds it already; taken says
// it was acquired just now. A lock another live process holds is a
// *lock.HeldError naming it.
func (o *operatorLock) take(purpose string) (taken bool, err error) {
	if o.held != nil {
		return false, nil
	}
	l, err := lock.Acquire(o.path, lock.Holder{
		User: o.who.User, Host: o.who.Host, PID: os.Getpid(), Since: time.Now().UTC(),
		Purpose: purpose,
	})
	if err != nil {
		return false, err
	}
	o.held = l
	return true, nil
}

// holder is this session's holder record, if it holds the lock.
func (o *operatorLock) holder() (lock.Holder, bool) {
	if o.held == nil {
		return lock.Holder{}, false
	}
	return o.held.Holder(), true
}

// release gives the lock up.
func (o *operatorLock) release() error {
	if o.held == nil {
		return nil
	}
	err := o.held.Release()
	o.held = nil
	return err
}

// admitted is a command that passed the guards and is marked running.
type admitted struct {
	plan    *Plan
	runID   string
	jobID   string
	jobDir  string   // "" for interactive commands
	env     []string // what the command sees besides our environment
	secrets []string // the .env values to mask, read just now
}

// admit re-plans (state may have moved since the caller planned), checks
// the confirmation and every guard, takes the operator lock, marks the
// command running in the saved state and audits it. A refusal is audited
// and returns *RefusedError.
func (s *Session) admit(p *Plan, confirmation string, interactive bool) (*admitted, error) {
	// .env may have changed since the last command (a rotated secret).
	secrets := s.secrets.refresh()
	fresh, err := s.Plan(p.Command.ID, p.given)
	if err == nil && s.checkMigrations(fresh) {
		fresh, err = s.Plan(p.Command.ID, p.given) // with the verdict
	}
	if err != nil {
		return nil, err
	}
	// The phrase is checked against what the operator was shown, too: a
	// wrong phrase is refused even if the state moved so that the fresh
	// plan would not ask for one (the TUI sends a wrong phrase here to
	// have it audited, and it must never run).
	shown := p
	shownPhrase := p.Confirm
	p = fresh
	cmd := p.Command
	if s.opts.ReadOnly {
		return nil, errors.New("read-only session: cannot run commands")
	}
	// A PLANNER_TUI_COMPOSE that cannot be honoured stops every command
	// before anything is written (commandEnv uses the decision).
	if _, err := s.Compose(); err != nil {
		return nil, err
	}
	shownConfirmation := s.secrets.Mask(recordedConfirmation(confirmation, shownPhrase, p.Confirm))
	refuse := func(reason string) (*admitted, error) {
		s.record(audit.Record{Event: "refuse", RunID: s.Run().ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: s.secrets.Mask(reason)})
		return nil, &RefusedError{CommandID: cmd.ID, Reason: reason}
	}
	if reason := migrationAdmission(&shown, &shownPhrase, p, confirmation); reason != "" {
		return refuse(reason)
	}
	if reason := changedSince(shown, p); reason != "" {
		return refuse(reason)
	}
	// Approval first (approval.go): the phrase is typed once approved.
	approval, err := s.approvalGate(shown, p)
	if err != nil {
		return nil, err
	}
	if reason := refusal(p, shownPhrase, confirmation, shownConfirmation); reason != "" {
		return refuse(reason)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lockLocked(); err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			s.record(audit.Record{Event: "lock.refused", RunID: s.run.ID, CommandID: cmd.ID, Outcome: "refused", Message: err.Error()})
			return nil, &RefusedError{CommandID: cmd.ID, Reason: err.Error()}
		}
		return nil, err
	}
	if reason := s.endedLocked(); reason != "" {
		s.record(audit.Record{Event: "refuse", RunID: s.run.ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: reason})
		s.followCurrentLocked()
		return nil, &RefusedError{CommandID: cmd.ID, Reason: reason}
	}
	// Taking the lock may have reloaded the run (another process wrote
	// it): plan once more from the run as it is now, and run only what the
	// operator was shown. A value reused from the run may have changed.
	s.publishLocked()
	if again, err := s.Plan(cmd.ID, p.given); err != nil {
		return nil, err
	} else if reason := changedSince(shown, again); reason != "" {
		s.record(audit.Record{Event: "refuse", RunID: s.run.ID, CommandID: cmd.ID, Command: again.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: s.secrets.Mask(reason)})
		return nil, &RefusedError{CommandID: cmd.ID, Reason: reason}
	} else {
		p = again
	}
	// Plan checked this with mu released since (and taking the lock may
	// have reloaded the run): another Start may have begun a command.
	if blocked := s.blockedLocked(cmd); blocked != "" {
		s.record(audit.Record{Event: "refuse", RunID: s.run.ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Outcome: "refused", Message: blocked})
		return nil, &RefusedError{CommandID: cmd.ID, Reason: blocked}
	}
	if err := s.useApproval(approval); err != nil {
		return nil, err
	}

	// Restored if the state cannot be saved: a command that never started
	// must not stay "running" in memory and block every other one.
	before := s.run.Clone()
	cr := s.run.Command(cmd.ID)
	cr.Attempt++
	a := &admitted{plan: p, runID: s.run.ID, secrets: secrets}
	if interactive {
		a.jobID = "interactive"
	} else {
		a.jobID, a.jobDir = s.newJobLocked(cmd.ID, cr.Attempt)
	}
	*cr = checklist.CommandRun{
		Status:    checklist.Running,
		JobID:     a.jobID,
		Attempt:   cr.Attempt,
		Started:   time.Now().UTC(),
		Params:    keptParams(p.Params),
		Confirmed: shownConfirmation,
	}
	if a.jobDir != "" {
		cr.Log = filepath.Join(a.jobDir, runner.OutputFile)
	}
	if alts := s.runbook.Alternatives(cmd.ID); len(alts) > 1 {
		s.run.Choices[alts[0].ID] = cmd.ID
	}
	for k, v := range keptParams(p.Params) {
		s.run.Params[k] = v
	}
	s.noteOperatorLocked()
	if err := s.rec.save(s.run); err != nil {
		*s.run = before
		return nil, err
	}
	confirmed := ""
	if p.NeedsPhrase() {
		confirmed = confirmation
		s.record(audit.Record{Event: "confirm", RunID: s.run.ID, CommandID: cmd.ID, Command: p.Display, Confirmation: shownConfirmation, Message: p.Destroys})
	}
	a.env = s.commandEnv(cmd, a.jobDir, confirmed)
	msg := ""
	if interactive {
		msg = "interactive: the command has the terminal"
	}
	s.record(audit.Record{Event: "run.start", RunID: s.run.ID, StepID: s.rec.stepID(cmd.ID), CommandID: cmd.ID, JobID: a.jobID, Command: p.Display, Confirmation: shownConfirmation, Message: msg})
	return a, nil
}

// endedLocked is why no command may start in the session's run, or "": it
// has ended (another process did `runs new` or `runs resume`; taking the
// lock reloaded it). mu is held.
func (s *Session) endedLocked() string {
	if s.run.Ended.IsZero() {
		return ""
	}
	return fmt.Sprintf("run %s has ended (another planner-tui started a new run or resumed another at %s): nothing runs in it; look again (the current run is shown now)",
		s.run.ID, s.run.Ended.Local().Format("15:04:05"))
}

// followCurrentLocked makes the current run of the runbook the session's,
// when another process made another one current, as the watcher does: the
// screen must not stay on a run that ended. mu is held.
func (s *Session) followCurrentLocked() {
	if r, err := s.store.CurrentFor(s.runbook.Path); err == nil && r != nil && r.ID != s.run.ID {
		s.run = r
		s.running = nil
	}
}

// changedSince is why a plan cannot run in place of the one the operator
// was shown, or "": the script (a parameter reused from the run that
// another process changed since), its risk or its phrase differ. What runs
// is never other than what was confirmed.
func changedSince(shown, fresh *Plan) string {
	switch {
	case fresh.Script != shown.Script:
		return fmt.Sprintf("the command changed since you confirmed it: %q is now %q, look again", shown.Display, fresh.Display)
	case fresh.Risk != shown.Risk:
		return fmt.Sprintf("the command changed since you confirmed it: it is now %s (was %s), look again", fresh.Risk, shown.Risk)
	case fresh.Confirm != shown.Confirm:
		return fmt.Sprintf("the command changed since you confirmed it: its phrase is now %q (was %q), look again", fresh.Confirm, shown.Confirm)
	}
	return ""
}

// refusal is why the guards refuse plan p with this confirmation, or ""
// when it may run: missing parameters, a block, values reused for a
// command that needs a phrase, a phrase not typed exactly (the one the
// operator was shown, shownPhrase, as well as the fresh plan's), or a
// change not answered "yes". shownConfirmation is confirmation masked,
// for the reason's text. It reads only the plan: the state checks that
// need the lock come after it in admit.
func refusal(p *Plan, shownPhrase, confirmation, shownConfirmation string) string {
	switch {
	case len(p.Missing) > 0:
		return "missing parameters: " + strings.Join(p.Missing, ", ")
	case p.Blocked != "":
		return p.Blocked
	case p.reusedRefusal() != "":
		return p.reusedRefusal()
	}
	for _, phrase := range []string{shownPhrase, p.Confirm} {
		switch {
		case phrase == "" || confirmation == phrase:
		case confirmation == "":
			return fmt.Sprintf("%s command: type %q to confirm (it destroys %s)", p.Risk, phrase, p.Destroys)
		default:
			return fmt.Sprintf("the confirmation %q does not match %q", shownConfirmation, phrase)
		}
	}
	if !p.NeedsPhrase() && p.Risk == checklist.Change && confirmation != "yes" {
		return "change command: not confirmed (answer y, or --yes headless)"
	}
	return ""
}

// recordedConfirmation is what the audit log, the state and a refusal say
// the operator typed: the text itself when it is the phrase, "yes", or
// near enough to a phrase to be a typo of it; otherwise only its length. A
// password typed into the wrong field is not a phrase, and the secrets
// masker does not know it.
func recordedConfirmation(typed string, phrases ...string) string {
	if typed == "" || typed == "yes" {
		return typed
	}
	for _, ph := range phrases {
		if ph == "" {
			continue
		}
		if typed == ph || len(typed) <= len(ph)+3 && checklist.EditDistance(typed, ph) <= max(2, len(ph)/4) {
			return typed
		}
	}
	return fmt.Sprintf("<%d characters, not shown: not the phrase nor a typo of it>", len(typed))
}

// keptParams are the parameters worth keeping in the run's state: not the
// secret ones (a <token> is asked for again rather than stored).
func keptParams(params map[string]string) map[string]string {
	out := make(map[string]string, len(params))
	for k, v := range params {
		if !envfile.IsSecretKey(k) {
			out[k] = v
		}
	}
	return out
}

// lockLocked takes the operator lock on first use and keeps it. mu is held.
func (s *Session) lockLocked() error {
	if s.opts.ReadOnly {
		// every write path checks writable first; this is the backstop
		// that keeps a watcher from ever taking the operator lock
		return errors.New("read-only session: it never takes the operator lock")
	}
	taken, err := s.operator.take(s.run.Title)
	if err != nil || !taken {
		return err
	}
	// Until now another process may have written the run (a headless run,
	// a second screen): start from what is on disk, so that no write of
	// ours puts back an older state over theirs. From here on only this
	// session writes it.
	if run, err := s.store.Load(s.run.ID); err == nil {
		s.run = run
	}
	return s.reconcileLocked()
}

// commandEnv is what a command sees on top of planner-tui's environment:
// the runbook variables its script reads (scriptVars), this binary first on
// PATH, and, for `planner-tui op` steps, the effective variables and where
// to report artifacts.
func (s *Session) commandEnv(cmd *checklist.Command, jobDir, confirmed string) []string {
	names := scriptVars(cmd, s.vars)
	env := make([]string, 0, len(names)+6)
	for _, k := range names {
		env = append(env, k+"="+s.vars[k])
	}
	path := os.Getenv("PATH")
	if exe, err := os.Executable(); err == nil && !strings.HasSuffix(exe, ".test") {
		path = filepath.Dir(exe) + string(os.PathListSeparator) + path
	}
	if bin := os.Getenv("PLANNER_TUI_BIN"); bin != "" {
		path = filepath.Dir(bin) + string(os.PathListSeparator) + path
	}
	path = s.composePath(path)
	vars, _ := json.Marshal(s.vars)
	// The phrase was checked by admit: `planner-tui op restore` in the step
	// reads it instead of refusing. Every other step gets it empty, so a
	// confirmation never leaks into steps (or shells) that were not
	// confirmed through the environment they inherit.
	return append(env,
		"PATH="+path,
		EnvVars+"="+string(vars),
		EnvStateDir+"="+s.store.Dir,
		EnvRunID+"="+s.run.ID,
		EnvJobDir+"="+jobDir,
		EnvConfirmed+"="+confirmed,
	)
}

// varRef is a shell variable reference, $NAME or ${NAME...}.
var varRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// scriptVars are the runbook variables (names in vars) a command reads:
// the ones its syntax tree reads (cmd.Uses) and every one named anywhere in
// its text, so that one read only inside an inner script (`bash -c '...
// "$SCRATCH" ...'`, which the classifier resolves for the phrase) is the
// value the script sees, not empty (`rm -rf "$SCRATCH/old"` would be
// `rm -rf /old`). Not every variable everywhere: docker compose prefers the
// environment to .env when it substitutes, so exporting DB_PORT to every
// step would override the stack's own settings.
func scriptVars(cmd *checklist.Command, vars map[string]string) []string {
	seen := map[string]bool{}
	var names []string
	add := func(k string) {
		if _, ok := vars[k]; ok && !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	for _, k := range cmd.Uses {
		add(k)
	}
	for _, m := range varRef.FindAllStringSubmatch(cmd.Script, -1) {
		add(m[1])
	}
	return names
}

// newJobLocked names a job dir that no job of the run has used: the
// command's last id part and its attempt, bumped past any existing dir (a
// changed runbook can map two commands to the same name).
func (s *Session) newJobLocked(cmdID string, attempt int) (id, dir string) {
	for n := attempt; ; n++ {
		id = fmt.Sprintf("%s-%d", jobSlug(cmdID), n)
		dir = s.store.JobDir(s.run.ID, id)
		// Any error but "exists" ends the search: ENOENT is the free
		// name; anything else (jobs/ not a directory) makes the runner
		// fail with a clear error rather than this loop spin.
		if _, err := os.Lstat(dir); err != nil {
			return id, dir
		}
	}
}

// jobSlug keeps the last part of a command id: readable and short enough
// for a directory name.
func jobSlug(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 40 {
		id = id[:40]
	}
	return id
}
