package ui

import (
	"planner-tui/checklist"
	"planner-tui/ops/session"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWrapCommand(t *testing.T) {
	tests := []struct {
		name  string
		cmd   string
		width int
		want  []string
	}{
		{"fits", "echo hello", 20, []string{"echo hello"}},
		{"breaks between tokens", "docker compose exec db pg_dump -U planner", 20,
			[]string{"docker compose exec", "db pg_dump -U", "planner"}},
		{"single quotes keep a token", "psql -c 'select count(*) from users' -t", 20,
			[]string{"psql -c", "'select count(*) from users'"[:20], "'select count(*) from users'"[20:] + " -t"}},
		{"double quotes keep a token", `echo "a b c" done`, 11, []string{`echo`, `"a b c"`, `done`}},
		{"escaped blank is part of the token", `ls my\ file x`, 10, []string{`ls`, `my\ file x`}},
		{"a path longer than the width is the only thing broken", "cat /var/lib/planner/backups/2026/dump.sql", 16,
			[]string{"cat", "/var/lib/planner", "/backups/2026/du", "mp.sql"}},
		{"blank runs collapse", "a    b", 10, []string{"a b"}},
		{"empty", "", 10, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapCommand(tt.cmd, tt.width)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("wrapCommand(%q, %d) = %q, want %q", tt.cmd, tt.width, got, tt.want)
			}
			for _, r := range got {
				if w := ansi.StringWidth(r); w > tt.width {
					t.Errorf("row %q is %d cells, over %d", r, w, tt.width)
				}
				if strings.Contains(r, "…") {
					t.Errorf("row %q is cut", r)
				}
			}
		})
	}
}

func TestScriptRowsShowTheWholeCommand(t *testing.T) {
	script := "docker compose -f /var/tmp/planner-sandbox/docker-compose.yml exec -T db pg_dump -U planner -d planner_production --format=custom --file=/backups/planner_${BACKUP_TIMESTAMP}.dump\n  | tee /tmp/out.log"
	for _, w := range []int{30, 50, 72, 116} {
		rows := scriptRows(script, w)
		if !strings.HasPrefix(rows[0], "$ docker") {
			t.Errorf("width %d: first row %q", w, rows[0])
		}
		// a token wider than the row is broken: compare without blanks
		var toks []string
		for _, r := range rows {
			if ansi.StringWidth(r) > w {
				t.Errorf("width %d: row %q too wide", w, r)
			}
			toks = append(toks, strings.Fields(strings.TrimPrefix(r, "$"))...)
		}
		if got, want := strings.Join(toks, ""), strings.Join(strings.Fields(script), ""); got != want {
			t.Errorf("width %d: rows say\n%s\nwant\n%s", w, got, want)
		}
	}
}

func TestCommandVars(t *testing.T) {
	script := `BACKUP_TIMESTAMP=$(date +%s); pg_dump > "${BACKUP_DIR}/pre-${BACKUP_TIMESTAMP}.sql" && echo $RELEASE ${PLANNER_DIR} ${X:-d} $1 $i`
	got := commandVars(script, map[string]string{"BACKUP_DIR": "/var/backups/planner"}, map[string]string{"PLANNER_DIR": "/srv/planner"})
	want := []varRef{
		{Name: "BACKUP_DIR", Value: "/var/backups/planner", From: "run"},
		{Name: "BACKUP_TIMESTAMP", From: "here"},
		{Name: "RELEASE"},
		{Name: "PLANNER_DIR", Value: "/srv/planner", From: "runbook"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("commandVars = %+v\nwant %+v", got, want)
	}
	for _, tt := range []struct {
		r    varRef
		want string
	}{
		{want[0], "${BACKUP_DIR} = /var/backups/planner  (set earlier in this run)"},
		{want[1], "${BACKUP_TIMESTAMP} is set by this command"},
		{want[2], "${RELEASE} unfilled: not set in this run yet (empty unless the shell sets it)"},
	} {
		if got := varLine(tt.r); got != tt.want {
			t.Errorf("varLine(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
}

// At 120×40 a destructive command's dialog shows the command, the risk
// text and the phrase whole: nothing is cut with "…".
func TestPhraseDialogShowsEverythingWhole(t *testing.T) {
	m := newModel(newTestEngine(t), Options{NoColor: true})
	m.Update(resize(120, 40))
	long := "docker compose -f /var/tmp/planner-sandbox/docker-compose.yml exec -T db pg_restore --clean --if-exists -U planner_admin -d planner_production \"${BACKUP_DIR}/pre-deploy-${BACKUP_TIMESTAMP}.dump\""
	m.c.run.Vars = map[string]string{"BACKUP_TIMESTAMP": "20261202-103000"}
	plan := &session.Plan{
		Command:  &checklist.Command{Title: "Restore the database"},
		Display:  long,
		Risk:     checklist.Destructive,
		Confirm:  "restore-planner_production-from-pre-deploy-20261202-103000-backup-file",
		Destroys: "every row written to planner_production since the backup at /var/backups/planner/pre-deploy-20261202-103000.dump was taken, including the sessions table",
	}
	pd := newPhraseDialog(plan, nil)
	pd.bind(m.c)
	v := ansi.Strip(pd.View())
	if strings.Contains(v, "…") {
		t.Errorf("the dialog cuts something:\n%s", v)
	}
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ", "$ ", " ").Replace(v)), "")
	for _, want := range []string{long, plan.Confirm, plan.Destroys, "${BACKUP_TIMESTAMP} = 20261202-103000", "${BACKUP_DIR} unfilled"} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the dialog does not show %q whole:\n%s", want, v)
		}
	}
	// a token is never split across rows: pg_restore, --if-exists stay whole
	for _, tok := range []string{"pg_restore", "--if-exists", "planner_production"} {
		if !strings.Contains(v, tok) {
			t.Errorf("%q is split:\n%s", tok, v)
		}
	}
}
