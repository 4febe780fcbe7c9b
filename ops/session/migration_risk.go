package session

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops"
	"planner-tui/ops/audit"
	"planner-tui/ops/changes"
	"planner-tui/ops/sqllint"
)

// The risk of a migration is in its SQL, not in the words `alembic upgrade
// head`: a release that drops a column makes the same command destructive.
// The SQL can only be had by running alembic (seconds, a container), which
// planning must not do (the screen plans on every selection move). So the
// check runs at admission: when a command that applies migrations is
// started, the session renders and lints the pending SQL through the
// MigrationCheck it was given, remembers the verdict for that script, and
// plans again. A destructive verdict the operator was not shown refuses the
// start, naming what is dropped and the phrase to type (the phrase is what
// is dropped: "drop column resources.role"); from then on Plan shows the
// command as destructive, with the findings, until a later check says
// otherwise.

// MigrationCheck renders and lints the migrations an `alembic upgrade` of
// target t would run now (changes.LiveCheck: alembic upgrade CURRENT:head
// --sql in a one-off container of the app service).
type MigrationCheck func(ctx context.Context, t ops.Target) (changes.Migrations, error)

// migrationCheckTimeout bounds one check: a one-off container takes 2 s on
// an idle host, 15 s under heavy load.
const migrationCheckTimeout = 2 * time.Minute

// MigrationRisk is the last check of the migrations a command would apply.
type MigrationRisk struct {
	Checked     time.Time
	Current     string   // the database's revision when checked
	Pending     []string // "A -> B message", in order
	Findings    []sqllint.Finding
	Destructive []string // phrases: "drop column resources.role"
	Err         string   // the check failed: the risk is unknown, said so
}

// migrationMemo keeps the last verdict per script, for planning (no I/O).
type migrationMemo struct {
	check MigrationCheck
	mu    sync.Mutex
	by    map[string]*MigrationRisk
}

func newMigrationMemo(check MigrationCheck) *migrationMemo {
	if check == nil {
		return nil
	}
	return &migrationMemo{check: check, by: map[string]*MigrationRisk{}}
}

func (m *migrationMemo) get(script string) *MigrationRisk {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.by[script]
}

// appliesMigrations says whether cl is an alembic upgrade that changes the
// database (the classifier's backup gate names it; --sql previews are not).
func appliesMigrations(cl checklist.Classification) bool {
	return cl.Gated && strings.Contains(cl.GatedBy, "alembic upgrade")
}

// applyMigrationRisk raises p with the last check of its script: a
// destructive migration makes the command destructive, its phrase what is
// dropped. It only reads the memo.
func (s *planner) applyMigrationRisk(p *Plan, cl checklist.Classification) {
	if !appliesMigrations(cl) {
		return
	}
	r := s.migrations.get(p.Script)
	if r == nil {
		return
	}
	p.Migration = r
	if len(r.Destructive) == 0 {
		return
	}
	what := strings.Join(r.Destructive, ", ")
	p.Risk = checklist.Destructive
	p.Reason = fmt.Sprintf("%s; the pending migrations %s", p.Reason, what)
	p.Confirm = what
	p.Destroys = fmt.Sprintf("%s in database %s, with their data (pending migrations %s)", what, firstNonEmpty(s.target.DBName, "(default)"), strings.Join(r.Pending, "; "))
}

// checkMigrations runs the check for a command that applies migrations and
// remembers its verdict; it says whether it checked (then plan again). A
// failed check is remembered as such and audited: the command's risk stays
// what the runbook says, and the screen shows the check failed.
func (s *Session) checkMigrations(p *Plan) bool {
	m := s.planner.migrations
	if m == nil || s.opts.ReadOnly || !appliesMigrations(checklist.Judge(p.Script, p.Command.Attrs, s.planner.target)) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), migrationCheckTimeout)
	defer cancel()
	mig, err := m.check(ctx, s.target)
	r := &MigrationRisk{Checked: time.Now().UTC(), Current: mig.Current, Findings: mig.Findings, Destructive: mig.Destructive}
	for _, rev := range mig.Pending {
		r.Pending = append(r.Pending, strings.TrimSpace(fmt.Sprintf("%s -> %s %s", firstNonEmpty(rev.From, "(base)"), rev.To, rev.Message)))
	}
	if err != nil {
		r.Err = s.secrets.Mask(err.Error())
		s.record(audit.Record{Event: "migrations.unchecked", RunID: s.Run().ID, CommandID: p.Command.ID, Message: "pending migrations not checked: " + r.Err})
	}
	m.mu.Lock()
	m.by[p.Script] = r
	m.mu.Unlock()
	return true
}

// migrationAdmission compares what the operator was shown with the plan
// after the check. A destructive verdict they were not shown refuses the
// start, unless they typed its phrase already (headless: `run --confirm
// PHRASE` after the refusal named it), which means they saw it: then the
// shown plan is taken as the checked one.
func migrationAdmission(shown **Plan, shownPhrase *string, fresh *Plan, confirmation string) string {
	r := fresh.Migration
	if r == nil || len(r.Destructive) == 0 || (*shown).Confirm == fresh.Confirm {
		return ""
	}
	if confirmation == fresh.Confirm {
		seen := **shown
		seen.Risk, seen.Confirm, seen.Destroys, seen.Migration = fresh.Risk, fresh.Confirm, fresh.Destroys, fresh.Migration
		*shown, *shownPhrase = &seen, fresh.Confirm
		return ""
	}
	return fmt.Sprintf("the pending migrations are destructive: they %s (%s); type %q to confirm",
		strings.Join(r.Destructive, ", "), strings.Join(r.Pending, "; "), fresh.Confirm)
}
