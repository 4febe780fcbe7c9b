package checklist

import (
	"strings"
	"testing"
)

// holeCase is a script, the target it is judged for, and what the
// operator must be told: the risk, the phrase, and text the reason and
// "destroys" must hold or must not hold.
type holeCase struct {
	name     string
	script   string
	t        Target
	risk     Risk
	confirm  string
	reason   string // substring
	destroys string // substring
	not      string // must appear in neither the reason nor destroys
}

func checkHoles(t *testing.T, tests []holeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := tt.t
			if tg.Vars == nil && tg.Project == "" {
				tg = prodTarget
			}
			got := Classify(tt.script, tg)
			if got.Risk != tt.risk || got.Confirm != tt.confirm || !strings.Contains(got.Reason, tt.reason) || !strings.Contains(got.Destroys, tt.destroys) {
				t.Errorf("Classify(%q) = %s confirm %q\nreason %q\ndestroys %q\nwant %s confirm %q reason ~%q destroys ~%q",
					tt.script, got.Risk, got.Confirm, got.Reason, got.Destroys, tt.risk, tt.confirm, tt.reason, tt.destroys)
			}
			if tt.not != "" && (strings.Contains(got.Reason, tt.not) || strings.Contains(got.Destroys, tt.not) || got.Confirm == tt.not) {
				t.Errorf("Classify(%q) names %q: confirm %q reason %q destroys %q", tt.script, tt.not, got.Confirm, got.Reason, got.Destroys)
			}
			if got.Risk == Destructive && got.Confirm == "" {
				t.Errorf("Classify(%q): destructive without a phrase", tt.script)
			}
		})
	}
}

// 1. A variable a step of this run set is not the runbook's value.
func TestClassifyStepSetVariables(t *testing.T) {
	vars := map[string]string{"TOOL": "ls", "ACTION": "ps", "SCRATCH": "/srv/scratch", "DB_NAME": "planner_production"}
	plain := TargetOf(vars)
	plain.Project, plain.Host = "planner", "prod1"
	stepSet := plain.WithStepSet(map[string]bool{"TOOL": true, "ACTION": true, "SCRATCH": true, "DB_NAME": true})
	projSet := plain.WithStepSet(map[string]bool{"COMPOSE_PROJECT_NAME": true})
	checkHoles(t, []holeCase{
		{"runbook value without steps", "$TOOL -rf /x", plain, Safe, "", "ls", "", ""},
		{"command name set by a step", "$TOOL -rf /x", stepSet, Destructive, "planner", "$TOOL decides what runs and is set by an earlier step", "unknown", "ls"},
		{"subcommand set by a step", "docker-compose $ACTION", stepSet, Destructive, "planner", "$ACTION decides", "unknown", "ps"},
		{"path set by a step", `rm -rf "$SCRATCH/old"`, stepSet, Destructive, "unknown-target", "rm deletes", "unknown", "/srv/scratch"},
		{"database set by a step", "dropdb planner_staging", stepSet, Destructive, "planner_staging", "", "planner_staging", ""},
		{"downgrade on a database set by a step", "alembic downgrade -1", stepSet, Destructive, "downgrade", "", "", "planner_production"},
		{"the script's own value wins", "TOOL=ls; $TOOL /x", stepSet, Safe, "", "ls", "", ""},
		{"a compose variable set by a step", "$COMPOSE ps", plain.WithStepSet(map[string]bool{"COMPOSE": true}), Destructive, "planner", "$COMPOSE decides", "", ""},
		{"project set by a step", "docker compose down", projSet, Destructive, "unknown-project", "", "COMPOSE_PROJECT_NAME", "project planner"},
	})
}

