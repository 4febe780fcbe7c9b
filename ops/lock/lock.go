// Package lock lets one operator at a time drive a state dir. The lock is
// flock(2) on a file, so the kernel releases it when the holding process
// dies, however it dies: there are no stale locks to clean up. The file
// also names the holder (user, host, pid, since when, doing what) so a
// refused operator knows whom to ask.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"planner-tui/ops/fsutil"
	"syscall"
	"time"
)

// Holder says who holds the lock.
type Holder struct {
	User    string    `json:"user"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Purpose string    `json:"purpose,omitempty"` // "running deploy"
}

// String is "alice@prod1 pid 4242 since 2026-11-27 11:34:02 UTC (running deploy)".
func (h Holder) String() string {
	who := h.User
	if who == "" {
		who = "unknown user"
	}
	if h.Host != "" {
		who += "@" + h.Host
	}
	if h.PID != 0 {
		who += fmt.Sprintf(" pid %d", h.PID)
	}
	if !h.Since.IsZero() {
		who += " since " + h.Since.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	if h.Purpose != "" {
		who += " (" + h.Purpose + ")"
	}
	return who
}

// HeldError is returned by Acquire when someone else holds the lock.
type HeldError struct{ Holder Holder }

func (e *HeldError) Error() string { return "state dir is in use by " + e.Holder.String() }

// Lock is a held lock. Release it when done; if the process dies first the
// kernel releases it.
type Lock struct {
	f      *os.File
	path   string
	holder Holder
}

// Holder is who this lock says holds it.
func (l *Lock) Holder() Holder { return l.holder }

// refusedGrace is how long Acquire retries a refused flock before saying
// who holds it. A real holder keeps the lock for minutes; this only rides
// out the instants when Read probes the lock or a holder is between
// releasing and exiting.
const refusedGrace = 100 * time.Millisecond

// Acquire takes the lock at path without waiting, and writes h into it
// (PID and Since default to this process and now). If another process (or
// another Lock in this one) holds it, the error is a *HeldError naming the
// holder.
func Acquire(path string, h Holder) (*Lock, error) {
	if h.PID == 0 {
		h.PID = os.Getpid()
	}
	if h.Since.IsZero() {
		h.Since = time.Now()
	}
	h.Since = h.Since.UTC().Truncate(time.Second)

	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// In a shared state dir a watcher reads who drives (Named): the name
	// is group-readable when the dir is (fsutil.FileMode). Best effort.
	if mode := fsutil.FileMode(filepath.Dir(path)); mode != 0o600 {
		_ = f.Chmod(mode)
	}
	deadline := time.Now().Add(refusedGrace)
	for {
		err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			holder, _ := readHolder(f)
			f.Close()
			return nil, &HeldError{Holder: holder}
		}
		time.Sleep(5 * time.Millisecond)
	}

	b, err := json.Marshal(h)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	b = append(b, '\n')
	if err := writeHolder(f, b); err != nil {
		f.Close() // releases the flock too
		return nil, fmt.Errorf("lock %s: write holder: %w", path, err)
	}
	return &Lock{f: f, path: path, holder: h}, nil
}

func writeHolder(f *os.File, b []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	// No fsync: the flock is what excludes; the holder record only names
	// who has it, and after a power cut nobody does.
	_, err := f.WriteAt(b, 0)
	return err
}

// Release gives the lock up. The file stays (removing it would let two
// processes lock two different files of the same name); its holder record
// is cleared so nobody reads a departed holder from it.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	terr := f.Truncate(0)
	uerr := flock(f, syscall.LOCK_UN)
	cerr := f.Close()
	if err := errors.Join(terr, uerr, cerr); err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}

// Read says who holds the lock at path now; false if nobody does.
func Read(path string) (Holder, bool, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_CLOEXEC, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return Holder{}, false, nil
	}
	if err != nil {
		return Holder{}, false, fmt.Errorf("read lock %s: %w", path, err)
	}
	defer f.Close()
	// The only way to ask flock whether a file is locked is to try. A
	// shared lock taken for an instant; Acquire rides out the instant.
	err = flock(f, syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		flock(f, syscall.LOCK_UN)
		return Holder{}, false, nil
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return Holder{}, false, fmt.Errorf("read lock %s: %w", path, err)
	}
	h, err := readHolder(f)
	if err != nil {
		// Held, but the holder has not written its name yet (or wrote
		// garbage): still held.
		return Holder{}, true, nil
	}
	return h, true, nil
}

func readHolder(f *os.File) (Holder, error) {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 64<<10))
	if err != nil {
		return Holder{}, err
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil {
		return Holder{}, err
	}
	return h, nil
}

// flock retries on EINTR: Go's runtime signals (preemption) interrupt it.
func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
