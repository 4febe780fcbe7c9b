package checklist

import (
	"strings"
	"testing"
)

const summaryRunbook = `# R

## Before

- [ ] Tests green
- [ ] Change approved

## Deploy

### Step 1: Backup

` + "```bash" + `
# Take backup
echo backup

# Or take backup by hand
echo by-hand

# Verify backup
echo verify
` + "```" + `

- [ ] Backup file copied off the host

### Step 2: Health

` + "```bash" + `
# Health check
curl -f http://x/health

# Docs check
curl -f http://x/docs
` + "```" + `

### Step 3: Migrations

See [Migrating](#migrating).

## Migrating

` + "```bash" + `
# Upgrade
alembic upgrade head
` + "```" + `

## Emergency Procedures

### Service Down

` + "```bash" + `
# Restart all
docker compose restart
` + "```" + `

## Deployment Checklist Summary

### Pre
- [ ] [Verify test results](#before)
- [ ] [Backup database](#step-1-backup)
- [ ] Health check
- [ ] [Run migrations](#step-3-migrations)
- [ ] Team notified
- [ ] [Investigate root cause](#emergency-procedures)
`

func TestSummaryItem(t *testing.T) {
	rb, probs, err := Parse("s.md", []byte(summaryRunbook))
	if err != nil || len(probs) > 0 {
		t.Fatalf("%v %q", err, problemStrings(probs))
	}
	const (
		tests    = "before/tests-green"
		approved = "before/change-approved"
		backup   = "deploy/step-1-backup/take-backup"
		byHand   = "deploy/step-1-backup/or-take-backup-by-hand"
		verify   = "deploy/step-1-backup/verify-backup"
		copied   = "deploy/step-1-backup/backup-file-copied-off-the-host"
		health   = "deploy/step-2-health/health-check"
		upgrade  = "migrating/upgrade"
	)
	item := func(text string) *Check {
		for _, ch := range rb.SummarySection().Steps[0].Checks {
			if ch.Text == text {
				return ch
			}
		}
		t.Fatalf("no summary item %q", text)
		return nil
	}
	type run struct {
		cmds    map[string]Status
		ticked  []string
		choices map[string]string
	}
	cases := []struct {
		name, item string
		run        run
		want       ItemStatus
		done, tot  int
		why        string
	}{
		{"checks only: none ticked", "Verify test results", run{}, ItemPending, 0, 2, ""},
		{"checks only: one ticked", "Verify test results", run{ticked: []string{tests}}, ItemInProgress, 1, 2, "1 of 2 checks not ticked"},
		{"checks only: all ticked", "Verify test results", run{ticked: []string{tests, approved}}, ItemDone, 2, 2, ""},
		{"a tick on the item itself does not stand for its checks", "Verify test results",
			run{ticked: []string{"deployment-checklist-summary/pre/verify-test-results"}}, ItemPending, 0, 2, ""},
		{"commands ok, check unticked: not done", "Backup database",
			run{cmds: map[string]Status{backup: OK, verify: OK}, choices: map[string]string{backup: backup}}, ItemInProgress, 2, 3, "1 of 1 checks not ticked"},
		{"commands ok and check ticked: done", "Backup database",
			run{cmds: map[string]Status{backup: OK, verify: OK}, ticked: []string{copied}}, ItemDone, 3, 3, ""},
		{"the chosen alternative ok counts for its group", "Backup database",
			run{cmds: map[string]Status{backup: Pending, byHand: OK, verify: OK}, ticked: []string{copied}, choices: map[string]string{backup: byHand}}, ItemDone, 3, 3, ""},
		{"the chosen alternative failed fails the item", "Backup database",
			run{cmds: map[string]Status{backup: OK, byHand: Failed, verify: OK}, ticked: []string{copied}, choices: map[string]string{backup: byHand}}, ItemFailed, 2, 3, "failed: Take backup"},
		{"a warning is never done", "Backup database",
			run{cmds: map[string]Status{backup: OK, verify: Warning}, ticked: []string{copied}}, ItemWarning, 2, 3, "needs a look: Verify backup"},
		{"a warning shows before the rest ran", "Backup database",
			run{cmds: map[string]Status{verify: Warning}}, ItemWarning, 0, 3, "needs a look: Verify backup"},
		{"failed outranks warning", "Backup database",
			run{cmds: map[string]Status{backup: Interrupted, verify: Warning}}, ItemFailed, 0, 3, "failed: Take backup"},
		{"running shows", "Backup database",
			run{cmds: map[string]Status{backup: Running, verify: Failed}}, ItemRunning, 0, 3, "running: Take backup"},
		{"skipped is settled but not done", "Backup database",
			run{cmds: map[string]Status{backup: OK, verify: Skipped}, ticked: []string{copied}}, ItemSkipped, 2, 3, "skipped: Verify backup"},
		{"an item that names a command stands for it", "Health check",
			run{cmds: map[string]Status{health: OK}}, ItemDone, 1, 1, ""},
		{"an item that names a command: warning", "Health check",
			run{cmds: map[string]Status{health: Warning}}, ItemWarning, 0, 1, "needs a look: Health check"},
		{"a step without commands stands for what it links to", "Run migrations",
			run{cmds: map[string]Status{upgrade: OK}}, ItemDone, 1, 1, ""},
		{"nothing to derive from: a manual check, unticked", "Team notified", run{}, ItemPending, 0, 1, ""},
		{"nothing to derive from: a manual check, ticked by a person", "Team notified",
			run{ticked: []string{"deployment-checklist-summary/pre/team-notified"}}, ItemDone, 1, 1, ""},
		{"the emergency menu is not a procedure: a manual check", "Investigate root cause",
			run{ticked: []string{"deployment-checklist-summary/pre/investigate-root-cause"}}, ItemDone, 1, 1, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := &Run{Commands: map[string]*CommandRun{}, Checks: map[string]*CheckState{}, Choices: tt.run.choices}
			for id, st := range tt.run.cmds {
				r.Commands[id] = &CommandRun{Status: st}
			}
			for _, id := range tt.run.ticked {
				r.Checks[id] = &CheckState{Done: true, By: "alice"}
			}
			got := SummaryItem(rb, item(tt.item), r)
			if got.Status != tt.want || got.Done != tt.done || got.Total != tt.tot || got.Why != tt.why {
				t.Errorf("got %s %d/%d %q, want %s %d/%d %q", got.Status, got.Done, got.Total, got.Why, tt.want, tt.done, tt.tot, tt.why)
			}
			if (got.Mark() == "✓") != (tt.want == ItemDone) {
				t.Errorf("mark %q for %s", got.Mark(), got.Status)
			}
		})
	}
}

