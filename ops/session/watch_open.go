package session

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"planner-tui/checklist"
	"planner-tui/docs"
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
	return Watched{Runbook: path, RunID: run.ID, Dir: run.Dir}, nil
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
