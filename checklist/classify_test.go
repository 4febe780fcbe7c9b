package checklist

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

var prodTarget = Target{DBName: "planner_production", Project: "planner", Host: "prod1", BackupDir: "/var/backups/planner",
	Vars: map[string]string{"SCRATCH": "/srv/scratch"}}

// TestOriginalRunbookRisks pins the risk and confirmation phrase of every
// command of the user's runbook. A command without a row fails the test,
// so a parser change that adds or renames commands must be looked at here.
func TestOriginalRunbookRisks(t *testing.T) {
	type want struct {
		risk    Risk
		confirm string
	}
	const (
		env  = "pre-deployment-checklist/environment-verification/"
		std  = "standard-deployment-procedure/"
		mig  = "database-migration-procedure/"
		rb   = "rollback-procedure/"
		em   = "emergency-procedures/"
		post = "post-deployment-verification/"
	)
	table := map[string]want{
		env + "verify-current-version":       {Safe, ""},
		env + "check-system-resources":       {Safe, ""},
		env + "verify-database-connectivity": {Safe, ""},

		std + "step-1-create-backup/set-backup-timestamp":             {Safe, ""},
		std + "step-1-create-backup/backup-database":                  {Change, ""},
		std + "step-1-create-backup/verify-backup":                    {Safe, ""},
		std + "step-1-create-backup/backup-environment-configuration": {Change, ""},

		std + "step-2-pull-latest-code/navigate-to-application-directory": {Safe, ""},
		std + "step-2-pull-latest-code/fetch-latest-changes":              {Safe, ""},
		std + "step-2-pull-latest-code/check-what-will-be-deployed":       {Safe, ""},
		std + "step-2-pull-latest-code/pull-latest-code":                  {Change, ""},
		std + "step-2-pull-latest-code/or-checkout-specific-version":      {Change, ""},

		std + "step-3-update-environment-variables-if-needed/compare-environment-files":         {Safe, ""},
		std + "step-3-update-environment-variables-if-needed/update-env-if-new-variables-added": {Change, ""},
		std + "step-3-update-environment-variables-if-needed/verify-critical-variables":         {Safe, ""},

		std + "step-4-build-new-images/build-production-images":          {Change, ""},
		std + "step-4-build-new-images/verify-images-built-successfully": {Safe, ""},

		std + "step-6-deploy-new-version/stop-current-containers":         {Destructive, "planner"},
		std + "step-6-deploy-new-version/start-new-containers":            {Change, ""},
		std + "step-6-deploy-new-version/wait-for-services-to-be-healthy": {Safe, ""},

		mig + "pre-migration-steps/review-migration-files":                     {Safe, ""},
		mig + "pre-migration-steps/check-current-migration-version":            {Safe, ""},
		mig + "pre-migration-steps/check-pending-migrations":                   {Safe, ""},
		mig + "migration-execution/dry-run-if-supported-by-your-migrations":    {Change, ""}, // writes migration-preview.sql
		mig + "migration-execution/review-the-sql":                             {Safe, ""},
		mig + "migration-execution/execute-migrations":                         {Change, ""},
		mig + "migration-execution/verify-migration-completed":                 {Safe, ""},
		mig + "post-migration-verification/check-database-schema":              {Safe, ""},
		mig + "post-migration-verification/verify-critical-tables":             {Safe, ""},
		mig + "post-migration-verification/check-for-migration-errors-in-logs": {Safe, ""},

		rb + "step-1-stop-current-services/docker-compose-f-docker-compose-yml-f":                {Destructive, "planner"},
		rb + "step-2-revert-code/find-previous-version":                                          {Safe, ""},
		rb + "step-2-revert-code/checkout-previous-version":                                      {Change, ""},
		rb + "step-2-revert-code/or-checkout-previous-tag":                                       {Change, ""},
		rb + "step-3-rollback-database-if-migrations-were-run/identify-target-migration-version": {Safe, ""},
		rb + "step-3-rollback-database-if-migrations-were-run/downgrade-to-previous-version":     {Destructive, "planner_production"},
		rb + "step-3-rollback-database-if-migrations-were-run/or-restore-from-backup":            {Destructive, "planner_production"},
		rb + "step-4-rebuild-and-restart/rebuild-images":                                         {Change, ""},
		rb + "step-4-rebuild-and-restart/start-services":                                         {Change, ""},
		rb + "step-4-rebuild-and-restart/verify-services":                                        {Safe, ""},
		rb + "step-5-verify-rollback/check-application-version":                                  {Safe, ""},
		rb + "step-5-verify-rollback/test-health-endpoint":                                       {Safe, ""},
		rb + "step-5-verify-rollback/check-logs":                                                 {Safe, ""},

		em + "service-completely-down/check-all-services":                   {Safe, ""},
		em + "service-completely-down/check-logs-for-all-services":          {Safe, ""},
		em + "service-completely-down/restart-all-services":                 {Change, ""},
		em + "service-completely-down/if-restart-fails-recreate-containers": {Destructive, "planner"},
		em + "database-connection-lost/check-database-container":            {Safe, ""},
		em + "database-connection-lost/check-database-logs":                 {Safe, ""},
		em + "database-connection-lost/restart-database":                    {Change, ""},
		em + "database-connection-lost/wait-for-database-to-be-ready":       {Safe, ""},
		em + "database-connection-lost/restart-application":                 {Change, ""},
		em + "out-of-disk-space/check-disk-usage":                           {Safe, ""},
		em + "out-of-disk-space/clean-up-docker-resources":                  {Destructive, "prod1"},
		em + "out-of-disk-space/remove-old-backups-keep-last-7-days":        {Destructive, "/var/backups/planner"},
		em + "out-of-disk-space/remove-old-logs":                            {Safe, ""},
		em + "high-memory-usage/check-container-memory-usage":               {Safe, ""},
		em + "high-memory-usage/restart-high-memory-containers":             {Change, ""},
		em + "security-incident/immediately-stop-all-services":              {Destructive, "planner"},
		em + "security-incident/preserve-logs-for-investigation":            {Change, ""},
		em + "security-incident/review-and-update-env-file":                 {Change, ""},
		em + "security-incident/rebuild-and-restart-with-new-secrets":       {Change, ""},

		post + "automated-checks/health-check":                             {Safe, ""},
		post + "automated-checks/api-documentation-accessible":             {Safe, ""},
		post + "automated-checks/database-connectivity":                    {Safe, ""},
		post + "manual-verification/api-test-test-authentication-endpoint": {Change, ""},
		post + "manual-verification/api-test-test-programs-endpoint":       {Safe, ""},
		post + "manual-verification/log-review-check-for-errors":           {Safe, ""},
		post + "manual-verification/log-review-check-for-warnings":         {Safe, ""},
	}
	rb0 := loadOriginal(t)
	seen := map[string]bool{}
	for _, cmd := range rb0.Commands() {
		w, ok := table[cmd.ID]
		if !ok {
			t.Errorf("command %s (%q) has no row in the risk table", cmd.ID, cmd.Script)
			continue
		}
		seen[cmd.ID] = true
		got := Classify(cmd.Script, prodTarget)
		if got.Risk != w.risk || got.Confirm != w.confirm {
			t.Errorf("%s:\n%s\ngot %s confirm %q (%s), want %s confirm %q", cmd.ID, cmd.Script, got.Risk, got.Confirm, got.Reason, w.risk, w.confirm)
		}
		if got.Reason == "" {
			t.Errorf("%s: empty reason", cmd.ID)
		}
		if got.Risk == Destructive && got.Destroys == "" {
			t.Errorf("%s: destructive without saying what it destroys", cmd.ID)
		}
	}
	for id := range table {
		if !seen[id] {
			t.Errorf("table row %s matches no command of the runbook", id)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		script   string
		risk     Risk
		confirm  string
		reason   string // substring
		destroys string // substring
	}{
		{"docker compose -f a.yml down -v", Destructive, "planner", "volumes", "named volumes"},
		{"docker-compose -p other down", Destructive, "other", "compose down", "project other"},
		{"docker-compose stop", Destructive, "planner", "whole stack", ""},
		{"docker-compose stop app", Change, "", "stops app", ""},
		{"docker compose rm -f", Destructive, "planner", "removes", ""},
		{"docker image prune -a", Destructive, "prod1", "prune", "all images not used by a container on host prod1"},
		{"docker volume prune -f", Destructive, "prod1", "", "unused volumes"},
		{"docker rm -f planner_app_1", Destructive, "planner_app_1", "removes", ""},
		{"docker rmi $(docker images -q)", Destructive, "prod1", "", ""},
		{"docker stop $(docker ps -q)", Destructive, "prod1", "several", ""},
		{"docker stop planner_app_1", Change, "", "", ""},
		{"docker restart planner_app_1", Change, "", "", ""},
		{"docker inspect planner_db_1 | jq .", Safe, "", "", ""},
		{"yes 'x' | head -c 1000", Safe, "", "", ""},
		{"awk '{print $1}' access.log", Safe, "", "", ""},
		{`awk 'BEGIN{system("rm -rf /")}'`, Change, "", "runs commands or writes files", ""},
		{`awk '{print > "/etc/passwd"}' f`, Change, "", "runs commands or writes files", ""},
		{"env rm -rf /tmp/x", Destructive, "/tmp/x", "rm deletes", ""},
		{"docker logs --tail 50 planner_app_1", Safe, "", "", ""},
		{"docker compose config", Safe, "", "", ""},
		{"docker compose top", Safe, "", "", ""},
		{"docker compose exec app alembic downgrade -1", Destructive, "planner_production", "downgrade", "after -1"},
		{"docker compose exec app alembic downgrade base --sql", Safe, "", "", ""},
		{"docker compose exec app alembic upgrade head --sql", Safe, "", "preview", ""},
		{"docker compose exec app alembic show head", Safe, "", "", ""},
		{"docker compose exec app alembic stamp head", Change, "", "", ""},
		{"psql -d planner_production -c 'TRUNCATE audit_log'", Destructive, "planner_production", "deletes data", ""},
		{"psql -c 'delete from users where id=1'", Destructive, "planner_production", "", ""},
		{`psql -d planner_production -c "UPDATE users SET admin=false"`, Change, "", "changes", ""},
		{`psql -d planner_production -c "SELECT 1"`, Safe, "", "", ""},
		{"psql -d scratch -f restore.sql", Destructive, "scratch", "restore", "restore.sql"},
		{"gunzip -c dump.sql.gz | psql -d planner_production", Destructive, "planner_production", "pipe", ""},
		{"psql -d planner_production <<'SQL'\nDROP TABLE x;\nSQL", Destructive, "planner_production", "", ""},
		{"psql -d planner_production <<'SQL'\nSELECT 1;\nSQL", Safe, "", "", ""},
		{"pg_restore -d planner_production --clean db.dump", Destructive, "planner_production", "", ""},
		{"pg_restore --list db.dump", Safe, "", "", ""},
		{"pg_dump -Fc -f /tmp/x.dump planner", Change, "", "writes /tmp/x.dump", ""},
		{"pg_dump planner > /dev/null", Safe, "", "", ""},
		{"dropdb planner_staging", Destructive, "planner_staging", "deletes the database", ""},
		{"rm -rf /var/backups/planner/old", Destructive, "/var/backups/planner/old", "deletes", "directory trees"},
		{"rm /var/backups/planner/pre-deploy-*.sql", Destructive, "/var/backups/planner", "", ""},
		{"rm -f $BACKUP_DIR/x.sql", Destructive, "/var/backups/planner/x.sql", "", ""},
		{"find . -name '*.log' -exec rm {} \\;", Destructive, "delete", "find -exec", "under ."},
		{"find /var/log -name '*.gz' -mtime +30 -print", Safe, "", "", ""},
		{"ls *.sql | xargs rm", Destructive, "unknown-target", "xargs passes arguments read from its input to rm", "unknown: the files named on the input of xargs"},
		{"git reset --hard origin/main", Destructive, "planner", "discards", ""},
		{"git clean -fdx", Destructive, "planner", "untracked", ""},
		{"git clean -n", Safe, "", "", ""},
		{"git tag", Safe, "", "", ""},
		{"git tag -l 'v1.*'", Safe, "", "", ""},
		{"git tag v9.9.9", Change, "", "", ""},
		{"git tag -a v9.9.9 -m release", Change, "", "", ""},
		{"git remote -v", Safe, "", "", ""},
		{"git branch -a", Safe, "", "", ""},
		{"git checkout -- .", Destructive, "planner", "overwrites", ""},
		{"git describe --tags", Safe, "", "", ""},
		{"cat new.env > .env", Destructive, "planner", "secret rotation", ".env of project planner"},
		{"echo FOO=1 >> .env", Change, "", "writes .env", ""},
		{"sed -i 's/^POSTGRES_PASSWORD=.*/POSTGRES_PASSWORD=x/' .env", Destructive, "planner", "secret", ""},
		{"sed -i 's/DEBUG=true/DEBUG=false/' .env", Change, "", "in place", ""},
		{"sed -n 1,5p .env", Safe, "", "", ""},
		{"cp .env.backup-20240101 .env", Destructive, "planner", "replaces .env", ""},
		{"cp .env .env.bak", Change, "", "", ""},
		{"kill -9 1234", Destructive, "prod1", "", ""},
		{"kill -0 1234", Safe, "", "", ""},
		{"systemctl stop docker", Destructive, "docker", "", ""},
		{"systemctl restart docker", Change, "", "", ""},
		{"systemctl status docker", Safe, "", "", ""},
		{"mkfs.ext4 /dev/sdb1", Destructive, "/dev/sdb1", "", ""},
		{"dd if=/dev/zero of=/dev/sdb bs=1M", Destructive, "/dev/sdb", "", ""},
		{"truncate -s 0 /var/log/app.log", Destructive, "/var/log/app.log", "", ""},
		{"sudo rm -rf /srv/old", Destructive, "/srv/old", "", ""},
		{"bash -c 'docker compose down'", Destructive, "planner", "", ""},
		{"timeout 10 docker compose down", Destructive, "planner", "", ""},
		{"$COMPOSE down", Destructive, "planner", "", ""},
		{"./deploy.sh down", Destructive, "planner", "unknown command", ""},
		{"./deploy.sh", Change, "", "unknown command ./deploy.sh", ""},
		{"mkdir -p /var/backups/planner", Change, "", "", ""},
		{"chmod 600 .env", Change, "", "", ""},
		{"echo hi | tee /tmp/x", Change, "", "", ""},
		{"echo hi > /dev/null 2>&1", Safe, "", "", ""},
		{"curl -sS -X DELETE https://x/api/1", Change, "", "DELETE", ""},
		{"curl -fsSL -d a=1 https://x", Change, "", "POST", ""},
		{"curl -fsSLo /tmp/file https://x", Change, "", "writes /tmp/file", ""},
		{"curl -fsS https://x/health", Safe, "", "", ""},
		{"wget -qO- https://x/health", Safe, "", "", ""},
		{"nano .env", Change, "", "editor", ""},
		{"$EDITOR docker-compose.prod.yml", Change, "", "editor", ""},
		{"planner-tui op status", Safe, "", "", ""},
		{"planner-tui op verify-backup /x", Safe, "", "", ""},
		{"planner-tui op verify-backup --restore-test /x", Change, "", "scratch database", ""},
		{"planner-tui op backup", Change, "", "", ""},
		{"planner-tui op restore --from x.sql", Destructive, "planner_production", "", "planner_production"},
		{"X=$(docker compose down)", Destructive, "planner", "", ""},
		{"X=$(date)\necho $X", Safe, "", "reads only", ""},
		{"BACKUP_FILE=x", Safe, "", "only sets", ""},
		{"if true; then docker system prune -f; fi", Destructive, "prod1", "", ""},
		{"(cd /tmp && rm -f x)", Destructive, "x", "", ""},
		{"redis-cli FLUSHALL", Destructive, "planner", "", ""},
		{"redis-cli PING", Safe, "", "", ""},
		{"reboot", Destructive, "prod1", "", ""},
		{"echo 'unterminated", Destructive, "planner", "could not be parsed", ""},
		{"curl -H \"Authorization: Bearer <token>\" https://x", Safe, "", "", ""},
		{"docker compose exec app alembic downgrade <revision-id>", Destructive, "planner_production", "", "after <revision-id>"},
	}
	for _, tt := range tests {
		got := Classify(tt.script, prodTarget)
		if got.Risk != tt.risk || got.Confirm != tt.confirm || !strings.Contains(got.Reason, tt.reason) || !strings.Contains(got.Destroys, tt.destroys) {
			t.Errorf("Classify(%q) = %s confirm %q reason %q destroys %q; want %s confirm %q reason ~%q destroys ~%q",
				tt.script, got.Risk, got.Confirm, got.Reason, got.Destroys, tt.risk, tt.confirm, tt.reason, tt.destroys)
		}
		if got.Risk == Destructive && got.Confirm == "" {
			t.Errorf("Classify(%q): destructive without a confirmation phrase", tt.script)
		}
	}
}

// Without a target, destructive commands still get a phrase to type.
func TestClassifyNoTarget(t *testing.T) {
	for _, s := range []string{"docker compose down", "docker system prune -af", "alembic downgrade -1", "psql < x.sql", "echo 'x"} {
		if got := Classify(s, Target{}); got.Risk != Destructive || got.Confirm == "" {
			t.Errorf("Classify(%q, no target) = %+v, want destructive with a phrase", s, got)
		}
	}
}

func TestRiskText(t *testing.T) {
	for _, r := range []Risk{Safe, Change, Destructive} {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back Risk
		if err := json.Unmarshal(b, &back); err != nil || back != r {
			t.Errorf("round trip of %s via %s: %v %v", r, b, back, err)
		}
	}
	if s := Destructive.String(); s != "destructive" {
		t.Errorf("Destructive.String() = %q", s)
	}
	if _, err := ParseRisk("maybe"); err == nil {
		t.Error(`ParseRisk("maybe") succeeded`)
	}
	if r, err := ParseRisk("Change"); err != nil || r != Change {
		t.Errorf(`ParseRisk("Change") = %v, %v`, r, err)
	}
}

func loadOriginal(t testing.TB) *Runbook {
	t.Helper()
	src, err := os.ReadFile("testdata/original-runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	rb, probs, err := Parse("testdata/original-runbook.md", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Errorf("unexpected problem in the original runbook: %s", p)
	}
	return rb
}

// A placeholder (or a variable the runbook does not define) where it
// decides what runs makes the unfilled command destructive; one in a
// harmless argument keeps the risk of the command as written.
func TestClassifyPlaceholders(t *testing.T) {
	tests := []struct {
		script string
		risk   Risk
		reason string // part of the reason
	}{
		// command position, subcommands, flags: unknown until filled
		{"docker-compose <action>", Destructive, "<action> decides what runs: judged when filled"},
		{"docker compose -f x.yml <action> app", Destructive, "<action> decides"},
		{"<tool> -rf /data/x", Destructive, "<tool> decides"},
		{"sudo <tool> /data/x", Destructive, "<tool> decides"},
		{"docker-compose exec -T db <cmd>", Destructive, "in service db: <cmd> decides"},
		{"docker <verb> planner_app_1", Destructive, "<verb> decides"},
		{"docker volume <op> pgdata", Destructive, "<op> decides"},
		{"git <sub> main", Destructive, "<sub> decides"},
		{"alembic <direction> head", Destructive, "<direction> decides"},
		{"docker-compose run --rm app alembic <direction> head", Destructive, "<direction> decides"},
		{"systemctl <verb> nginx", Destructive, "<verb> decides"},
		{"redis-cli <op>", Destructive, "<op> decides"},
		{"planner-tui op <op>", Destructive, "<op> decides"},
		{"git push -<flags> origin main", Destructive, "<flags> decides"},
		{"git checkout --<mode> main", Destructive, "<mode> decides"},
		{"./deploy.sh <action>", Destructive, "<action> decides"},
		{"$TOOL -rf /data/x", Destructive, "$TOOL decides what runs and is not a runbook variable"},
		{"docker-compose $ACTION", Destructive, "$ACTION decides"},
		{"git push --$MODE", Destructive, "$MODE decides"},
		{"`which rm` -rf /x", Destructive, "$(which rm) decides what runs and is only known when it runs"},
		{"docker-compose $(cat action.txt)", Destructive, "$(cat action.txt) decides"},
		{"$UNSET_TOOL$(echo x) /x", Destructive, "decides what runs"},
		// harmless positions keep the template's risk
		{"git log --oneline <commit>", Safe, "git log"},
		{"git checkout <commit>", Change, "changes the checked-out code"},
		{`curl -fsS -H "Authorization: Bearer <token>" http://x/api/me`, Safe, "curl GET"},
		{"docker-compose logs --tail=100 <service>", Safe, "compose logs"},
		{"echo <message>", Safe, "echo"},
		{"grep -<opts> error app.log", Safe, "grep"},
		{"psql -U$DB_USER -c 'SELECT 1'", Safe, "psql"},
		{"docker-compose stop <service>", Change, "compose stop"},
		// the path of rm decides only the phrase: rm is destructive anyway
		{"rm -rf <dir>", Destructive, "rm deletes <dir> (<dir> decides what is deleted: judged when filled)"},
		{"find <dir> -name '*.tmp' -delete", Destructive, "(<dir> decides what is deleted: judged when filled)"},
		{"find <dir> -name '*.tmp'", Safe, "find"},
		// a wrapper's "$@" is judged where it is called
		{"retry() { until \"$@\"; do sleep 1; done; }\nretry docker-compose ps", Safe, "compose ps"},
		// runbook variables are resolved first
		{"$COMPOSE ps", Safe, "compose ps"},
	}
	for _, tt := range tests {
		got := Classify(tt.script, prodTarget)
		if got.Risk != tt.risk || !strings.Contains(got.Reason, tt.reason) {
			t.Errorf("Classify(%q) = %s (%s), want %s (%s)", tt.script, got.Risk, got.Reason, tt.risk, tt.reason)
		}
		if got.Risk == Destructive && got.Confirm == "" {
			t.Errorf("Classify(%q): destructive without a phrase", tt.script)
		}
	}
	// Filled, the same templates are judged on what will run.
	vt := prodTarget
	vt.Vars = map[string]string{"TOOL": "rm", "ACTION": "ps"}
	filled := []struct {
		script  string
		t       Target
		risk    Risk
		confirm string
	}{
		{"docker-compose down", prodTarget, Destructive, "planner"},
		{"docker-compose ps", prodTarget, Safe, ""},
		{"rm -rf /data/x", prodTarget, Destructive, "/data/x"},
		{"$TOOL -rf /data/x", vt, Destructive, "/data/x"},
		{"docker-compose $ACTION", vt, Safe, ""},
	}
	for _, tt := range filled {
		got := Classify(tt.script, tt.t)
		if got.Risk != tt.risk || got.Confirm != tt.confirm {
			t.Errorf("Classify(%q) = %s, phrase %q (%s); want %s, phrase %q", tt.script, got.Risk, got.Confirm, got.Reason, tt.risk, tt.confirm)
		}
	}
}

// The fresh-backup gate comes from the syntax tree: migrations that
// change the schema and restores, wherever they run; not words in an echo
// or a grep pattern.
func TestClassifyGated(t *testing.T) {
	tests := []struct {
		script string
		gated  bool
	}{
		{"alembic upgrade head", true},
		{"alembic downgrade -1", true},
		{"docker-compose run --rm app alembic upgrade head", true},
		{"docker compose exec -T app alembic downgrade abc123", true},
		{"docker-compose exec app python -m alembic upgrade head", true},
		{"psql -U postgres planner < /var/backups/planner/x.sql", true},
		{"gunzip -c x.sql.gz | psql -U postgres planner", true},
		{"docker-compose exec -T db psql -U postgres planner < x.sql", true},
		{"pg_restore -d planner x.dump", true},
		{"planner-tui op restore /var/backups/x.sql", true},
		{"bash -c 'alembic upgrade head'", true},
		{"alembic upgrade head --sql", false},
		{"alembic upgrade head --sql > pending.sql", false},
		{`echo "next: alembic upgrade head"`, false},
		{"grep -c pg_restore deploy.log", false},
		{"pg_restore --list x.dump", false},
		{"alembic current", false},
		{"psql -c 'SELECT 1'", false},
		{"echo restore; alembic upgrade head --sql", false},
		{"alembic upgrade head --sql; alembic upgrade head", true},
		{"alembic() { docker-compose exec -T app alembic \"$@\"; }\nalembic upgrade head", true},
		{"alembic() { docker-compose exec -T app alembic \"$@\"; }\nalembic current", false},
	}
	for _, tt := range tests {
		got := Classify(tt.script, prodTarget)
		if got.Gated != tt.gated {
			t.Errorf("Classify(%q).Gated = %v (%q), want %v", tt.script, got.Gated, got.GatedBy, tt.gated)
		}
	}
}

// Variables the script sets itself are resolved when set once to a known
// value before they are used, and unknown otherwise, even where the runbook
// has a variable of that name.
func TestClassifyScriptVariables(t *testing.T) {
	tests := []struct {
		script  string
		risk    Risk
		confirm string
	}{
		{`DC="docker compose -f a.yml"; $DC ps`, Safe, ""},
		{`DC="docker compose -f a.yml"; $DC down`, Destructive, "planner"},
		{"X=ps; if true; then X=down; fi; docker-compose $X", Destructive, "planner"},
		{"docker-compose $X; X=ps", Destructive, "planner"},
		{`rm -rf "$SCRATCH/old"`, Destructive, "/srv/scratch/old"},
		{`SCRATCH=/tmp/other; rm -rf "$SCRATCH/old"`, Destructive, "/tmp/other/old"},
		{`SCRATCH=$(mktemp -d); rm -rf "$SCRATCH/old"`, Destructive, "unknown-target"},
		{`export SCRATCH; rm -rf "$SCRATCH/old"`, Destructive, "/srv/scratch/old"},
		{`for d in a b; do rm -rf "$SCRATCH/$d"; done`, Destructive, "/srv/scratch"},
		{`read -r TOOL; $TOOL /x`, Destructive, "planner"},
	}
	for _, tt := range tests {
		got := Classify(tt.script, prodTarget)
		if got.Risk != tt.risk || got.Confirm != tt.confirm {
			t.Errorf("Classify(%q) = %s, phrase %q (%s); want %s, phrase %q", tt.script, got.Risk, got.Confirm, got.Reason, tt.risk, tt.confirm)
		}
	}
}

func TestJudgeNeverBelowExplicitRisk(t *testing.T) {
	got := Judge("docker-compose ps", map[string]string{"risk": "destructive"}, prodTarget)
	if got.Risk != Destructive || got.Confirm != "planner" {
		t.Errorf("ps with risk=destructive: %s, phrase %q", got.Risk, got.Confirm)
	}
	got = Judge("docker-compose down", map[string]string{"risk": "change"}, prodTarget)
	if got.Risk != Destructive {
		t.Errorf("down with risk=change: %s, want destructive (risk= never lowers a destructive one)", got.Risk)
	}
}

// Classify never panics or loops on any script, and a destructive result
// always has a phrase.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"docker-compose <action>", "<tool> -rf /data/x", "$TOOL $(echo x)", "`which rm` -rf /x",
		"f() { \"$@\"; }\nf f f rm -rf /", "alembic() { alembic \"$@\"; }\nalembic upgrade head", "$COMPOSE down", "sudo sudo <x>"} {
		f.Add(s)
	}
	vt := prodTarget
	vt.Vars = map[string]string{"TOOL": "$TOOL", "LOOP": "$(x) $LOOP", "A": "rm -rf"}
	f.Fuzz(func(t *testing.T, script string) {
		for _, tg := range []Target{prodTarget, vt, {}} {
			if cl := Classify(script, tg); cl.Risk == Destructive && cl.Confirm == "" {
				t.Errorf("Classify(%q): destructive without a phrase", script)
			}
		}
	})
}
