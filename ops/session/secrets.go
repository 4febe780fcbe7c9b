package session

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"planner-tui/ops/envfile"
	"planner-tui/ops/mask"
	"planner-tui/ops/runner"
)

// secretBook is the secrets part of a session: every value to hide and
// the masker that hides them. What to mask is the union of every .env read
// this session (a rotated secret stays hidden under its old and new
// values), secret-named --set values, and the secret variables steps made.
// It reads only the planner dir's .env; it knows nothing of the run.
//
// Readers (Masker, Mask, Warning) are atomic loads: the screen calls them
// on its update path. Writers (refresh, keepStepVars) serialize on mu,
// which is never held across any other lock or an fsync.
type secretBook struct {
	dir  string            // the planner dir, where .env is
	vars map[string]string // the effective variables (read only)

	mu     sync.Mutex
	values []string // every value to hide, under mu
	// stepVars are the secret variables steps made (name -> declare
	// statement, memory only: see runner's secretvars.go) and envByKey the
	// .env's secret values by key. Under mu.
	stepVars map[string]string
	envByKey map[string]string

	masker atomic.Pointer[mask.Masker]
	// warning says why secrets may be missed: no .env in the planner dir,
	// or lines of it that could not be parsed. Set at every read of .env.
	warning atomic.Pointer[string]
}

// newSecretBook reads the planner dir's .env once.
func newSecretBook(dir string, vars map[string]string) *secretBook {
	b := &secretBook{dir: dir, vars: vars}
	env := loadSecrets(dir, vars)
	b.values, b.envByKey = env.secrets, env.byKey
	b.masker.Store(mask.New(b.values))
	b.setWarning(env.warning)
	return b
}

// Masker is the masker of the moment (never nil).
func (b *secretBook) Masker() *mask.Masker { return b.masker.Load() }

// Mask replaces secret values in text.
func (b *secretBook) Mask(text string) string { return b.masker.Load().String(text) }

// Warning says why secrets may not be masked, "" when .env was read whole.
func (b *secretBook) Warning() string {
	if w := b.warning.Load(); w != nil {
		return *w
	}
	return ""
}

// refresh reads the planner dir's .env again and adds any new secret
// values (a step rotated SECRET_KEY, an operator edited a password) to the
// ones masked; old values stay masked too. It returns every value to hide.
func (b *secretBook) refresh() []string {
	env := loadSecrets(b.dir, b.vars)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.envByKey = env.byKey
	defer b.setWarning(env.warning) // after the masker: the warning is masked with it
	b.addLocked(env.secrets)
	return append([]string(nil), b.values...)
}

// addLocked adds values not known yet and rebuilds the masker if any was
// new. mu is held.
func (b *secretBook) addLocked(fresh []string) {
	known := make(map[string]bool, len(b.values))
	for _, v := range b.values {
		known[v] = true
	}
	added := false
	for _, v := range fresh {
		if v != "" && !known[v] {
			b.values = append(b.values, v)
			known[v] = true
			added = true
		}
	}
	if added {
		b.masker.Store(mask.New(b.values))
	}
}

// setWarning stores w, masked: a problem never quotes a value on
// purpose, but a variable name can be a stray line of a secret.
func (b *secretBook) setWarning(w string) {
	w = strings.TrimSpace(b.masker.Load().String(w))
	b.warning.Store(&w)
}

// fillSpec gives a command the secret variables earlier commands of this
// process set (in memory only: see runner's secretvars.go) and the .env's
// secrets by key, read by the last refresh.
func (b *secretBook) fillSpec(spec *runner.Spec) {
	b.mu.Lock()
	defer b.mu.Unlock()
	spec.SecretVars = maps.Clone(b.stepVars)
	spec.EnvSecrets = maps.Clone(b.envByKey)
}

// keepStepVars remembers the secret variables a command left, for the
// commands after it, and masks their values from now on. They die with
// this process: a restarted planner-tui runs the next command without them
// (its output says so; the operator re-runs the step that made them).
func (b *secretBook) keepStepVars(vars map[string]string) {
	if len(vars) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stepVars == nil {
		b.stepVars = map[string]string{}
	}
	var fresh []string
	for name, stmt := range vars {
		b.stepVars[name] = stmt
		if v, err := runner.DeclValue(stmt); err == nil {
			fresh = append(fresh, v)
		}
	}
	b.addLocked(fresh)
}

// envRead is what loadSecrets found.
type envRead struct {
	secrets []string          // every value to mask
	byKey   map[string]string // the .env's secret values by key (parsed lines only)
	warning string            // why some secret may be missed; "" if none
}

// loadSecrets reads the planner dir's .env for values to mask. Variables
// with secret-looking names given on the command line count too. Lines of
// .env that cannot be parsed do not turn masking off: the others are used
// (and a secret on a bad line too, when it can be guessed), and the
// warning names the bad lines.
func loadSecrets(dir string, vars map[string]string) envRead {
	var e envRead
	for k, v := range vars {
		if envfile.IsSecretKey(k) && v != "" {
			e.secrets = append(e.secrets, v)
		}
	}
	f, err := envfile.Load(filepath.Join(dir, ".env"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e.warning = "no .env in " + dir + ": no secret values to mask"
	case err != nil:
		e.warning = err.Error()
	default:
		e.secrets = append(e.secrets, f.Secrets()...)
		e.byKey = map[string]string{}
		for _, v := range f.Vars {
			if envfile.IsSecretKey(v.Key) && v.Value != "" {
				e.byKey[v.Key] = v.Value
			}
		}
		e.warning = envProblemsWarning(f.Problems)
	}
	return e
}

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
