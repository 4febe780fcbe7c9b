package checklist

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Target is where the planner stack lives, how to reach it, and what
// destructive commands act on (confirmation phrases are taken from it).
// It is the one place the compose project name is derived; ops uses it as
// ops.Target.
type Target struct {
	Dir          string   // PLANNER_DIR, else the working directory (absolute)
	ComposeFiles []string // COMPOSE_FILES, ":"-separated; relative to Dir
	Project      string   // COMPOSE_PROJECT_NAME, else Dir's base name as compose derives it
	AppService   string   // APP_SERVICE, default "app"
	DBService    string   // DB_SERVICE, default "db"
	DBUser       string   // DB_USER, default "postgres"
	DBName       string   // DB_NAME, default "postgres"
	DBHost       string   // DB_HOST, default 127.0.0.1 (for pgx from the host)
	DBPort       int      // DB_PORT, default 5432
	BackupDir    string   // BACKUP_DIR
	BaseURL      string   // BASE_URL
	Host         string   // HOST: the machine, for phrases of host-wide commands
	// Vars are all the runbook variables: a path such as "$SCRATCH/old" in a
	// deletion becomes a phrase the operator can type ("/srv/scratch/old").
	Vars map[string]string
	// StepSet are variables that steps of this run set themselves: a later
	// step sees the step's value, not the runbook's, so the classifier
	// treats them as unknown (`$TOOL -rf /x` after a step did TOOL=rm is
	// not judged as the runbook's TOOL=ls).
	StepSet map[string]bool
}

// WithStepSet is t with StepSet set to names: the variables steps of the
// run set (see Runbook.StepSet).
func (t Target) WithStepSet(names map[string]bool) Target {
	t.StepSet = names
	return t
}

// StepSet is every variable a command of the runbook assigns. A step's
// assignments reach later steps, so these names are never taken for their
// runbook values when a command is judged. It is the conservative
// superset of what the steps of any one run set.
func (rb *Runbook) StepSet() map[string]bool {
	out := map[string]bool{}
	for _, cmd := range rb.Commands() {
		if f, err := parseShell(cmd.Script); err == nil {
			scriptAssigns(f, func(name string, _ syntax.Pos) { out[name] = true })
		}
	}
	return out
}

// ComposeProjectName derives a compose project name from a directory the way
// docker compose does: the base name, lower-cased, with characters outside
// [-_a-z0-9] removed and (compose v2) leading "-" and "_" trimmed. Compose
// v1 keeps a leading "-" or "_": for such a directory set
// COMPOSE_PROJECT_NAME.
func ComposeProjectName(dir string) string {
	base := strings.ToLower(filepath.Base(filepath.Clean(dir)))
	var b strings.Builder
	for _, r := range base {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return strings.TrimLeft(b.String(), "-_")
}

// TargetFromVars derives the Target from the effective runbook variables
// (front matter, then environment, then --set and --dir). Without
// PLANNER_DIR the stack is the working directory's, as for compose run
// there; the project is COMPOSE_PROJECT_NAME, else derived from that
// directory. A bad DB_PORT is an error; the rest of the Target is filled
// all the same.
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
		Host:       get("HOST", ""),
		Vars:       vars,
	}
	var errs []error
	abs, err := filepath.Abs(t.Dir)
	if err != nil {
		errs = append(errs, fmt.Errorf("planner dir %q: %w", t.Dir, err))
	} else {
		t.Dir = abs
	}
	for _, f := range strings.Split(get("COMPOSE_FILES", "docker-compose.yml"), ":") {
		if f = strings.TrimSpace(f); f != "" {
			t.ComposeFiles = append(t.ComposeFiles, f)
		}
	}
	t.Project = get("COMPOSE_PROJECT_NAME", ComposeProjectName(t.Dir))
	port, err := strconv.Atoi(get("DB_PORT", "5432"))
	if err != nil || port <= 0 || port > 65535 {
		errs = append(errs, fmt.Errorf("DB_PORT %q: not a TCP port", vars["DB_PORT"]))
	} else {
		t.DBPort = port
	}
	if len(errs) > 0 {
		return t, errs[0]
	}
	return t, nil
}

// TargetOf is TargetFromVars for phrases: a bad DB_PORT does not matter to
// them (Open reports it).
func TargetOf(vars map[string]string) Target {
	t, _ := TargetFromVars(vars)
	return t
}
