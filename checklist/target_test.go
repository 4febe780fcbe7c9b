package checklist

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestTargetFromVars(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want Target
		err  bool
	}{
		{"runbook defaults", map[string]string{
			"PLANNER_DIR": "/srv/planner", "COMPOSE_FILES": "docker-compose.yml:docker-compose.prod.yml",
			"DB_USER": "planner_admin", "DB_NAME": "planner_production", "DB_PORT": "15432",
			"BACKUP_DIR": "/var/backups/planner", "BASE_URL": "http://127.0.0.1:18000", "HOST": "prod1",
		}, Target{Dir: "/srv/planner", ComposeFiles: []string{"docker-compose.yml", "docker-compose.prod.yml"},
			Project: "planner", AppService: "app", DBService: "db", DBUser: "planner_admin", DBName: "planner_production",
			DBHost: "127.0.0.1", DBPort: 15432, BackupDir: "/var/backups/planner", BaseURL: "http://127.0.0.1:18000", Host: "prod1"}, false},
		{"project named as compose names it", map[string]string{"PLANNER_DIR": "/srv/My Planner.App/"},
			Target{Dir: "/srv/My Planner.App", ComposeFiles: []string{"docker-compose.yml"}, Project: "myplannerapp",
				AppService: "app", DBService: "db", DBUser: "postgres", DBName: "postgres", DBHost: "127.0.0.1", DBPort: 5432}, false},
		{"leading - and _ trimmed as compose v2 does", map[string]string{"PLANNER_DIR": "/srv/_-Stack 2"},
			Target{Dir: "/srv/_-Stack 2", ComposeFiles: []string{"docker-compose.yml"}, Project: "stack2",
				AppService: "app", DBService: "db", DBUser: "postgres", DBName: "postgres", DBHost: "127.0.0.1", DBPort: 5432}, false},
		{"explicit project wins", map[string]string{"PLANNER_DIR": "/srv/planner", "COMPOSE_PROJECT_NAME": "prod"},
			Target{Dir: "/srv/planner", ComposeFiles: []string{"docker-compose.yml"}, Project: "prod",
				AppService: "app", DBService: "db", DBUser: "postgres", DBName: "postgres", DBHost: "127.0.0.1", DBPort: 5432}, false},
		{"bad port", map[string]string{"PLANNER_DIR": "/srv/planner", "DB_PORT": "54x2"}, Target{}, true},
		{"port out of range", map[string]string{"PLANNER_DIR": "/srv/planner", "DB_PORT": "70000"}, Target{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TargetFromVars(tt.vars)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error: %v", err, tt.err)
			}
			got.Vars = nil // carried as given
			if !tt.err && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Without PLANNER_DIR the stack is the working directory's: the project
// is what compose run there would call it, and the phrase of
// `docker-compose down` is that name, as its text says.
func TestTargetWithoutPlannerDirIsTheWorkingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My_Stack.v2")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	tg := TargetOf(map[string]string{"HOST": "prod1"})
	if tg.Dir != dir || tg.Project != "my_stackv2" {
		t.Fatalf("TargetOf without PLANNER_DIR in %s: Dir %q, Project %q; want the directory and my_stackv2", dir, tg.Dir, tg.Project)
	}
	cl := Classify("docker-compose down", tg)
	if cl.Confirm != "my_stackv2" || !strings.Contains(cl.Destroys, "compose project my_stackv2") {
		t.Errorf("down in %s: confirm %q, destroys %q; want the project name in both", dir, cl.Confirm, cl.Destroys)
	}
	if got := TargetOf(map[string]string{"COMPOSE_PROJECT_NAME": "prod"}).Project; got != "prod" {
		t.Errorf("COMPOSE_PROJECT_NAME=prod: project %q", got)
	}
}
