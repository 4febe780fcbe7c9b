package session

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A watch session follows the operator's current run and refuses every
// change as read-only, while the operator holds the lock; it never
// writes the state dir (only the presence file, removed when it leaves).
func TestWatchSessionFollowsAndRefuses(t *testing.T) {
	f := newFixture(t)
	op := f.open(t)
	if err := op.AddNote(stepGreet, "driving"); err != nil { // takes the lock
		t.Fatal(err)
	}
	wd, err := WatchedRunbook(f.state)
	if err != nil || wd.Runbook != f.runbook || wd.RunID != op.Run().ID || wd.Dir != f.planner {
		t.Fatalf("WatchedRunbook = %+v %v, want %s %s %s", wd, err, f.runbook, op.Run().ID, f.planner)
	}
	rb, runID := wd.Runbook, wd.RunID
	before := stateFiles(t, f.state)
	o := f.options()
	o.RunbookPath, o.ReadOnly, o.Watch = rb, true, true
	w, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Run().ID != runID {
		t.Fatalf("watching run %q, want %q", w.Run().ID, runID)
	}
	if _, err := w.Start(context.Background(), plan(t, w, idGreet, nil), "", nil); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("watcher's Start: %v, want a read-only refusal", err)
	}
	for what, change := range map[string]func() error{
		"Skip":     func() error { return w.Skip(idGreet) },
		"SetCheck": func() error { return w.SetCheck(checkFirst, true) },
		"AddNote":  func() error { return w.AddNote(stepGreet, "x") },
		"NewRun":   func() error { return w.NewRun("x") },
		"RequestApproval": func() error {
			_, err := w.RequestApproval(plan(t, w, idGreet, nil), "x")
			return err
		},
	} {
		if err := change(); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("watcher's %s: %v, want a read-only refusal", what, err)
		}
	}
	if w.Running(context.Background(), nil) != nil {
		t.Error("a watcher attached to a command")
	}

	// presence: listed while it watches, gone when it leaves
	leave, err := JoinWatchers(f.state)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := Watchers(f.state)
	if err != nil || len(ws) != 1 || ws[0].PID != os.Getpid() || ws[0].User == "" {
		t.Fatalf("Watchers = %+v, %v; want this process", ws, err)
	}
	leave()
	if ws, _ := Watchers(f.state); len(ws) != 0 {
		t.Fatalf("Watchers after leaving = %+v", ws)
	}
	w.Close()
	if after := stateFiles(t, f.state); after != before {
		t.Errorf("the watcher changed the state dir:\nbefore %s\nafter  %s", before, after)
	}
	if !op.Snapshot().Mine {
		t.Error("the operator lost the lock")
	}
}

// stateFiles lists the state dir's files with their sizes and mtimes.
func stateFiles(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fi, _ := d.Info()
			b.WriteString(path + " " + fi.ModTime().String() + " " + fi.Mode().String() + "\n")
		}
		return nil
	})
	return b.String()
}

