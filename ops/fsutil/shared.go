package fsutil

import (
	"os"
	"path/filepath"
)

// A shared state dir: an operator who wants another engineer to watch a
// run (planner-tui watch) makes the state dir readable by a group (say
// /var/lib/planner-tui, 2750, group ops). What a watcher reads (the run's
// state, current.json, the lock's holder, the command output, which is
// masked) then inherits the group's read bit from the directory it is made
// in, down the tree; a private state dir (0700, the default) keeps every
// file 0600. Files that hold secrets or what only the operator may read
// (the audit log, variables files, the notify queue) keep 0600 whatever
// the dir: their writers do not ask.

// FileMode is the mode for a file made in dir: 0640 when dir is
// group-readable, else 0600.
func FileMode(dir string) os.FileMode {
	if groupReadable(dir) {
		return 0o640
	}
	return 0o600
}

// DirMode is the mode for a directory made in dir: 0750 when dir is
// group-readable, else 0700; with dir's setgid bit, so that in a state dir
// of group ops (2750) everything stays in group ops, not in its maker's
// own group, or a watcher cannot read it.
func DirMode(dir string) os.FileMode {
	fi, err := os.Stat(dir)
	if err != nil {
		return 0o700
	}
	mode := fi.Mode() & os.ModeSetgid
	if isGroupReadable(fi) {
		return mode | 0o750
	}
	return mode | 0o700
}

// MkdirShared makes path (its parent must exist) with DirMode of its
// parent, exactly (the umask does not apply). An existing path is left
// alone; fs.ErrExist is returned as from os.Mkdir.
func MkdirShared(path string) error {
	mode := DirMode(filepath.Dir(path))
	if err := os.Mkdir(path, mode); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}

// MkdirAllShared is os.MkdirAll where each directory made gets DirMode of
// its parent.
func MkdirAllShared(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil
	}
	if p := filepath.Dir(path); p != path {
		if err := MkdirAllShared(p); err != nil {
			return err
		}
	}
	if err := MkdirShared(path); err != nil && !os.IsExist(err) {
		return err
	}
	return nil
}

func groupReadable(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && isGroupReadable(fi)
}

func isGroupReadable(fi os.FileInfo) bool {
	return fi.IsDir() && fi.Mode().Perm()&0o050 == 0o050
}
