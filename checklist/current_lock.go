package checklist

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockCurrent takes an exclusive flock on current.json's sidecar lock file
// for a read-modify-write of current.json: two processes making runs of
// different runbooks current at once must not lose one of them. The
// returned func releases it. (Not the operator lock: a process that holds
// that one may set the current run while another session of another
// runbook does too.)
func (s *Store) lockCurrent() (func(), error) {
	path := filepath.Join(s.Dir, "current.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil // closing the file drops the flock
}
