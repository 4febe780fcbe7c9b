package session

import (
	"path/filepath"
	"strings"

	"planner-tui/ops/envfile"
)

// composeProjectFromEnvFile takes COMPOSE_PROJECT_NAME from the stack's .env
// when neither the runbook, the environment nor --set gave one: compose
// reads it there too, so the phrase names the project compose will act on.
func composeProjectFromEnvFile(vars map[string]string) {
	if strings.TrimSpace(vars["COMPOSE_PROJECT_NAME"]) != "" {
		return
	}
	dir := vars["PLANNER_DIR"]
	if dir == "" {
		dir = "." // commands run in the working directory
	}
	f, err := envfile.Load(filepath.Join(dir, ".env"))
	if err != nil {
		return // no .env, or one that loadSecrets reports
	}
	if p := strings.TrimSpace(f.Map()["COMPOSE_PROJECT_NAME"]); p != "" {
		vars["COMPOSE_PROJECT_NAME"] = p
	}
}
