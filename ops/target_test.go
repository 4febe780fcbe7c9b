package ops

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
			"BACKUP_DIR": "/var/backups/planner", "BASE_URL": "http://127.0.0.1:18000",
		}, Target{Dir: "/srv/planner", ComposeFiles: []string{"docker-compose.yml", "docker-compose.prod.yml"},
			Project: "planner", AppService: "app", DBService: "db", DBUser: "planner_admin", DBName: "planner_production",
			DBHost: "127.0.0.1", DBPort: 15432, BackupDir: "/var/backups/planner", BaseURL: "http://127.0.0.1:18000"}, false},
		{"project named as compose names it", map[string]string{"PLANNER_DIR": "/srv/My Planner.App/"},
			Target{Dir: "/srv/My Planner.App", ComposeFiles: []string{"docker-compose.yml"}, Project: "myplannerapp",
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
			if !tt.err && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestServicesUnionOfComposeFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("docker-compose.yml", "version: '2.4'\nservices:\n  db:\n    image: pg\n  app:\n    build: .\n")
	write("docker-compose.prod.yml", "services:\n  app:\n    restart: always\n  worker:\n    image: w\n")
	tg := Target{Dir: dir, ComposeFiles: []string{"docker-compose.yml", "docker-compose.prod.yml"}}
	got, err := tg.Services()
	if err != nil || !reflect.DeepEqual(got, []string{"app", "db", "worker"}) {
		t.Fatalf("Services() = %v, %v", got, err)
	}
	tg.ComposeFiles = append(tg.ComposeFiles, "missing.yml")
	if _, err := tg.Services(); err == nil || !strings.Contains(err.Error(), "missing.yml") {
		t.Fatalf("missing file: err = %v", err)
	}
}
