// Package fsutil holds the file helpers that keep state whole across a
// crash: atomic replacement of a file and fsync of a directory.
//
// The one implementation of the atomic write lives in package checklist
// (checklist.WriteFileAtomic), because checklist must not import ops and
// needs it for run state; this package re-exports it for the ops packages.
package fsutil

import (
	"fmt"
	"os"

	"planner-tui/checklist"
)

// WriteFileAtomic replaces path with data: temp file in the same dir,
// write, fsync, rename, fsync the dir. A crash leaves the old file or the
// new one, never a mix.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return checklist.WriteFileAtomic(path, data, perm)
}

// SyncDir fsyncs a directory so that files created, renamed or removed in
// it stay so after a power cut.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync dir %s: %w", dir, err)
	}
	return nil
}
