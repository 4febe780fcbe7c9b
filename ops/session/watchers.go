package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/fsutil"
)

// Presence of watchers (planner-tui watch). Each watcher drops a small
// file, <state>/watchers/<uid>-<pid>.json, saying who it is and since
// when, and removes it when it leaves; the operator's screen (and `status
// --json`) lists the live ones. The dir is sticky and world-writable like
// approvals/ (a watcher cannot write anything else in the state dir, and
// nobody can remove another's file); the operator's session makes it. A
// file whose process is gone (a watcher killed with -9, on this host) is
// ignored, and removed when its user's next watcher starts; one from
// another host is believed until it is removed.

// WatchersDirName is the presence dir under the state dir.
const WatchersDirName = "watchers"

// Watcher is one engineer watching the run read-only.
type Watcher struct {
	User  string    `json:"user"`
	UID   int       `json:"uid"`
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

func (w Watcher) String() string { return w.User + "@" + w.Host }

// ensureWatchersDir makes <state>/watchers (1777) for the operator's
// session; best effort: a state dir nobody else can reach has no watchers.
func ensureWatchersDir(stateDir string) {
	dir := filepath.Join(stateDir, WatchersDirName)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return
	}
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		return
	}
	if uid, _, err := ownerOf(dir); err != nil || !trustedOwner(uid, stateDir) {
		return // made by someone else: not ours to open up (approval_files.go says why)
	}
	if fi.Mode()&(fs.ModeSticky|fs.ModePerm) != approvalsDirMode {
		_ = os.Chmod(dir, approvalsDirMode)
	}
}

// JoinWatchers records this process as a watcher of the state dir; leave
// removes the record. An error says why the operator will not see this
// watcher (the watch goes on without).
func JoinWatchers(stateDir string) (leave func(), err error) {
	a := audit.CurrentActor()
	w := Watcher{User: a.User, UID: os.Getuid(), Host: a.Host, PID: os.Getpid(), Since: time.Now().UTC().Truncate(time.Second)}
	dir := filepath.Join(stateDir, WatchersDirName)
	fi, err := os.Stat(dir)
	if err != nil {
		return func() {}, fmt.Errorf("%s: %w (the operator's planner-tui makes it; an older one does not)", dir, err)
	}
	if fi.Mode()&fs.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		return func() {}, fmt.Errorf("%s is %#o, not 1777: the operator's planner-tui sets it", dir, fi.Mode().Perm())
	}
	b, err := json.Marshal(w)
	if err != nil {
		return func() {}, err
	}
	removeStaleWatchers(dir, w.UID, w.PID)
	path := filepath.Join(dir, strconv.Itoa(w.UID)+"-"+strconv.Itoa(w.PID)+".json")
	if err := fsutil.WriteFileAtomic(path, append(b, '\n'), 0o644); err != nil {
		return func() {}, err
	}
	return func() { os.Remove(path) }, nil
}

// removeStaleWatchers removes the presence files this user's watchers on
// this host left when they died (their pid is gone): they are ignored
// anyway, but would pile up. Others' files are not ours to remove (the dir
// is sticky), nor are live ones or another host's (its pids mean nothing
// here). Best effort: a file that cannot be removed stays ignored.
func removeStaleWatchers(dir string, uid, self int) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	for _, p := range presences(dir, ents) {
		w := p.w
		if w.UID != uid || w.Host != host || w.PID <= 0 || w.PID == self || syscall.Kill(w.PID, 0) != syscall.ESRCH {
			continue
		}
		_ = os.Remove(p.path)
	}
}

// presence is one watcher's file as read.
type presence struct {
	path string
	w    Watcher
}

// presences reads the presence files among ents. Whose a file is comes
// from its owner, not from what it says: a file that says another uid
// than its owner's, or is not a regular file, is left out.
func presences(dir string, ents []os.DirEntry) []presence {
	var out []presence
	for _, e := range ents {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" || e.Name()[0] == '.' {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var w Watcher
		if json.Unmarshal(b, &w) != nil {
			continue
		}
		if owner, regular, err := ownerOf(path); err != nil || !regular || owner != w.UID {
			continue
		}
		out = append(out, presence{path, w})
	}
	return out
}

// Watchers lists the live watchers of the state dir, oldest first. A
// missing dir is none.
func Watchers(stateDir string) ([]Watcher, error) {
	dir := filepath.Join(stateDir, WatchersDirName)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("watchers: %w", err)
	}
	host, _ := os.Hostname()
	var out []Watcher
	for _, p := range presences(dir, ents) {
		if w := p.w; w.Host == host && w.PID > 0 && syscall.Kill(w.PID, 0) == syscall.ESRCH {
			continue // a watcher that died without leaving
		}
		out = append(out, p.w)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Since.Equal(out[j].Since) {
			return out[i].Since.Before(out[j].Since)
		}
		return out[i].PID < out[j].PID
	})
	return out, nil
}
