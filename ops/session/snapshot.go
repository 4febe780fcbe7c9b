package session

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"planner-tui/checklist"
	"planner-tui/ops/lock"
	"planner-tui/ops/mask"
)

// Snapshot is the run as a screen reads it: immutable, replaced whole after
// every change, read without a lock or I/O. It is published (an atomic
// pointer swap) whenever this session releases the mutex over its run, so
// no write path can forget to, and when Watch sees another process write
// the state dir.
type Snapshot struct {
	// Seq grows by one with every snapshot of this session.
	Seq uint64
	// Run is a deep copy: read it, never change it.
	Run *checklist.Run
	// Holder is who holds the operator lock, nil when nobody does (as far
	// as this session knows: see Watched). Mine says it is this session.
	Holder *lock.Holder
	Mine   bool
	// Watched says Holder comes from Watch; without a watcher (the
	// headless CLI) another process's lock is unknown here, and Plan asks
	// the lock file instead.
	Watched bool
	// EnvWarning says why secrets may not be masked ("" when .env was read).
	EnvWarning string
	// Watchers are the engineers watching the run read-only (planner-tui
	// watch; watchers.go), as Watch last read them; nil without Watch.
	Watchers []Watcher

	masker *mask.Masker
	next   chan struct{} // closed when a newer snapshot replaces this one
}

// Mask hides the secrets known when the snapshot was taken.
func (sn *Snapshot) Mask(text string) string {
	if sn.masker == nil {
		return text
	}
	return sn.masker.String(text)
}

// Replaced is closed when a newer snapshot is published: a screen waits on
// it (in a Cmd) instead of polling.
func (sn *Snapshot) Replaced() <-chan struct{} { return sn.next }

// lockedOut is Plan's "held by someone else" from the snapshot; "" when
// nobody else holds the lock.
func (sn *Snapshot) lockedOut() string {
	if sn.Holder == nil || sn.Mine {
		return ""
	}
	return (&lock.HeldError{Holder: *sn.Holder}).Error()
}

// Snapshot returns the latest snapshot of the run. It never blocks.
func (s *Session) Snapshot() *Snapshot { return s.view.snap.Load() }

// view is the part of the session that feeds snapshots.
type view struct {
	snap atomic.Pointer[Snapshot]
	// other is the holder of the lock seen by Watch in another process
	// (nil: nobody); watched says Watch runs.
	other   atomic.Pointer[lock.Holder]
	watched atomic.Bool
	// watchers are the presence files Watch read last (watchers.go).
	watchers atomic.Pointer[[]Watcher]
}

// runMutex guards the session's run. Unlock publishes a fresh snapshot
// first: every write to the run happens under it, so every write is seen.
type runMutex struct {
	sync.Mutex
	publish func() // nil until the session is built
}

func (m *runMutex) Unlock() {
	if m.publish != nil {
		m.publish()
	}
	m.Mutex.Unlock()
}

// publishLocked replaces the snapshot with a copy of the run as it is now.
// mu is held: one publisher at a time.
func (s *Session) publishLocked() {
	if s.run == nil {
		return
	}
	run := s.run.Clone()
	sn := &Snapshot{
		Run:        &run,
		EnvWarning: s.EnvWarning(),
		Watched:    s.view.watched.Load(),
		masker:     s.secrets.Masker(),
		next:       make(chan struct{}),
	}
	if ws := s.view.watchers.Load(); ws != nil {
		sn.Watchers = *ws
	}
	if h, ok := s.operator.holder(); ok {
		sn.Holder, sn.Mine = &h, true
	} else {
		sn.Holder = s.view.other.Load()
	}
	old := s.view.snap.Load()
	if old != nil {
		sn.Seq = old.Seq + 1
	}
	s.view.snap.Store(sn)
	if old != nil {
		close(old.next)
	}
}

// republish publishes a snapshot when nothing but what it says about the
// watcher changed.
func (s *Session) republish() {
	s.mu.Mutex.Lock()
	defer s.mu.Mutex.Unlock()
	s.publishLocked()
}

// WatchInterval is how often Watch looks at the state dir.
const WatchInterval = 200 * time.Millisecond