// A watcher that died without leaving (kill -9) is not listed: its pid
// is gone.
func TestWatchersIgnoreADeadWatcher(t *testing.T) {
	f := newFixture(t)
	f.open(t) // the operator's session makes watchers/ (1777)
	fi, err := os.Stat(filepath.Join(f.state, WatchersDirName))
	if err != nil || fi.Mode()&os.ModeSticky == 0 || fi.Mode().Perm() != 0o777 {
		t.Fatalf("watchers dir: %v %v, want 1777", fi.Mode(), err)
	}
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	dead := c.Process.Pid
	host, _ := os.Hostname()
	stale := `{"user":"ghost","uid":` + itoa(os.Getuid()) + `,"host":"` + host + `","pid":` + itoa(dead) + `,"since":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
	if err := os.WriteFile(filepath.Join(f.state, WatchersDirName, itoa(os.Getuid())+"-"+itoa(dead)+".json"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	if ws, err := Watchers(f.state); err != nil || len(ws) != 0 {
		t.Fatalf("Watchers = %+v, %v; want none (its process is gone)", ws, err)
	}
}

func TestWatchedRunbookErrors(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name, dir, want string
	}{
		{"no state dir", filepath.Join(empty, "nope"), "no state dir " + filepath.Join(empty, "nope")},
		{"no run", empty, "no run to watch in " + empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := WatchedRunbook(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WatchedRunbook(%s) = %v, want %q", tc.dir, err, tc.want)
			}
			if _, err := os.Stat(filepath.Join(tc.dir, "runs")); err == nil {
				t.Error("WatchedRunbook made runs/")
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A watcher that starts removes the presence files its own user's dead
// watchers left on this host, and leaves the others: a live one, another
// host's, and one whose owner is not this user (said by the file's
// content; the file's owner is what counts).
func TestJoinWatchersRemovesOwnStaleFiles(t *testing.T) {
	f := newFixture(t)
	f.open(t) // the operator's session makes watchers/ (1777)
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	dead, live := c.Process.Pid, os.Getppid()
	host, _ := os.Hostname()
	me := os.Getuid()
	dir := filepath.Join(f.state, WatchersDirName)
	tests := []struct {
		name     string
		uid, pid int
		host     string
		removed  bool
	}{
		{"mine, dead", me, dead, host, true},
		{"mine, live", me, live, host, false},
		{"mine, another host", me, dead, host + "-other", false},
		{"says another user's", me + 1, dead, host, false},
	}
	for i, tt := range tests {
		body := `{"user":"ghost","uid":` + itoa(tt.uid) + `,"host":"` + tt.host + `","pid":` + itoa(tt.pid) + `,"since":"` + time.Now().UTC().Format(time.RFC3339) + `"}`
		if err := os.WriteFile(filepath.Join(dir, "t"+itoa(i)+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	leave, err := JoinWatchers(f.state)
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	for i, tt := range tests {
		_, err := os.Stat(filepath.Join(dir, "t"+itoa(i)+".json"))
		if gone := os.IsNotExist(err); gone != tt.removed {
			t.Errorf("%s: removed = %v, want %v (%v)", tt.name, gone, tt.removed, err)
		}
	}
	ws, err := Watchers(f.state)
	if err != nil {
		t.Fatal(err)
	}
	var mine bool
	for _, w := range ws {
		mine = mine || w.PID == os.Getpid()
	}
	if !mine {
		t.Errorf("Watchers = %+v: this watcher is not listed", ws)
	}
}

// A watcher fills commands with the operator's variables, not its own
// environment's: the same database and project (so the same risk, phrase
// and "destroys"), secrets left out of the run state; its own --set wins,
// and a later start with other values updates what it sees.
func TestWatcherUsesTheOperatorsVariables(t *testing.T) {
	f := newFixture(t)
	o := f.options()
	o.Sets["DB_NAME"], o.Sets["COMPOSE_PROJECT_NAME"] = "proddb", "prodproj"
	o.Sets["API_TOKEN"] = "tok-1234" // a secret by its name
	o.Sets["BANNER"] = secretValue   // the .env's SECRET_KEY, by value
	op, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	wd, err := WatchedRunbook(f.state)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"DB_NAME": "proddb", "COMPOSE_PROJECT_NAME": "prodproj", "MARK_DIR": f.marks, "PLANNER_DIR": f.planner} {
		if got := wd.Vars[k]; got != want {
			t.Errorf("the operator's %s as the watcher reads it = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"API_TOKEN", "BANNER", "SECRET_KEY"} {
		if v, ok := wd.Vars[k]; ok {
			t.Errorf("the run state holds %s=%q: a secret, readable by every watcher", k, v)
		}
	}
	state, err := os.ReadFile(filepath.Join(op.store.RunDir(op.Run().ID), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(state), "tok-1234") || strings.Contains(string(state), secretValue) {
		t.Errorf("a secret value is in the run state:\n%s", state)
	}

	watch := func(own map[string]string) *Session {
		t.Helper()
		wo := Options{RunbookPath: wd.Runbook, Dir: wd.Dir, StateDir: f.state, Sets: wd.WatchSets(own), ReadOnly: true, Watch: true}
		w, err := Open(context.Background(), wo)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		return w
	}
	if tg := watch(nil).Target(); tg.DBName != "proddb" || tg.Project != "prodproj" {
		t.Errorf("the watcher's stack is db %q project %q, want the operator's proddb prodproj", tg.DBName, tg.Project)
	}
	if tg := watch(map[string]string{"DB_NAME": "mine"}).Target(); tg.DBName != "mine" {
		t.Errorf("the watcher's own --set DB_NAME=mine gave %q", tg.DBName)
	}

	// The operator comes back with another database and starts a command.
	op.Close()
	o.Sets["DB_NAME"] = "proddb2"
	op2, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer op2.Close()
	e, err := op2.Start(context.Background(), plan(t, op2, idTouch, nil), "yes", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Wait()
	if wd, err := WatchedRunbook(f.state); err != nil || wd.Vars["DB_NAME"] != "proddb2" {
		t.Errorf("after a start with DB_NAME=proddb2 the watcher reads %q (%v)", wd.Vars["DB_NAME"], err)
	}
}