// The session passes the names the runbook's steps set.
func TestRunbookStepSet(t *testing.T) {
	rb, _, err := Parse("x.md", []byte("---\nvars:\n  TOOL: ls\n---\n# T\n## S\n### A\n```sh\nTOOL=rm\n```\n### B\n```sh\nexport TOOL\nf() { local DB=x; }\n$TOOL -rf /x\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	set := rb.StepSet()
	if !set["TOOL"] || len(set) != 1 {
		t.Fatalf("StepSet = %v, want TOOL", set)
	}
	// list and lint judge the runbook so too.
	if cmds := rb.Commands(); len(cmds) != 2 || cmds[1].Risk != Destructive || strings.Contains(cmds[1].Destroys, "ls") {
		t.Errorf("after Parse, $TOOL -rf /x is %v", cmds[len(cmds)-1])
	}
	tg := TargetOf(map[string]string{"TOOL": "ls"}).WithStepSet(set)
	if cl := Judge("$TOOL -rf /x", nil, tg); cl.Risk != Destructive || strings.Contains(cl.Destroys, "ls") {
		t.Errorf("$TOOL after a step set it: %s %q %q", cl.Risk, cl.Reason, cl.Destroys)
	}
}

// 2. Scripts in strings are judged as bash -c's are.
func TestClassifyStringScripts(t *testing.T) {
	checkHoles(t, []holeCase{
		{"trap EXIT", "trap 'docker compose down' EXIT\necho hi", Target{}, Destructive, "planner", "compose down", "", ""},
		{"trap reads", "trap 'echo bye' EXIT", Target{}, Safe, "", "echo", "", ""},
		{"trap reset", "trap - EXIT", Target{}, Safe, "", "trap", "", ""},
		{"eval", "eval 'rm -rf /srv/old'", Target{}, Destructive, "/srv/old", "rm deletes", "", ""},
		{"eval words", "eval docker compose down -v", Target{}, Destructive, "planner", "volumes", "", ""},
		{"su -c", "su -c 'systemctl stop docker' root", Target{}, Destructive, "docker", "systemctl stop", "", ""},
		{"su -c reads", "su postgres -c 'psql -c \"SELECT 1\"'", Target{}, Safe, "", "psql", "", ""},
		{"sudo", "sudo -u postgres dropdb planner_staging", Target{}, Destructive, "planner_staging", "dropdb", "", ""},
		{"sudo -s", "sudo -s", Target{}, Change, "", "root shell", "", ""},
		{"env", "env -i PATH=/bin rm -rf /srv/x", Target{}, Destructive, "/srv/x", "", "", ""},
		{"env -S", "env -S 'docker compose down'", Target{}, Destructive, "planner", "compose down", "", ""},
		{"nohup", "nohup docker system prune -af &", Target{}, Destructive, "prod1", "prune", "", ""},
		{"timeout with options", "timeout -s KILL 10 docker compose down", Target{}, Destructive, "planner", "compose down", "", ""},
		{"setsid", "setsid docker compose down", Target{}, Destructive, "planner", "compose down", "", ""},
		{"doas", "doas -u root rm -rf /srv/y", Target{}, Destructive, "/srv/y", "rm deletes", "", ""},
		{"flock cmd", "flock /tmp/l docker compose down -v", Target{}, Destructive, "planner", "volumes", "", ""},
		{"flock -c", "flock /tmp/l -c 'docker system prune -af'", Target{}, Destructive, "prod1", "prune", "", ""},
		{"runuser -c", "runuser -l postgres -c 'dropdb planner_staging'", Target{}, Destructive, "planner_staging", "dropdb", "", ""},
		{"ssh down", "ssh prod2 'docker compose down'", Target{}, Destructive, "prod2", "remote", "on prod2", ""},
		{"ssh user@host", "ssh -p 2222 deploy@prod2 rm -rf /srv/app", Target{}, Destructive, "prod2", "ssh runs a remote command", "on deploy@prod2", ""},
		{"ssh change is undecided", "ssh prod2 'docker compose up -d'", Target{}, Destructive, "prod2", "remote", "unknown", ""},
		{"ssh reads", "ssh prod2 'df -h; docker ps'", Target{}, Safe, "", "on prod2 over ssh", "", ""},
		{"ssh session", "ssh prod2", Target{}, Change, "", "session", "", ""},
	})
}

// 3. python -c is safe only when it clearly reads.
func TestClassifyPython(t *testing.T) {
	py := func(code string) string { return "docker compose exec -T app python -c \"" + code + "\"" }
	checkHoles(t, []holeCase{
		{"settings", py("from app.core.config import settings; print(settings.VERSION)"), Target{}, Safe, "", "read-only", "", ""},
		{"session", py("from app.db.session import SessionLocal; db = SessionLocal(); print('DB Connected')"), Target{}, Safe, "", "read-only", "", ""},
		{"os.system", py("import os; os.system('rm -rf /data')"), Target{}, Destructive, "planner", "os.system", "unknown", ""},
		{"subprocess", "python3 -c 'import subprocess; subprocess.run([\"docker\",\"compose\",\"down\"])'", Target{}, Destructive, "planner", "subprocess", "", ""},
		{"rmtree", "python3 -c 'import shutil; shutil.rmtree(\"/srv/x\")'", Target{}, Destructive, "planner", "shutil.rmtree", "", ""},
		{"os.remove", "python -c 'import os; os.remove(\".env\")'", Target{}, Destructive, "planner", "os.remove", "", ""},
		{"os.unlink", "python -c 'import os; os.unlink(\"x\")'", Target{}, Destructive, "planner", "os.unlink", "", ""},
		{"drop_all", py("from app.db import Base, engine; Base.metadata.drop_all(engine)"), Target{}, Destructive, "planner", "drop_all", "", ""},
		{"DROP", py("from app.db import engine; engine.connect().exec_driver_sql('DROP TABLE users')"), Target{}, Destructive, "planner_production", "deletes data", "", ""},
		{"TRUNCATE", "python -c \"import db; db.run('TRUNCATE audit')\"", Target{}, Destructive, "planner_production", "", "", ""},
		{"DELETE FROM", "python -c \"import db; db.run('DELETE FROM users')\"", Target{}, Destructive, "planner_production", "", "", ""},
		{"unknown call", "python3 -c 'import app; app.reset_everything()'", Target{}, Change, "", "app.reset_everything", "", ""},
		{"write", "python3 -c 'open(\"x\", \"w\").write(\"y\")'", Target{}, Change, "", "may write", "", ""},
	})
}

// 4. xargs appends arguments not known here.
func TestClassifyXargs(t *testing.T) {
	checkHoles(t, []holeCase{
		{"printf into compose", "printf down | xargs docker compose", Target{}, Destructive, "planner", "xargs passes arguments", "compose project planner", ""},
		{"docker-compose -f", "echo down | xargs docker-compose -f a.yml", Target{}, Destructive, "planner", "", "compose project planner", ""},
		{"rm from a list", "xargs rm < list", Target{}, Destructive, "unknown-target", "to rm", "files named on the input", ""},
		{"arg file", "xargs -a f docker compose", Target{}, Destructive, "planner", "", "compose project planner", ""},
		{"git", "echo x | xargs git", Target{}, Destructive, "planner", "to git", "unknown", ""},
		{"psql", "xargs -a q psql -d scratch -c", Target{}, Destructive, "scratch", "", "database scratch", ""},
		{"grep only reads", "ls | xargs grep -l TODO", Target{}, Safe, "", "grep", "", ""},
	})
}

// 5. "$@" and function arguments are judged at the call, else undecided.
func TestClassifyFunctionArguments(t *testing.T) {
	checkHoles(t, []holeCase{
		{"wrapper called with down", "f() { docker compose \"$@\"; }; f down", Target{}, Destructive, "planner", "compose down", "", ""},
		{"wrapper called with ps", "f() { docker compose \"$@\"; }; f ps", Target{}, Safe, "", "compose ps", "", ""},
		{"$1 as subcommand", "dc() { docker-compose -f a.yml $1; }\ndc down", Target{}, Destructive, "planner", "compose down", "", ""},
		{"two calls", "f() { docker compose \"$@\"; }\nf ps\nf stop", Target{}, Destructive, "planner", "whole stack", "", ""},
		{"nested wrappers", "f() { g \"$@\"; }\ng() { docker compose \"$@\"; }\nf down", Target{}, Destructive, "planner", "compose down", "", ""},
		{"recursion", "f() { f \"$@\"; }\nf down", Target{}, Destructive, "planner", "nest too deep", "", ""},
		{"shift", "f() { shift; docker compose \"$@\"; }\nf x down", Target{}, Destructive, "planner", "shifts its arguments", "", ""},
		{"set --", "set -- down; docker compose \"$@\"", Target{}, Destructive, "planner", "$@", "unknown", ""},
		{"$* at top level", "docker compose $*", Target{}, Destructive, "planner", "$*", "", ""},
		{"$1 at top level", "$1 -rf /x", Target{}, Destructive, "planner", "$1", "", ""},
		{"a fake tool is judged as the tool", "alembic() { echo \"fake alembic $*\"; }\nalembic downgrade -1", Target{}, Destructive, "planner_production", "downgrade", "", ""},
		{"command skips the function", "docker() { command docker \"$@\"; }\ndocker compose down", Target{}, Destructive, "planner", "compose down", "", "nest too deep"},
		{"in a container the tool is the real one", "alembic() { docker-compose exec -T app alembic \"$@\"; }\nalembic downgrade -1", Target{}, Destructive, "planner_production", "downgrade", "", ""},
	})
}

// 6. SQL from a variable, up -V, password changes, perl -i on .env.
func TestClassifyMoreDestructive(t *testing.T) {
	checkHoles(t, []holeCase{
		{"SQL from a variable", `psql -c "$STEP_SQL"`, Target{}, Destructive, "planner_production", "SQL from $STEP_SQL", "unknown", ""},
		{"SQL with a runbook variable", `psql -c "SELECT * FROM x WHERE d = '$DB_NAME'"`, Target{}, Safe, "", "psql", "", ""},
		{"loop over literal tables", "for t in a b; do psql -c \"SELECT count(*) FROM $t\"; done", Target{}, Safe, "", "psql", "", ""},
		{"loop over a drop", "for t in a b; do psql -c \"DROP TABLE $t\"; done", Target{}, Destructive, "planner_production", "deletes data", "", ""},
		{"up -V", "docker compose up -d -V", Target{}, Destructive, "planner", "-V", "anonymous volumes", ""},
		{"up --renew-anon-volumes", "docker-compose up --renew-anon-volumes app", Target{}, Destructive, "planner", "", "anonymous volumes", ""},
		{"up", "docker compose up -d", Target{}, Change, "", "", "", ""},
		{"alter user password", `psql -c "ALTER USER planner WITH PASSWORD 'x'"`, Target{}, Destructive, "planner_production", "password", "password", ""},
		{"alter role password", "psql -d app <<'SQL'\nALTER ROLE app PASSWORD 'y';\nSQL", Target{}, Destructive, "app", "secret rotation", "", ""},
		{"perl -pi on .env secret", `perl -pi -e 's/^SECRET_KEY=.*/SECRET_KEY=x/' .env`, Target{}, Destructive, "planner", "secret rotation", ".env", ""},
		{"perl -i.bak -pe", `perl -i.bak -pe 's/^DB_PASSWORD=.*/DB_PASSWORD=x/' /srv/planner/.env`, Target{}, Destructive, "planner", "secret", "", ""},
		{"gawk -i inplace on .env secret", `gawk -i inplace '/^API_KEY=/{$0="API_KEY=x"}1' .env`, Target{}, Destructive, "planner", "secret rotation", "", ""},
		{"perl -pi on .env setting", `perl -pi -e 's/DEBUG=true/DEBUG=false/' .env`, Target{}, Change, "", "in place", "", ""},
	})
}

// 7. Phrases name the clean target, or say it is unknown.
func TestClassifyCleanTargets(t *testing.T) {
	checkHoles(t, []holeCase{
		{"dot-dot", "rm -rf /var/backups/planner/../../../etc", Target{}, Destructive, "/etc", "rm deletes /etc", "/etc", "../"},
		{"dot-dot glob", "rm -f /var/backups/planner/../x/*.sql", Target{}, Destructive, "/var/backups/x", "", "", ""},
		{"unknown variable", `rm -rf "$NOPE/old"`, Target{}, Destructive, "unknown-target", "", "is not known before it runs", ""},
		{"dot-dot after a variable", `rm -rf "$BACKUP_DIR/$X/../../etc"`, Target{}, Destructive, "unknown-target", "", "unknown", ""},
		{"truncate dot-dot", "truncate -s 0 /var/log/planner/../app.log", Target{}, Destructive, "/var/log/app.log", "", "/var/log/app.log", "../"},
		{"dd dot-dot", "dd if=/dev/zero of=/srv/x/../y", Target{}, Destructive, "/srv/y", "", "/srv/y", "../"},
		{"find -exec with a function in bash -c", `find /srv/x -exec bash -c 'f() { rm -rf "$@"; }; f "$0"' {} \;`, Target{}, Destructive, "/srv/x", "find -exec", "", ""},
		{"find under an unknown dir", `find "$NOPE" -delete`, Target{}, Destructive, "unknown-target", "", "", ""},
	})
}

// 8. The compose project is the one compose would use.
func TestClassifyComposeProject(t *testing.T) {
	dirTarget := TargetOf(map[string]string{"PLANNER_DIR": "/srv/planner", "HOST": "prod1"})
	checkHoles(t, []holeCase{
		{"cd elsewhere", "cd /opt/other && docker-compose down", dirTarget, Destructive, "unknown-project", "", "not known here", "project planner"},
		{"cd to an unknown dir", `cd "$WHERE" && docker compose stop`, dirTarget, Destructive, "unknown-project", "", "not known", "project planner"},
		{"cd back to the stack", "cd /tmp && cd /srv/planner && docker compose down", dirTarget, Destructive, "planner", "", "project planner", ""},
		{"cd to the stack", `cd "$PLANNER_DIR"; docker compose down`, dirTarget, Destructive, "planner", "", "project planner", ""},
		{"cd in a container", "docker compose exec app sh -c 'cd /tmp'; docker compose down", dirTarget, Destructive, "planner", "", "project planner", ""},
		{"--project-directory", "docker compose --project-directory /opt/other down", dirTarget, Destructive, "other", "", "project other", "project planner"},
		{"absolute -f", "docker compose -f /opt/other/docker-compose.yml down", dirTarget, Destructive, "other", "", "project other", "project planner"},
		{"relative -f", "docker compose -f docker-compose.prod.yml down", dirTarget, Destructive, "planner", "", "project planner", ""},
		{"inline project", "COMPOSE_PROJECT_NAME=other docker compose down", dirTarget, Destructive, "other", "", "project other", "project planner"},
		{"env project", "env COMPOSE_PROJECT_NAME=other docker-compose down", dirTarget, Destructive, "other", "", "project other", "project planner"},
		{"-p wins", "COMPOSE_PROJECT_NAME=x docker compose -p other down", dirTarget, Destructive, "other", "", "project other", ""},
		{"-p after the subcommand is not the project", "docker compose run -p 8080:80 app true", dirTarget, Change, "", "", "", ""},
	})
	explicit := TargetOf(map[string]string{"PLANNER_DIR": "/srv/planner", "COMPOSE_PROJECT_NAME": "prod"})
	checkHoles(t, []holeCase{
		{"exported project beats a directory", "docker compose --project-directory /opt/other down", explicit, Destructive, "prod", "", "project prod", ""},
		{"exported project after a cd", "cd /opt/other && docker compose down", explicit, Destructive, "prod", "", "project prod", ""},
	})
}
