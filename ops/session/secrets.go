package session

import (
	"fmt"
	"strings"

	"planner-tui/ops/envfile"
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
