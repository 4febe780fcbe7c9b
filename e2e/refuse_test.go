package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDestructiveCommandsRefused: each destructive command, run without its
// phrase and with a wrong one, is refused (exit 66), runs nothing, changes
// nothing, and the refusal is in the audit log.
func TestDestructiveCommandsRefused(t *testing.T) {
	sb := needSandbox(t)
	healthyStack(t, sb)
	op := newOperator(t, sb)

	// A backup to name in the restore, and old files for find -delete.
	stamp := "e2e-refuse-" + time.Now().Format("150405")
	if r := op.tui(t, "op", "backup", "--name", "pre-deploy-"+stamp); r.code != 0 {
		t.Fatalf("op backup: %s", r)
	}
	backup := filepath.Join(sb.backupDir, "pre-deploy-"+stamp+".sql")
	t.Cleanup(func() { os.Remove(backup) })
	oldFile := filepath.Join(sb.backupDir, "e2e-refuse-old-"+time.Now().Format("150405")+".sql")
	if err := os.WriteFile(oldFile, []byte("-- e2e\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(oldFile) })
	tenDaysAgo := time.Now().Add(-10 * 24 * time.Hour)
	if err := os.Chtimes(oldFile, tenDaysAgo, tenDaysAgo); err != nil {
		t.Fatal(err)
	}

	containersBefore := containers(t)
	dbBefore := op.dbCheck(t)
	imagesBefore := images(t)
	host, _ := os.Hostname()

	cases := []struct {
		id    string
		args  []string
		wrong string // a wrong phrase an operator might type
	}{
		{id: "step-6-deploy-new-version/stop-current-containers", wrong: "planner_production"},
		{id: "rollback-procedure/step-1-stop-current-services/docker-compose-f-docker-compose-yml-f", wrong: "yes"},
		{id: "service-completely-down/if-restart-fails-recreate-containers", wrong: "Planner"},
		{id: "security-incident/immediately-stop-all-services", wrong: "planner "},
		{id: "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version", args: []string{"--param", "revision-id=base"}, wrong: "planner"},
		{id: "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version",
			args: []string{"--choose", "step-3-rollback-database-if-migrations-were-run/or-restore-from-backup-a-fresh-verified-backup", "--param", "timestamp=" + stamp}, wrong: "planner"},
		{id: "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version",
			args: []string{"--choose", "step-3-rollback-database-if-migrations-were-run/or-restore-from-backup-with-psql-directly", "--param", "timestamp=" + stamp}, wrong: "PLANNER_PRODUCTION"},
		{id: "out-of-disk-space/remove-old-backups-keep-last-7-days", wrong: "/var/backups/planner"},
		{id: "out-of-disk-space/clean-up-docker-resources", wrong: host + "x"},
		{id: "security-incident/generate-new-secret-key-the-old-env-is-kept-as", wrong: "SECRET_KEY"},
	}
	envBefore, _ := os.ReadFile(filepath.Join(sb.plannerDir, ".env"))
	for _, c := range cases {
		op.mustRefuse(t, c.id, c.args...)
		r := op.mustRefuse(t, c.id, append(c.args, "--confirm", c.wrong)...)
		if !strings.Contains(r.stderr, "does not match") {
			t.Errorf("%s with a wrong phrase: no 'does not match' in:\n%s", c.id, r)
		}
	}

	// op restore on its own refuses without the database name too.
	if r := op.tui(t, "op", "restore", backup); r.code != 66 {
		t.Errorf("op restore without --confirm: want exit 66 (refused), got %s", r)
	}
	if r := op.tui(t, "op", "restore", backup, "--confirm", "planner"); r.code != 66 {
		t.Errorf("op restore with a wrong --confirm: want exit 66 (refused), got %s", r)
	}

	// Nothing changed.
	wantRunning(t, containersBefore, "db", "redis", "app")
	dbAfter := op.dbCheck(t)
	if dbAfter.Revision != dbBefore.Revision {
		t.Errorf("alembic revision changed: %q -> %q", dbBefore.Revision, dbAfter.Revision)
	}
	for table, n := range dbBefore.RowCounts {
		if dbAfter.RowCounts[table] != n {
			t.Errorf("%s: %d rows, %d before", table, dbAfter.RowCounts[table], n)
		}
	}
	if _, err := os.Stat(oldFile); err != nil {
		t.Errorf("old backup removed although find -delete was refused: %v", err)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Errorf("backup gone: %v", err)
	}
	if imagesAfter := images(t); imagesAfter != imagesBefore {
		t.Errorf("images changed although the prune was refused:\nbefore:\n%s\nafter:\n%s", imagesBefore, imagesAfter)
	}
	if envAfter, _ := os.ReadFile(filepath.Join(sb.plannerDir, ".env")); string(envAfter) != string(envBefore) {
		t.Errorf(".env changed although the rotation was refused")
	}
	if jobs, _ := filepath.Glob(filepath.Join(op.stateDir, "runs", "*", "jobs", "*")); len(jobs) != 0 {
		t.Errorf("refused commands left jobs: %v", jobs)
	}

	// Every refusal is audited, with what was typed.
	b, err := os.ReadFile(filepath.Join(op.stateDir, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	refusals := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("audit.jsonl: %v in %q", err, line)
		}
		if rec.Event == "refuse" {
			refusals++
		}
	}
	if refusals != 2*len(cases) {
		t.Errorf("audit.jsonl has %d refusals, want %d", refusals, 2*len(cases))
	}
}