func TestSummaryGroups(t *testing.T) {
	rb, _, err := Parse("s.md", []byte(summaryRunbook))
	if err != nil {
		t.Fatal(err)
	}
	groups := Summary(rb, &Run{})
	if len(groups) != 1 || groups[0].Step.Title != "Pre" || len(groups[0].Items) != 6 {
		t.Fatalf("groups %+v", groups)
	}
	for _, it := range groups[0].Items {
		if it.Status != ItemPending {
			t.Errorf("%s: %s in an empty run", it.Check.Text, it.Status)
		}
	}
}

// A "[x]" in the document is no one's tick in this run: the item it stands
// for starts pending, and lint says so at its line.
func TestDocumentTickIsNotAPersonsTick(t *testing.T) {
	const src = "# R\n\n## Prep\n\n- [x] Freeze writes\n\n## Deployment Checklist Summary\n\n- [ ] [Prepared](#prep)\n"
	rb, _, err := Parse("t.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	item := rb.SummarySection().Steps[0].Checks[0]
	r := &Run{Commands: map[string]*CommandRun{}, Checks: map[string]*CheckState{}}
	if got := SummaryItem(rb, item, r); got.Status != ItemPending || got.Done != 0 {
		t.Errorf("with only the document's [x]: %s %d/%d, want pending 0/1", got.Status, got.Done, got.Total)
	}
	r.Checks["prep/freeze-writes"] = &CheckState{Done: true, By: "alice"}
	if got := SummaryItem(rb, item, r); got.Status != ItemDone {
		t.Errorf("ticked by a person: %s, want done", got.Status)
	}
	var warned bool
	for _, p := range Lint("t.md", []byte(src)) {
		warned = warned || (p.Line == 5 && p.Severity == SeverityWarning && strings.Contains(p.Message, "ticked in the document"))
	}
	if !warned {
		t.Errorf("lint does not warn about the [x] at t.md:5: %q", problemStrings(Lint("t.md", []byte(src))))
	}
}
