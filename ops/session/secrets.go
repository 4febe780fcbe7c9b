package session

import (
	"fmt"
	"maps"
	"strings"

	"planner-tui/ops/envfile"
	"planner-tui/ops/mask"
	"planner-tui/ops/runner"
)

// envProblemsWarning turns the bad lines of .env into one line for the
// status bar and the CLI: the first problem, how many more, and that the
// secrets of the other lines are masked all the same.
func envProblemsWarning(problems []envfile.Problem) string {
	if len(problems) == 0 {
		return ""
	}
	w := problems[0].String()
	if n := len(problems) - 1; n > 0 {
		w += fmt.Sprintf(" (and %d more bad line%s: `planner-tui op env-check` lists them)", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	return w + " — secrets on other lines are masked"
}

// setEnvWarning stores w, masked: a problem never quotes a value on
// purpose, but a variable name can be a stray line of a secret.
func (s *Session) setEnvWarning(w string) {
	w = strings.TrimSpace(s.masker.Load().String(w))
	s.envWarning.Store(&w)
}

// secretVarsSpec gives a command the secret variables earlier commands of
// this process set (in memory only: see runner's secretvars.go) and the
// .env's secrets by key, read by the last refreshSecrets.
func (s *Session) secretVarsSpec(spec *runner.Spec) {
	s.secretsMu.Lock()
	defer s.secretsMu.Unlock()
	spec.SecretVars = maps.Clone(s.secretVars)
	spec.EnvSecrets = maps.Clone(s.envSecrets)
}

// keepSecretVars remembers the secret variables a command left, for the
// commands after it, and masks their values from now on. They die with
// this process: a restarted planner-tui runs the next command without them
// (its output says so; the operator re-runs the step that made them).
func (s *Session) keepSecretVars(vars map[string]string) {
	if len(vars) == 0 {
		return
	}
	s.secretsMu.Lock()
	defer s.secretsMu.Unlock()
	if s.secretVars == nil {
		s.secretVars = map[string]string{}
	}
	known := make(map[string]bool, len(s.secrets))
	for _, v := range s.secrets {
		known[v] = true
	}
	added := false
	for name, stmt := range vars {
		s.secretVars[name] = stmt
		v, err := runner.DeclValue(stmt)
		if err != nil || v == "" || known[v] {
			continue
		}
		s.secrets = append(s.secrets, v)
		known[v] = true
		added = true
	}
	if added {
		s.masker.Store(mask.New(s.secrets))
	}
}
