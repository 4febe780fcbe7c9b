package fsutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Files and dirs made in a group-readable dir are group-readable, down
// the tree; in a private one they stay private.
func TestSharedModesFollowTheDir(t *testing.T) {
	for _, tc := range []struct {
		name          string
		dirMode       os.FileMode
		file, subdirs os.FileMode
	}{
		{"private", 0o700, 0o600, 0o700},
		{"search only (approvals' o+x)", 0o711, 0o600, 0o700},
		{"group-readable", 0o750, 0o640, 0o750},
		{"setgid shared", os.ModeSetgid | 0o770, 0o640, 0o750},
		{"setgid group-readable", os.ModeSetgid | 0o750, 0o640, 0o750},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tc.dirMode); err != nil {
				t.Fatal(err)
			}
			if got := FileMode(dir); got != tc.file {
				t.Errorf("FileMode = %#o, want %#o", got, tc.file)
			}
			deep := filepath.Join(dir, "runs", "r1", "jobs", "j1")
			if err := MkdirAllShared(deep); err != nil {
				t.Fatal(err)
			}
			// setgid goes down the tree: files stay in the state dir's
			// group, not their maker's own
			setgid := tc.dirMode&os.ModeSetgid != 0
			for d := deep; d != dir; d = filepath.Dir(d) {
				fi, err := os.Stat(d)
				if err != nil || fi.Mode().Perm() != tc.subdirs {
					t.Errorf("%s: %v %v, want %#o", d, fi.Mode().Perm(), err, tc.subdirs)
				}
				if err == nil && (fi.Mode()&os.ModeSetgid != 0) != setgid {
					t.Errorf("%s: mode %v, want setgid %v (as the state dir)", d, fi.Mode(), setgid)
				}
			}
			if got := FileMode(deep); got != tc.file {
				t.Errorf("FileMode(%s) = %#o, want %#o", deep, got, tc.file)
			}
		})
	}
}
