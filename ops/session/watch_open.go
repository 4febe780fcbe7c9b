package session

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"planner-tui/checklist"
	"planner-tui/docs"
	"planner-tui/ops/envfile"
)

// Watching (planner-tui watch): a second engineer opens the operator's
// run read-only. The session is ReadOnly with Options.Watch set: it takes
// no lock (not even the flock probe Watch makes for an ordinary screen),
// creates no run, settles no command and writes nothing but its presence
// file (watchers.go); Watch follows the operator's writes as it does for
// a second screen.

// Watched is what the operator's current run uses.
type Watched struct {
	// Runbook is the runbook path to open ("" is the embedded runbook).
	Runbook string
	RunID   string
	// Dir is the planner dir the run was started for ("" when the run
	// does not say: runs of older versions).
	Dir string
	// Vars are the variables the operator fills commands with (secrets
	// left out); nil in runs of older versions.
	Vars map[string]string
}

// WatchedRunbook finds what the operator's current run in stateDir uses.
// It reads only; it errors, naming the file, when there is no state dir,
// no current run, or this user cannot read it (the operator must then use
// a shared state dir).
func WatchedRunbook(stateDir string) (Watched, error) {
	abs, err := filepath.Abs(stateDir)
	if err != nil {
		return Watched{}, fmt.Errorf("state dir %s: %w", stateDir, err)
	}
	if err := readable(abs, true); err != nil {
		return Watched{}, err
	}
	st := &checklist.Store{Dir: abs}
	if _, err := os.Stat(filepath.Join(abs, "current")); errors.Is(err, fs.ErrNotExist) {
		return Watched{}, fmt.Errorf("no run to watch in %s (no %s): the operator has not started planner-tui with this state dir; give theirs with --state-dir", abs, filepath.Join(abs, "current"))
	}
	for _, f := range []string{"current", "current.json"} {
		if err := readable(filepath.Join(abs, f), false); err != nil {
			return Watched{}, err
		}
	}
	run, err := st.Current()
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return Watched{}, fmt.Errorf("%w: %s", err, sharedHint)
		}
		return Watched{}, err
	}
	if run == nil {
		return Watched{}, fmt.Errorf("no current run in %s: nothing to watch", abs)
	}
	path := run.Runbook
	if path == docs.RunbookPath {
		path = "" // the embedded runbook
	} else if err := readable(path, false); err != nil {
		return Watched{}, fmt.Errorf("the operator's run %s uses runbook %s: %w", run.ID, path, err)
	}
	return Watched{Runbook: path, RunID: run.ID, Dir: run.Dir, Vars: run.OperatorVars}, nil
}

// sharedHint says what the operator does so that others can watch.
const sharedHint = "the operator must use a shared state dir that your group can read, e.g. --state-dir /var/lib/planner-tui (mode 2750, group ops: runs, logs and the lock holder are then made group-readable; the audit log and .env never are)"

// readable checks this user can read path (and list it, for a dir),
// saying which file and its mode when not.
func readable(path string, dir bool) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if dir {
			return fmt.Errorf("no state dir %s: nothing to watch (give the operator's with --state-dir)", path)
		}
		return fmt.Errorf("%s does not exist", path)
	}
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot reach %s (a directory above it keeps you out): %s", path, sharedHint)
	}
	if err != nil {
		return err
	}
	if dir {
		_, err = os.ReadDir(path)
	} else if f, oerr := os.Open(path); oerr == nil {
		f.Close()
	} else {
		err = oerr
	}
	if err != nil && errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot read %s (mode %#o): %s", path, fi.Mode().Perm(), sharedHint)
	}
	return nil
}

// operatorVars are the session's variables a watcher may fill commands
// with: the effective ones, less those with a secret's name or holding a
// known secret (the run state is group-readable in a shared state dir).
func (s *Session) operatorVars() map[string]string {
	out := make(map[string]string, len(s.vars))
	for k, v := range s.vars {
		if envfile.IsSecretKey(k) || s.secrets.Mask(v) != v {
			continue
		}
		out[k] = v
	}
	return out
}

// noteOperatorLocked records in the run the planner dir and variables of
// the session that starts a command: resumed with another --dir or --set,
// the run says what its commands now run with. mu is held.
func (s *Session) noteOperatorLocked() {
	if s.target.Dir != "" {
		s.run.Dir = s.target.Dir
	}
	s.run.OperatorVars = s.operatorVars()
}

// WatchSets are the --set values a watcher opens the run with: the
// operator's variables (Watched.Vars), then the watcher's own --set over
// them (an explicit flag wins).
func (w Watched) WatchSets(own map[string]string) map[string]string {
	sets := maps.Clone(w.Vars)
	if sets == nil {
		sets = map[string]string{}
	}
	maps.Copy(sets, own)
	return sets
}

// notYours explains a state dir this user may not write (or read): a
// state dir is one Unix user's to operate; others watch it.
func notYours(stateDir string, err error) error {
	takeOver := "work as the user whose runs they are"
	if uid, _, oerr := ownerOf(filepath.Join(stateDir, "current")); oerr == nil && uid != os.Getuid() {
		name := "uid " + strconv.Itoa(uid)
		if u, uerr := user.LookupId(strconv.Itoa(uid)); uerr == nil {
			name = u.Username
		}
		takeOver = fmt.Sprintf("they are %s's: work as that user (sudo -u %s planner-tui ...)", name, name)
	}
	return fmt.Errorf("%w: one Unix user operates a state dir. To take over the runs in %s, %s; to follow the run, planner-tui watch --state-dir %s; to work apart, give your own --state-dir", err, stateDir, takeOver, stateDir)
}
