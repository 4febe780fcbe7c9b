package doctor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"planner-tui/ops"
	"planner-tui/ops/envfile"
	"planner-tui/ops/mask"
)

// PlannerDir checks that the planner dir exists and holds every compose
// file the target names, each a YAML file with services.
func PlannerDir(t ops.Target) Check {
	const name = "planner dir"
	st, err := os.Stat(t.Dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(name, t.Dir+" does not exist", "set PLANNER_DIR (or --dir) to the directory holding docker-compose.yml")
	case err != nil:
		return fail(name, err.Error(), "set PLANNER_DIR (or --dir) to the directory holding docker-compose.yml")
	case !st.IsDir():
		return fail(name, t.Dir+" is not a directory", "set PLANNER_DIR (or --dir) to the directory holding docker-compose.yml")
	}
	var missing []string
	for _, f := range t.ComposeFiles {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(t.Dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fail(name, fmt.Sprintf("%s: missing %s", t.Dir, strings.Join(missing, ", ")),
			"check out the planner repository there, or fix COMPOSE_FILES")
	}
	services, err := ops.Services(t)
	if err != nil {
		return fail(name, err.Error(), "fix the compose file (docker-compose config shows the problem)")
	}
	detail := fmt.Sprintf("%s: %s (services %s)", t.Dir, strings.Join(t.ComposeFiles, ", "), strings.Join(services, ", "))
	var absent []string
	for _, s := range []string{t.AppService, t.DBService} {
		if s != "" && !slices.Contains(services, s) {
			absent = append(absent, s)
		}
	}
	if len(absent) > 0 {
		return warn(name, detail+"; no service "+strings.Join(absent, ", "), "set APP_SERVICE / DB_SERVICE to the services' names")
	}
	return ok(name, detail)
}

// EnvFile parses the planner dir's .env. Lines it cannot parse fail the
// check, each named with its line number (a problem never quotes a value).
// The file is returned for Secrets (nil when it could not be read).
func EnvFile(path string) (Check, *envfile.File) {
	const name = ".env"
	f, err := envfile.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return warn(name, path+" does not exist: compose gets no settings from it and no secret is known to mask",
			"create it from .env.production.example"), nil
	case err != nil:
		return fail(name, err.Error(), "make it readable by the user who runs planner-tui"), nil
	}
	if n := len(f.Problems); n > 0 {
		var lines []string
		for _, p := range f.Problems {
			lines = append(lines, p.String())
		}
		return fail(name, fmt.Sprintf("%d bad line(s): %s", n, strings.Join(lines, "; ")),
			"fix those lines: KEY=VALUE, quotes closed (planner-tui op env-check lists them)"), f
	}
	return ok(name, fmt.Sprintf("%s: %d variable(s)", path, len(f.Vars))), f
}

// Secrets counts the values planner-tui will mask, as the session's secret
// book gathers them: secret-named runbook variables, then the .env's
// secrets (passwords inside URLs, and guesses on bad lines, included).
// Values shorter than mask.MinLen are not masked: their keys are named.
// It never returns a value.
func Secrets(vars map[string]string, env *envfile.File) Check {
	const name = "secrets"
	var values, keys, short, shortWords []string
	add := func(key, v string) {
		if v == "" {
			return
		}
		if len(v) < mask.MinLen {
			if key != "" && !slices.Contains(short, key) {
				short = append(short, key)
				// A number (ACCESS_TOKEN_EXPIRE_MINUTES=30) only looks
				// like a secret by its name; a short word may be one.
				if strings.Trim(v, "0123456789") != "" {
					shortWords = append(shortWords, key)
				}
			}
			return
		}
		if !slices.Contains(values, v) {
			values = append(values, v)
		}
		if key != "" && !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	for _, k := range sortedKeys(vars) {
		if envfile.IsSecretKey(k) {
			add(k, vars[k])
		}
	}
	if env != nil {
		for _, v := range env.Vars {
			if envfile.IsSecretKey(v.Key) {
				add(v.Key, v.Value)
			}
		}
		for _, v := range env.Secrets() {
			add("", v) // URL passwords and recovered values
		}
	}
	if len(values) == 0 {
		return warn(name, "no secret values known: nothing will be masked",
			"put the secrets in the planner dir's .env (*_PASSWORD, *_SECRET*, *_KEY, tokens)")
	}
	detail := fmt.Sprintf("%d secret value(s) will be masked", len(values))
	if len(keys) > 0 {
		detail += " (" + strings.Join(keys, ", ") + ")"
	}
	if len(short) > 0 {
		detail += fmt.Sprintf("; too short to mask (under %d characters): %s", mask.MinLen, strings.Join(short, ", "))
	}
	if len(shortWords) > 0 {
		return warn(name, detail, "use longer values for "+strings.Join(shortWords, ", ")+" (a secret that short would be guessed anyway)")
	}
	return ok(name, detail)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