// Watch follows what other processes (a headless `planner-tui run`, a
// second screen) write to the state dir until ctx ends, and publishes a
// new snapshot when the current run's state or the lock holder changes, or
// another run of this runbook is made current (`runs new`, `runs resume`).
//
// It stats the run's state.json and the lock file on a ticker: a stat is a
// few microseconds and never takes the lock (a flock probe would make a
// headless run's Acquire retry), every state write is an atomic rename (a
// new inode, so even a write within one mtime tick is seen) and every lock
// change rewrites or truncates the lock file. inotify (fsnotify) would add
// a dependency, queue overflows and filesystems where it does not work,
// for a latency gain of at most one interval. While this session holds
// the lock nobody else writes the run, and Watch only tracks it.
func (s *Session) Watch(ctx context.Context) {
	s.view.watched.Store(true)
	s.republish() // the snapshot now says Holder is watched
	defer func() {
		// no longer kept current: Plan asks the lock file again
		s.view.watched.Store(false)
		s.view.other.Store(nil)
		s.republish()
	}()
	t := time.NewTicker(WatchInterval)
	defer t.Stop()
	var last watchStamps
	for n := 0; ; n++ {
		s.watchOnce(&last)
		if n%watchersEvery == 0 {
			s.watchWatchers()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchersEvery: Watch reads the presence files every this many ticks
// (a second): who watches changes rarely.
const watchersEvery = 5

// watchWatchers reads who watches and publishes when it changed.
func (s *Session) watchWatchers() {
	ws, err := Watchers(s.store.Dir)
	if err != nil {
		return // unreadable: keep what we know
	}
	old := s.view.watchers.Load()
	if old != nil && sameWatchers(*old, ws) {
		return
	}
	s.view.watchers.Store(&ws)
	s.republish()
}

func sameWatchers(a, b []Watcher) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// watchOnce looks once; the stamps are what it saw last time.
func (s *Session) watchOnce(last *watchStamps) {
	sn := s.Snapshot()
	if sn == nil || sn.Run == nil || sn.Run.ID == "" {
		return
	}
	lockPath := s.store.LockPath()
	statePath := filepath.Join(s.store.RunDir(sn.Run.ID), "state.json")
	now := watchStamps{
		lock:  stampOf(lockPath),
		state: stampOf(statePath),
		// the runbook's current run: `runs new` or `runs resume` in
		// another process makes another run current (current.json, and
		// current for state dirs of older versions)
		current:    stampOf(filepath.Join(s.store.Dir, "current.json")),
		currentOld: stampOf(filepath.Join(s.store.Dir, "current")),
	}
	lockChanged, stateChanged := now.lock != last.lock, now.state != last.state
	currentChanged := now.current != last.current || now.currentOld != last.currentOld
	now.probed = last.probed
	*last = now
	// A holder killed with -9 leaves the lock file as it was (the kernel
	// drops the flock): while one is recorded, ask each tick whether it is
	// still alive, or every screen stays blocked by a dead process.
	holderGone := false
	if h := s.view.other.Load(); h != nil && !lockChanged {
		if s.opts.Watch {
			// a watcher never touches the lock, not even a shared
			// probe: the holder's pid tells (same host)
			last.probed = time.Now()
		}
		holderGone = !holderAlive(lockPath, h, &last.probed)
	}
	if !lockChanged && !stateChanged && !currentChanged && !holderGone {
		return
	}
	if lockChanged {
		s.view.other.Store(readHolder(lockPath))
	} else if holderGone {
		s.view.other.Store(nil)
	}
	var fresh *checklist.Run
	if currentChanged {
		if r, err := s.store.CurrentFor(s.runbook.Path); err == nil && r != nil && r.ID != sn.Run.ID {
			fresh = r
		}
	}
	if fresh == nil && stateChanged {
		if r, err := s.store.Load(sn.Run.ID); err == nil {
			fresh = r
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock() // publishes
	if fresh == nil || s.operator.held != nil || s.run.ID != sn.Run.ID {
		// Nothing new, or ours to write (nobody else writes the run while
		// we hold the lock), or the run changed here since we looked.
		return
	}
	if fresh.ID != s.run.ID {
		// Another process made another run of this runbook current: show
		// that one (what the operator would find on restart), not the one
		// it ended. An execution followed here belongs to the old run.
		s.running = nil
	}
	// Not ours to write until we take the lock (which reloads it
	// anyway): show what the other process wrote.
	s.run = fresh
}

// watchStamps are the files Watch looks at, as it saw them last, and when
// it last asked flock about a holder (holderAlive).
type watchStamps struct {
	lock, state, current, currentOld fileStamp
	probed                           time.Time
}

// holderProbeEvery is how often the watcher asks flock whether a recorded
// holder still holds the lock. A probe takes the lock shared for an
// instant (Acquire rides it out), so not every tick: between probes a
// holder on this host is checked by its pid.
const holderProbeEvery = 2 * time.Second

// holderAlive says whether h, read from the lock file, still holds it: a
// same-host holder whose pid is gone does not (kill -9; checked each
// tick), and every holderProbeEvery a flock probe settles it for any
// holder (a pid reused, another host on a shared filesystem).
func holderAlive(path string, h *lock.Holder, probed *time.Time) bool {
	if host, err := os.Hostname(); err == nil && h.Host == host && h.PID > 0 {
		if err := syscall.Kill(h.PID, 0); err == syscall.ESRCH {
			return false
		}
	}
	if time.Since(*probed) < holderProbeEvery {
		return true
	}
	*probed = time.Now()
	_, held, err := lock.Read(path)
	return err != nil || held // unreadable: keep what we know
}

// fileStamp is what tells one version of a file from the next.
type fileStamp struct {
	ino   uint64
	size  int64
	mtime time.Time
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st
}

// readHolder reads who the lock file names, without taking the lock: an
// empty file is nobody (Release truncates it); a holder on this host
// whose process is gone (kill -9 leaves its name behind) is nobody too.
func readHolder(path string) *lock.Holder {
	h, ok := lock.Named(path)
	if !ok {
		return nil
	}
	if host, err := os.Hostname(); err == nil && h.Host == host && h.PID > 0 {
		if err := syscall.Kill(h.PID, 0); err == syscall.ESRCH {
			return nil
		}
	}
	return &h
}

// runningIn returns the command of run still marked running.
func runningIn(run *checklist.Run) (string, *checklist.CommandRun) {
	ids := make([]string, 0, len(run.Commands))
	for id := range run.Commands {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if cr := run.Commands[id]; cr.Status == checklist.Running {
			return id, cr
		}
	}
	return "", nil
}
