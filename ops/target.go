package ops

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Target is where the planner stack lives and how to reach it. It is derived
// from the runbook's effective variables (front matter, then environment,
// then --set and --dir) by TargetFromVars.
type Target struct {
	Dir          string   // PLANNER_DIR: the compose project directory
	ComposeFiles []string // COMPOSE_FILES, ":"-separated; relative to Dir
	Project      string   // COMPOSE_PROJECT_NAME, else Dir's base name as compose derives it
	AppService   string   // APP_SERVICE, default "app"
	DBService    string   // DB_SERVICE, default "db"
	DBUser       string   // DB_USER
	DBName       string   // DB_NAME
	DBHost       string   // DB_HOST, default 127.0.0.1 (for pgx from the host)
	DBPort       int      // DB_PORT, default 5432
	BackupDir    string   // BACKUP_DIR
	BaseURL      string   // BASE_URL
}

var nonProjectChars = regexp.MustCompile(`[^-_a-z0-9]`)

// ComposeProjectName derives a compose project name from a directory the way
// docker compose does: the base name, lower-cased, with characters outside
// [-_a-z0-9] removed.
func ComposeProjectName(dir string) string {
	return nonProjectChars.ReplaceAllString(strings.ToLower(filepath.Base(filepath.Clean(dir))), "")
}

// TargetFromVars builds a Target from the effective runbook variables.
func TargetFromVars(vars map[string]string) (Target, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(vars[k]); v != "" {
			return v
		}
		return def
	}
	t := Target{
		Dir:        get("PLANNER_DIR", "."),
		AppService: get("APP_SERVICE", "app"),
		DBService:  get("DB_SERVICE", "db"),
		DBUser:     get("DB_USER", "postgres"),
		DBName:     get("DB_NAME", "postgres"),
		DBHost:     get("DB_HOST", "127.0.0.1"),
		BackupDir:  get("BACKUP_DIR", ""),
		BaseURL:    get("BASE_URL", ""),
	}
	abs, err := filepath.Abs(t.Dir)
	if err != nil {
		return Target{}, fmt.Errorf("planner dir %q: %w", t.Dir, err)
	}
	t.Dir = abs
	for _, f := range strings.Split(get("COMPOSE_FILES", "docker-compose.yml"), ":") {
		if f = strings.TrimSpace(f); f != "" {
			t.ComposeFiles = append(t.ComposeFiles, f)
		}
	}
	t.Project = get("COMPOSE_PROJECT_NAME", ComposeProjectName(t.Dir))
	port, err := strconv.Atoi(get("DB_PORT", "5432"))
	if err != nil || port <= 0 || port > 65535 {
		return Target{}, fmt.Errorf("DB_PORT %q: not a TCP port", vars["DB_PORT"])
	}
	t.DBPort = port
	return t, nil
}
