package ui

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"planner-tui/ops/audit"
	"planner-tui/ops/session"
)

func TestWatchersLine(t *testing.T) {
	at := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	w := func(user string, pid int) session.Watcher {
		return session.Watcher{User: user, Host: "h", PID: pid, Since: at}
	}
	for _, tc := range []struct {
		name string
		ws   []session.Watcher
		self int
		want string
	}{
		{"nobody", nil, 0, ""},
		{"one", []session.Watcher{w("alice", 1)}, 0, "👁 1 watching: alice"},
		{"two", []session.Watcher{w("alice", 1), w("bob", 2)}, 0, "👁 2 watching: alice, bob"},
		{"one user in two terminals", []session.Watcher{w("alice", 1), w("alice", 2)}, 0, "👁 2 watching: alice"},
		{"many", []session.Watcher{w("a", 1), w("b", 2), w("c", 3), w("d", 4), w("e", 5)}, 0, "👁 5 watching: a, b, c +2"},
		{"the watcher itself", []session.Watcher{w("alice", 1), w("bob", 2)}, 2, "👁 2 watching: you, alice"},
		{"the watcher's other terminal", []session.Watcher{w("bob", 1), w("bob", 2)}, 2, "👁 2 watching: you, bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := watchersLine(tc.ws, tc.self); got != tc.want {
				t.Errorf("watchersLine = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWatchMarker(t *testing.T) {
	since := time.Date(2026, 12, 2, 17, 4, 0, 0, time.Local)
	for _, tc := range []struct {
		who  string
		want string
	}{
		{"", "WATCHING · read-only · nobody drives"},
		{"alice@db1", "WATCHING · read-only · driven by alice@db1 since 17:04"},
	} {
		if got := watchMarker(tc.who, since); got != tc.want {
			t.Errorf("watchMarker(%q) = %q, want %q", tc.who, got, tc.want)
		}
	}
}

// watchPair is an operator's session that drives (it holds the lock, after
// a note) and a watcher's session on the same state dir, both followed by
// Watch as ui.Run does.
func watchPair(t *testing.T) (op, w *session.Session) {
	t.Helper()
	op, _ = openSession(t)
	if err := op.AddNote("deploy/step-1-hello", "driving"); err != nil {
		t.Fatal(err)
	}
	so := sessionOptions(filepath.Dir(op.StateDir()))
	so.ReadOnly, so.Watch = true, true
	w, err := session.Open(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	for _, s := range []*session.Session{op, w} {
		wg.Go(func() { s.Watch(ctx) })
	}
	return op, w
}

// A watcher sees who drives; every key that would act answers with a
// flash naming them, and nothing changes in the run; the watcher never
// holds the lock. The operator's screen shows who watches.
func TestWatchScreenIsReadOnly(t *testing.T) {
	op, w := watchPair(t)
	leave, err := session.JoinWatchers(op.StateDir())
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	me := audit.CurrentActor()
	drives := "watching: read-only — " + me.User + "@" + me.Host + " drives"

	d := newDriverOpts(t, engineBackend{w}, 120, 30, Options{NoColor: true, Watch: true})
	d.waitText("WATCHING · read-only · driven by " + me.User + "@" + me.Host + " since ")
	before := op.Run()

	d.keys("enter") // home: Say hello opens its command
	if v := d.waitText("$ echo hello-from-echo"); strings.Contains(v, "skip command") || strings.Contains(v, "add note") || strings.Contains(v, "open / run") {
		t.Errorf("the key line offers keys a watcher cannot use:\n%s", v)
	}
	for _, k := range []string{"enter", "x", "n"} { // run, skip, note
		t.Log("key", k)
		d.keys(k)
		if v := d.waitText(drives); strings.Contains(v, "Note on") || strings.Contains(v, "(y/N)") {
			t.Fatalf("%s opened a dialog on a watcher's screen:\n%s", k, v)
		}
	}
	d.keys("esc")
	for _, k := range []string{"N"} { // new run
		t.Log("key", k)
		d.keys(k)
		d.waitText(drives)
	}
	d.keys("t") // the timeline opens
	d.waitText("Timeline")

	after := op.Run()
	if after.ID != before.ID || len(after.Commands) != len(before.Commands) || len(after.Checks) != len(before.Checks) || len(after.Notes) != len(before.Notes) {
		t.Fatalf("the watcher's keys changed the run: %+v\nthen %+v", before, after)
	}
	if sn := w.Snapshot(); sn.Mine {
		t.Fatal("the watcher's session holds the operator lock")
	}
	if sn := op.Snapshot(); !sn.Mine {
		t.Fatal("the operator lost the lock")
	}
	for name, err := range map[string]error{
		"SetCheck": w.SetCheck("x", true), "AddNote": w.AddNote("deploy/step-1-hello", "x"),
		"Skip": w.Skip(idHello), "NewRun": w.NewRun("x"),
	} {
		if err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("watcher's %s: %v, want a read-only refusal", name, err)
		}
	}

	// the operator's screen names the watcher
	od := newDriver(t, engineBackend{op}, 120, 30)
	od.waitText("👁 1 watching: " + me.User)
}

// A request awaiting approval shows on the watcher's screen; a opens it
// with the filled command, its risk, what it destroys, who asked and
// their note, and y records the approval with the watcher's note.
func TestWatchApprovesFromTheScreen(t *testing.T) {
	_, w := watchPair(t)
	d := newDriverOpts(t, engineBackend{w}, 120, 40, Options{NoColor: true, Watch: true})
	st := &session.ApprovalStatus{
		ApprovalRequest: session.ApprovalRequest{ID: "K7QX2M", RunID: w.Run().ID, CommandID: "cleanup/wipe", CommandTitle: "Wipe the scratch copy",
			Command: "rm -rf /srv/scratch/x", Risk: "destructive", Destroys: "/srv/scratch/x", Note: "old copy, 2 GB",
			Operator: session.Identity{User: "alice", Host: "db1"}, Created: time.Now(), Expires: time.Now().Add(15 * time.Minute)},
		State: session.ApprovalPending,
	}
	var mu sync.Mutex
	var got []string
	d.m.c.watch.list = func() ([]*session.ApprovalStatus, error) { return []*session.ApprovalStatus{st}, nil }
	d.m.c.watch.decide = func(id string, approve bool, note string) (*session.ApprovalStatus, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, id, note)
		if !approve {
			got = append(got, "rejected")
		}
		return st, nil
	}
	if v := d.waitText("approval K7QX2M awaits a decision: a"); !strings.Contains(v, "a approve request") {
		t.Errorf("the key line does not offer a:\n%s", v)
	}
	d.keys("a")
	v := d.waitText("rm -rf /srv/scratch/x")
	for _, want := range []string{"Wipe the scratch copy", "destructive", "destroys  /srv/scratch/x", "alice@db1", "old copy, 2 GB"} {
		if !strings.Contains(v, want) {
			t.Errorf("the approval dialog lacks %q:\n%s", want, v)
		}
	}
	d.typ("fine, go")
	d.keys("enter")
	d.waitText("y approve · r reject")
	d.keys("y")
	d.waitText("K7QX2M: approved by you")
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "|") != "K7QX2M|fine, go" {
		t.Fatalf("decided %q, want K7QX2M approved with the note", got)
	}
}
