package checklist

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestLintSwallow: a shell block (its script starts at line 4 of the
// runbook) and the warnings lint must give, as "LINE: text in the message",
// in order; none for a block that cannot pass when it fails.
func TestLintSwallow(t *testing.T) {
	tests := []struct {
		name   string
		attrs  string // fence attributes, with braces
		script string
		want   []string
	}{
		// What swallows a failure.
		{"or echo", "", `curl -fsS "$URL/health" || echo "Health check failed!"`,
			[]string{`4: "|| echo" makes the command exit 0 when curl fails`}},
		{"or true", "", "docker compose pull || true", []string{`4: "|| true" makes the command exit 0 when docker fails`}},
		{"or colon", "", "systemctl is-active nginx || :", []string{`4: "|| :"`}},
		{"or exit 0", "", "pg_isready -h db || exit 0", []string{`4: "|| exit 0"`}},
		{"or block ending in echo", "", "make check || { echo broken; echo see log; }", []string{`4: "|| echo"`}},
		{"grep pipeline or echo", "", `docker compose logs app | grep -i error || echo "No errors"`,
			[]string{`4: "| grep ... || echo" exits 0 both when grep finds nothing and when the command before the pipe fails`}},
		{"on the continuation line", "", "curl -fsS \\\n  https://x/health \\\n  || echo down", []string{`6: "|| echo"`}},
		{"trailing true", "", "alembic upgrade head\ntrue", []string{`5: the script ends with "true"`}},
		{"trailing exit 0", "", "pytest; exit 0", []string{`4: the script ends with "exit 0"`}},
		{"trailing echo after a check", "", "docker compose ps\necho done", []string{`5: the script ends with "echo"`}},
		{"set +e", "", "set +e\nmake deploy", []string{`4: "set +e" says failures are to be ignored`}},
		{"set +o pipefail", "", "set +o pipefail\ndocker logs app | tail -5", []string{
			`4: "set +o pipefail" turns pipefail off`, `5: without pipefail the pipeline's status is tail's alone`}},
		{"if without else", "", "if curl -fsS https://x/health; then echo up; fi", []string{`4: when curl fails, "if curl ...; fi" without an else exits 0`}},
		{"if with a quiet else", "", "if pg_isready; then echo up; else echo down; fi", []string{`4: when pg_isready fails, the if's branch for it ends with "echo"`}},
		{"if not ... echo", "", "if ! pg_isready; then echo 'db down'; fi", []string{`4: the if's branch for it ends with "echo"`}},
		{"curl without -f", "", `curl -sS "$URL/api/v1/programs" -H "Authorization: Bearer x"`, []string{`4: curl without -f (--fail) exits 0 on an HTTP error`}},
		{"curl POST without -f", "", "curl -sS -X POST https://x/login \\\n  -d '{}'", []string{`4: curl without -f`}},
		{"curl -o value is not -f", "", "curl -so f https://x/", []string{`4: curl without -f`}},
		{"curl under sudo", "", "sudo curl https://x/", []string{`4: curl without -f`}},
		{"curl in a compose exec", "", "docker-compose -f a.yml exec -T app curl -s http://localhost:8000/health", []string{`4: curl without -f`}},
		{"curl in docker exec", "", "docker exec -u root planner_app_1 curl http://localhost:8000/health", []string{`4: curl without -f`}},
		{"psql in a compose exec or echo", "", `docker compose exec -T db psql -c "SELECT 1" || echo "db down"`, []string{`4: "|| echo" makes the command exit 0 when psql fails`}},
		{"curl in an assignment", "", "TOKEN=$(curl -s https://x/login | jq -r .token)", []string{`4: curl without -f`}},
		{"curl piped to tee", "", "curl -s https://x/ | tee out.json", []string{`4: curl without -f`}},
		{"curl piped to grep -v", "", "curl -s https://x/ | grep -v ok", []string{`4: curl without -f`}},
		{"ok-exit=1 on a grep pipeline", `{ok-exit="1"}`, "docker logs app | grep -i error",
			[]string{`4: ok-exit="1" counts exit 1 as ok, but in a pipeline into grep exit 1 is both "no match"`}},
		{"warn-exit=0,1 on a grep pipeline", `{warn-exit="0,1"}`, "docker logs app | grep -i error",
			[]string{`4: warn-exit="0,1" counts exit 1 as a warning`}},
		{"echo text the fence does not match", `{fail-if="^ERROR"}`, "curl -fsS https://x/ || echo 'Health check failed!'",
			[]string{`4: "|| echo" prints "Health check failed!" when curl fails and exits 0, and neither fail-if nor warn-if matches that text`}},
		{"several in one script", "", "curl https://x/a\ncurl -fsS https://x/b || true", []string{`4: curl without -f`, `4: the exit status of "curl https://x/a" is lost`, `5: "|| true"`}},
		{"curl -w status printed, not checked", "", `curl -s -o /dev/null -w '%{http_code}' https://x/health`,
			[]string{`4: curl -w prints the HTTP status but exits 0 on an HTTP error such as 500, and nothing here checks what it printed`}},
		{"curl --write-out into a variable nobody tests", "", `code=$(curl -s -o /dev/null --write-out '%{http_code}' https://x/)` + "\n" + `echo "$code"`,
			[]string{`4: curl -w prints the HTTP status`}},
		{"curl -sw cluster", "", `curl -sw '%{http_code}' https://x/`, []string{`4: curl -w prints the HTTP status`}},
		{"lost status of an earlier line", "", "docker compose build\ndocker compose up -d", []string{
			`4: the exit status of "docker compose build" is lost: the command's outcome is that of its last line ("docker compose up -d"), so it shows ok when docker failed: join the lines with &&`}},
		{"two lost lines", "", "df -h  # Disk space\nfree -h  # Memory\ndocker stats --no-stream", []string{`4: the exit status of "df -h" is lost`, `5: the exit status of "free -h" is lost`}},

		// What does not.
		{"curl -f", "", `curl -f https://x/health`, nil},
		{"curl -fsS", "", `curl -fsS "$URL/health"`, nil},
		{"curl -sSf", "", `curl -sSf "$URL/health"`, nil},
		{"curl -sfL", "", `curl -sfL "$URL/health"`, nil},
		{"curl --fail", "", `curl --fail -s "$URL/health"`, nil},
		{"curl --fail-with-body", "", "curl --fail-with-body -sS -X POST https://x/login \\\n  -H 'Content-Type: application/json' \\\n  -d '{}'", nil},
		{"curl -w reads the status", "", `code=$(curl -s -o /dev/null -w '%{http_code}' https://x/); [ "$code" = 200 ]`, nil},
		{"curl -w compared in [ ]", "", `[ "$(curl -s -o /dev/null -w '%{http_code}' https://x/)" = 200 ]`, nil},
		{"curl -w compared in case", "", "code=$(curl -s -o /dev/null -w '%{http_code}' https://x/)\ncase $code in 2*) ;; *) exit 1;; esac", nil},
		{"curl -w piped to grep", "", `curl -s -o /dev/null -w '%{http_code}' https://x/ | grep -qx 200`, nil},
		{"curl -w with fail-if", `{fail-if="^[45]"}`, `curl -s -o /dev/null -w '%{http_code}' https://x/`, nil},
		{"curl -fw", "", `curl -fsS -o /dev/null -w '%{http_code}' https://x/`, nil},
		{"curl piped to grep", "", `curl -s https://x/health | grep -q '"status":"ok"'`, nil},
		{"curl piped to jq -e", "", `curl -s https://x/health | jq -e '.status == "ok"'`, nil},
		{"curl with fail-if", `{fail-if="error|unauthorized"}`, `curl -sS https://x/api`, nil},
		{"or echo then exit 1", "", `curl -fsS "$URL/health" || { echo "Health check failed!"; exit 1; }`, nil},
		{"or exit", "", "cd /srv/planner || exit", nil},
		{"or a fallback that decides", "", "docker compose version || docker-compose version", nil},
		{"or false", "", "grep -q x f || false", nil},
		{"echo text matched by fail-if", `{fail-if="failed!$"}`, `curl -fsS https://x/ || echo "Health check failed!"`, nil},
		{"or true with warn-if", `{warn-if="WARN"}`, "check-things || true", nil},
		{"value fallback in a substitution", "", `V=$(cat VERSION 2>/dev/null || echo unknown)` + "\n" + `docker build -t "app:$V" .`, nil},
		{"grep pipeline under pipefail", "", "docker images | grep planner", nil},
		{"tail pipeline under pipefail", "", "docker compose logs app | tail -100", nil},
		{"diff with ok-exit", `{ok-exit="1"}`, "diff .env .env.example", nil},
		{"diff with warn-exit", `{warn-exit="1"}`, "diff .env .env.example", nil},
		{"test as the condition", "", `if [ -f .env ]; then echo present; fi`, nil},
		{"if with an else that fails", "", "if pg_isready; then echo up; else echo down >&2; exit 1; fi", nil},
		{"trailing echo after an assignment", "", "TS=$(date +%s)\necho $TS", nil},
		{"trailing echo after a loop", "", "echo first; while [ ! -e x ]; do sleep 1; done; echo second", nil},
		{"echo alone", "", `echo "nothing to check"`, nil},
		{"set -e", "", "set -euo pipefail\nmake deploy", nil},
		{"set -e then several lines", "", "set -e\ndocker compose build\ndocker compose up -d", nil},
		{"lines joined with &&", "", "df -h &&  # Disk space\nfree -h &&  # Memory\ndocker stats --no-stream", nil},
		{"cd and export before", "", "cd /srv/planner\nexport X=1\nmake check", nil},
		{"a background line", "", "tail -f log &\nmake check", nil},
		{"exit 1", "", "test -s dump.sql || exit 1", nil},
		{"op commands", "", "planner-tui op env-check", nil},
		{"curl -f in a compose run", "", "docker compose run --rm -T -e X=1 app curl -fsS http://localhost:8000/health", nil},
		{"compose ps", "", "docker compose ps\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf("## S\n\n```bash %s\n%s\n```\n", tt.attrs, tt.script)
			if tt.attrs == "" {
				src = fmt.Sprintf("## S\n\n```bash\n%s\n```\n", tt.script)
			}
			var got []string
			for _, p := range Lint("r.md", []byte(src)) {
				if p.Severity == Error {
					t.Fatalf("lint error: %s", p)
				}
				if strings.Contains(p.Message, "no earlier command and no front matter variable") {
					continue // $URL: another warning
				}
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				line, text, _ := strings.Cut(w, ": ")
				prefix := "r.md:" + line + ": warning: command "
				if !strings.HasPrefix(got[i], prefix) || !strings.Contains(got[i], text) {
					t.Errorf("warning %d:\n got %s\nwant %s...%s", i, got[i], prefix, text)
				}
			}
		})
	}
}

// Every swallowing warning says how to fix it.
func TestLintSwallowSaysTheFix(t *testing.T) {
	src := "## S\n\n```bash\ncurl https://x/\n```\n\n```bash\nmake || true\n```\n\n```bash\nset +e\nmake\n```\n\n```bash\nlogs | grep error || echo none\n```\n"
	probs := Lint("r.md", []byte(src))
	if len(probs) != 4 {
		t.Fatalf("want 4 warnings, got %q", problemStrings(probs))
	}
	for _, p := range probs {
		if !strings.Contains(p.Message, ": ") || !slices.ContainsFunc([]string{"add -f", "drop", "remove", "logs-scan"}, func(s string) bool { return strings.Contains(p.Message, s) }) {
			t.Errorf("%s: does not say how to fix it", p)
		}
	}
}

// The user's original runbook has no problem but the failure-swallowing
// the issue names; lint finds each at its line.
func TestLintSwallowOriginal(t *testing.T) {
	src, err := os.ReadFile("testdata/original-runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range Lint("o.md", src) {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Severity))
	}
	want := []string{"38 warning", "39 warning", "242 warning", "265 warning", "335 warning", "347 warning", "350 warning", "372 warning", "377 warning"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
