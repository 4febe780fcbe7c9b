package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"planner-tui/ops/fsutil"
)

// Item is one event queued for one hook: a file in the queue dir, named
// so that names sort in the order the events were made.
type Item struct {
	EventID string    `json:"event_id"`
	Event   string    `json:"event"`
	RunID   string    `json:"run_id,omitempty"`
	Hook    Hook      `json:"hook"`
	Body    string    `json:"body"` // exactly what is posted (and signed)
	Queued  time.Time `json:"queued"`
	// Attempts made so far, when the next may be made, and why the last
	// one failed.
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at,omitzero"`
	LastError string    `json:"last_error,omitempty"`

	file string
}

// queue is the state dir's notify/ directory: queue/ holds the items,
// once/ the markers of events sent once a run, deliver.lock the
// deliverer's lock.
type queue struct{ dir string }

func newQueue(stateDir string) queue { return queue{dir: filepath.Join(stateDir, "notify")} }

func (q queue) items() string { return filepath.Join(q.dir, "queue") }

// put writes an item atomically (temp file, fsync, rename).
func (q queue) put(it Item) error {
	if err := os.MkdirAll(q.items(), 0o700); err != nil {
		return fmt.Errorf("notify queue: %w", err)
	}
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("notify queue: %w", err)
	}
	name := it.EventID + "." + it.Hook.Name + ".json"
	if err := fsutil.WriteFileAtomic(filepath.Join(q.items(), name), b, 0o600); err != nil {
		return fmt.Errorf("notify queue: %w", err)
	}
	return nil
}

// update rewrites an item after a failed attempt.
func (q queue) update(it Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(q.items(), it.file), b, 0o600)
}

// remove deletes a delivered or dropped item.
func (q queue) remove(it Item) error {
	err := os.Remove(filepath.Join(q.items(), it.file))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// list reads the items in order. An item that cannot be read is
// returned with LastError set and Hook.Name "" (it is dropped).
func (q queue) list() ([]Item, error) {
	ents, err := os.ReadDir(q.items())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify queue: %w", err)
	}
	var names []string
	for _, e := range ents {
		// fsutil's temp files start with "."
		if n := e.Name(); strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []Item
	for _, n := range names {
		it := Item{file: n}
		b, err := os.ReadFile(filepath.Join(q.items(), n))
		if errors.Is(err, fs.ErrNotExist) {
			continue // delivered by another deliverer meanwhile
		}
		if err == nil {
			err = json.Unmarshal(b, &it)
		}
		if err != nil {
			it = Item{file: n, LastError: fmt.Sprintf("unreadable queue file %s: %v", n, err)}
		}
		it.file = n
		out = append(out, it)
	}
	return out, nil
}

// once says true the first time it is called for (run, event) in this
// state dir, in any process (an O_EXCL marker file).
func (q queue) once(runID, event string) bool {
	dir := filepath.Join(q.dir, "once")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return true // better twice than never
	}
	f, err := os.OpenFile(filepath.Join(dir, runID+"."+event), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return !errors.Is(err, fs.ErrExist)
	}
	f.Close()
	pruneOnce(dir, time.Now())
	return true
}

// onceKeep is how long a once-marker is kept: a run that goes on past it
// could send its run.finished twice, which is better than a marker per run
// forever (two per run, for the life of the host).
const onceKeep = 90 * 24 * time.Hour

// pruneOnce removes the markers older than onceKeep. It runs when a marker
// is made (at most twice a run), so it costs one directory read a run.
func pruneOnce(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > onceKeep {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// tryLock takes the deliverer's lock without waiting; nil, nil when
// another process holds it.
func (q queue) tryLock() (*os.File, error) {
	if err := os.MkdirAll(q.dir, 0o700); err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(q.dir, "deliver.lock"), os.O_CREATE|os.O_RDWR|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("notify: lock: %w", err)
	}
	return f, nil
}
