package checklist

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := OpenStore(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var t0 = time.Date(2026, 11, 27, 11, 34, 2, 0, time.UTC)

func TestDefaultStateDir(t *testing.T) {
	tests := []struct {
		name, xdg, home, want string
	}{
		{"xdg set", "/x/state", "/home/alice", "/x/state/planner-tui"},
		{"xdg unset", "", "/home/alice", "/home/alice/.local/state/planner-tui"},
		{"xdg relative is ignored", "rel/state", "/home/alice", "/home/alice/.local/state/planner-tui"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			got, err := DefaultStateDir()
			if err != nil || got != tt.want {
				t.Fatalf("DefaultStateDir() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestOpenStoreCreatesPrivateDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{s.Dir, filepath.Join(s.Dir, "runs")} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
	// Opening again is fine.
	if _, err := OpenStore(dir); err != nil {
		t.Fatal(err)
	}
	if got, want := s.LockPath(), filepath.Join(dir, "lock"); got != want {
		t.Errorf("LockPath = %q, want %q", got, want)
	}
	if got, want := s.AuditPath(), filepath.Join(dir, "audit.jsonl"); got != want {
		t.Errorf("AuditPath = %q, want %q", got, want)
	}
	if got, want := s.JobDir("r1", "j1"), filepath.Join(dir, "runs", "r1", "jobs", "j1"); got != want {
		t.Errorf("JobDir = %q, want %q", got, want)
	}
	if got, want := s.VarsFile("r1"), filepath.Join(dir, "runs", "r1", "vars.sh"); got != want {
		t.Errorf("VarsFile = %q, want %q", got, want)
	}
}

func TestNewRunIDs(t *testing.T) {
	s := newStore(t)
	local := time.FixedZone("CET", 3600)
	tests := []struct {
		title string
		now   time.Time
		want  string
	}{
		{"Deploy", t0, "20261127-113402-deploy"},
		{"Deploy", t0, "20261127-113402-deploy-2"}, // same second, same title
		{"Deploy", t0, "20261127-113402-deploy-3"},
		{"Rollback to v1.2 (prod!)", t0, "20261127-113402-rollback-to-v1-2-prod"},
		{"", t0, "20261127-113402-run"},
		{"../../etc", t0, "20261127-113402-etc"},
		{"Ünïcode ☃ only", t0, "20261127-113402-n-code-only"},
		{"Deploy", t0.In(local), "20261127-113402-deploy-4"},                                                      // id is in UTC
		{strings.Repeat("abcdefghij", 10), t0, "20261127-113402-" + strings.Repeat("abcdefghij", 4) + "abcdefgh"}, // Slug cuts at 48
	}
	for _, tt := range tests {
		r, err := s.NewRun("docs/runbook.md", tt.title, "alice", "prod1", tt.now)
		if err != nil {
			t.Fatalf("NewRun(%q): %v", tt.title, err)
		}
		if r.ID != tt.want {
			t.Errorf("NewRun(%q).ID = %q, want %q", tt.title, r.ID, tt.want)
		}
		cur, err := s.Current()
		if err != nil || cur == nil || cur.ID != tt.want {
			t.Fatalf("Current() after NewRun(%q) = %v, %v; want run %s", tt.title, cur, err, tt.want)
		}
		if !cur.Started.Equal(t0) || cur.Started.Location() != time.UTC {
			t.Errorf("Started = %v, want %v in UTC", cur.Started, t0)
		}
	}
}

func TestNewRunConcurrentIDsAreUnique(t *testing.T) {
	s := newStore(t)
	const n = 20
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			r, err := s.NewRun("rb.md", "deploy", "alice", "prod1", t0)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- r.ID
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id %s given twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct runs, want %d", len(seen), n)
	}
}

func sampleRun(t *testing.T, s *Store) *Run {
	t.Helper()
	r, err := s.NewRun("docs/runbook.md", "Deploy v2", "alice", "prod1", t0)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Command("deploy/pull/fetch")
	c.Status = OK
	c.JobID = "j1"
	c.Attempt = 2
	c.Started = t0.Add(time.Minute)
	c.Ended = t0.Add(2 * time.Minute)
	c.Log = "/x/log"
	c.Params = map[string]string{"version": "v2"}
	c.Confirmed = "yes"
	r.Command("deploy/migrate/upgrade").Status = Failed
	r.Checks["pre/backup"] = &CheckState{Done: true, By: "alice", At: t0}
	r.Choices["deploy/pull/fetch"] = "deploy/pull/fetch"
	r.Params["version"] = "v2"
	r.Vars["IMAGE"] = "planner:v2"
	r.Notes["deploy/pull"] = []Note{{By: "alice", At: t0, Text: "slow network"}}
	r.Backups = []Backup{{Path: "/b/1.sql", Size: 10, SHA256: "ab", Verified: true, At: t0}}
	if err := s.Save(r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s := newStore(t)
	before := time.Now().UTC()
	r := sampleRun(t, s)
	if r.Updated.Before(before) {
		t.Errorf("Save did not set Updated: %v", r.Updated)
	}
	got, err := s.Load(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		gb, _ := json.Marshal(got)
		rb, _ := json.Marshal(r)
		t.Fatalf("Load differs from saved:\n got %s\nwant %s", gb, rb)
	}

	raw, err := os.ReadFile(filepath.Join(s.RunDir(r.ID), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["version"] != float64(1) || m["id"] != r.ID {
		t.Errorf("state.json has version=%v id=%v, want 1 and %s", m["version"], m["id"], r.ID)
	}
	fi, _ := os.Stat(filepath.Join(s.RunDir(r.ID), "state.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state.json mode %v, want 0600", fi.Mode().Perm())
	}
	// No temp files left behind.
	ents, _ := os.ReadDir(s.RunDir(r.ID))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func TestLoadedRunHasUsableMaps(t *testing.T) {
	s := newStore(t)
	id := "20261127-113402-min"
	writeState(t, s, id, `{"version":1,"id":"`+id+`"}`)
	r, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	// Must not panic: maps are allocated.
	r.Checks["x"] = &CheckState{Done: true}
	r.Choices["a"] = "b"
	r.Params["p"] = "v"
	r.Vars["V"] = "1"
	r.Notes["s"] = append(r.Notes["s"], Note{Text: "n"})
	r.Command("c").Status = OK
}

func writeState(t *testing.T, s *Store, id, content string) string {
	t.Helper()
	if err := os.MkdirAll(s.RunDir(id), 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(s.RunDir(id), "state.json")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadBadState(t *testing.T) {
	s := newStore(t)
	good, err := json.MarshalIndent(stateFile{Version: 1, Run: &Run{ID: "ID", Title: "x",
		Commands: map[string]*CommandRun{"a": {Status: OK}}}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		want    []string // substrings of the error
	}{
		{"truncated by a full disk", string(good[:len(good)/2]), []string{"state.json", "line ", "unexpected end of JSON input", "truncated"}},
		{"empty", "", []string{"state.json", "empty file"}},
		{"garbage on line 3", "{\n  \"version\": 1,\n  \"id\": x\n}", []string{"state.json", "line 3, column 9"}},
		{"wrong type", "{\n\"version\": 1,\n\"commands\": []}", []string{"state.json", "line 3", "cannot unmarshal"}},
		{"newer version", `{"version": 2, "id": "ID"}`, []string{"state.json", "version 2 is newer", "use a newer planner-tui"}},
		{"no version", `{"id": "ID"}`, []string{"state.json", `no "version" field`}},
		{"other run's state", `{"version": 1, "id": "someone-else"}`, []string{"state.json", `holds run "someone-else"`}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "20261127-11340" + string(rune('0'+i)) + "-bad"
			content := strings.ReplaceAll(tt.content, `"ID"`, `"`+id+`"`)
			writeState(t, s, id, content)
			_, err := s.Load(id)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// A corrupt current run is an error from Current, not a crash
			// and not a silent "no run".
			if err := s.SetCurrent(id); err != nil {
				t.Fatal(err)
			}
			r, err := s.Current()
			if err == nil || r != nil {
				t.Fatalf("Current() = %v, %v; want error", r, err)
			}
			if !strings.Contains(err.Error(), filepath.Join(s.RunDir(id), "state.json")) {
				t.Errorf("Current error %q does not name the file", err)
			}
		})
	}
}

func TestUnknownFieldsIgnored(t *testing.T) {
	s := newStore(t)
	id := "20261127-113402-future"
	writeState(t, s, id, `{"version":1,"id":"`+id+`","title":"T","new_field":{"a":[1,2]},
		"commands":{"c":{"status":"ok","later":true}}}`)
	r, err := s.Load(id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Title != "T" || r.Commands["c"].Status != OK {
		t.Errorf("Load = %+v", r)
	}
}

func TestCurrentAndSetCurrent(t *testing.T) {
	s := newStore(t)
	if r, err := s.Current(); r != nil || err != nil {
		t.Fatalf("Current() on empty store = %v, %v; want nil, nil", r, err)
	}
	a, err := s.NewRun("rb", "a", "alice", "h", t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NewRun("rb", "b", "alice", "h", t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := s.Current(); cur.ID != b.ID {
		t.Errorf("current = %s, want newest %s", cur.ID, b.ID)
	}
	if err := s.SetCurrent(a.ID); err != nil {
		t.Fatal(err)
	}
	if cur, _ := s.Current(); cur.ID != a.ID {
		t.Errorf("current = %s, want %s", cur.ID, a.ID)
	}
	for _, bad := range []string{"no-such-run", "../etc", "", "a/b", ".hidden"} {
		if err := s.SetCurrent(bad); err == nil {
			t.Errorf("SetCurrent(%q) succeeded", bad)
		}
	}
	if cur, _ := s.Current(); cur.ID != a.ID {
		t.Errorf("after refused SetCurrent, current = %s, want %s", cur.ID, a.ID)
	}
	// A pointer to a run that was deleted is an error naming it.
	if err := os.RemoveAll(s.RunDir(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Current(); err == nil || !strings.Contains(err.Error(), a.ID) {
		t.Errorf("Current() with deleted run: err = %v, want one naming %s", err, a.ID)
	}
}

func TestRuns(t *testing.T) {
	s := newStore(t)
	old := sampleRun(t, s) // started t0: 1 ok, 1 failed, 1 check
	mid, err := s.NewRun("docs/runbook.md", "mid", "bob", "h2", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	mid.Ended = t0.Add(2 * time.Hour)
	if err := s.Save(mid); err != nil {
		t.Fatal(err)
	}
	broken := "20261127-143402-broken"
	writeState(t, s, broken, `{"version":1,"id":`)
	if err := s.SetCurrent(old.ID); err != nil {
		t.Fatal(err)
	}
	// Not runs: a stray file and a hidden dir.
	os.WriteFile(filepath.Join(s.Dir, "runs", "README"), nil, 0o600)
	os.Mkdir(filepath.Join(s.Dir, "runs", ".tmp"), 0o700)

	got, err := s.Runs()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	want := []string{broken, mid.ID, old.ID}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("Runs() ids = %v, want newest first %v", ids, want)
	}
	if got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "state.json") {
		t.Errorf("broken run Err = %v", got[0].Err)
	}
	if !got[0].Started.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("broken run Started from id = %v", got[0].Started)
	}
	if got[1].Title != "mid" || got[1].Operator != "bob" || !got[1].Ended.Equal(mid.Ended) || got[1].Current {
		t.Errorf("mid summary = %+v", got[1])
	}
	o := got[2]
	if !o.Current || o.Counts[OK] != 1 || o.Counts[Failed] != 1 || o.ChecksDone != 1 || o.Title != "Deploy v2" {
		t.Errorf("old summary = %+v", o)
	}
}

func TestClone(t *testing.T) {
	s := newStore(t)
	r := sampleRun(t, s)
	c := r.Clone()
	if !reflect.DeepEqual(&c, r) {
		t.Fatal("clone differs from original")
	}
	c.Command("deploy/pull/fetch").Status = Failed
	c.Commands["deploy/pull/fetch"].Params["version"] = "v3"
	c.Command("new").Status = OK
	c.Checks["pre/backup"].Done = false
	c.Choices["x"] = "y"
	c.Params["version"] = "v3"
	c.Vars["IMAGE"] = "other"
	c.Notes["deploy/pull"][0].Text = "changed"
	c.Backups[0].Path = "/elsewhere"

	if r.Commands["deploy/pull/fetch"].Status != OK ||
		r.Commands["deploy/pull/fetch"].Params["version"] != "v2" ||
		r.Commands["new"] != nil ||
		!r.Checks["pre/backup"].Done ||
		r.Choices["x"] != "" ||
		r.Params["version"] != "v2" ||
		r.Vars["IMAGE"] != "planner:v2" ||
		r.Notes["deploy/pull"][0].Text != "slow network" ||
		r.Backups[0].Path != "/b/1.sql" {
		t.Errorf("changing the clone changed the original: %+v", r)
	}
}

func TestProgress(t *testing.T) {
	r := &Run{
		Commands: map[string]*CommandRun{
			"ok": {Status: OK}, "skip": {Status: Skipped}, "fail": {Status: Failed},
			"run": {Status: Running}, "int": {Status: Interrupted}, "pend": {Status: Pending},
		},
		Checks: map[string]*CheckState{"ticked": {Done: true}, "unticked": {Done: false}},
	}
	tests := []struct {
		ids         []string
		done, total int
	}{
		{nil, 0, 0},
		{[]string{"ok", "skip", "ticked"}, 3, 3},
		{[]string{"fail", "run", "int", "pend", "unticked", "unknown"}, 0, 6},
		{[]string{"ok", "fail", "ticked", "unticked"}, 2, 4},
		{[]string{"ok", "ok", "ticked"}, 2, 2}, // duplicates count once
	}
	for _, tt := range tests {
		d, n := r.Progress(tt.ids)
		if d != tt.done || n != tt.total {
			t.Errorf("Progress(%v) = %d/%d, want %d/%d", tt.ids, d, n, tt.done, tt.total)
		}
	}
	// A run with nil maps (zero value) does not panic.
	if d, n := (&Run{}).Progress([]string{"a"}); d != 0 || n != 1 {
		t.Errorf("zero run Progress = %d/%d", d, n)
	}
}

// TestSaveIsAtomicForReaders saves a run over and over while readers load
// it: a reader must never see a partly written file.
func TestSaveIsAtomicForReaders(t *testing.T) {
	s := newStore(t)
	r := sampleRun(t, s)
	// Make the file big enough that a non-atomic write would be seen torn.
	for i := range 2000 {
		r.Vars[strings.Repeat("V", 20)+string(rune('a'+i%26))+time.Duration(i).String()] = strings.Repeat("x", 50)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := s.Load(r.ID); err != nil {
					t.Errorf("reader saw a bad state: %v", err)
					return
				}
			}
		})
	}
	for i := range 50 {
		r.Params["i"] = time.Duration(i).String()
		if err := s.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
}

// Each runbook has its own current run: making a run of runbook B current
// does not take runbook A's away.
func TestCurrentPerRunbook(t *testing.T) {
	s := newStore(t)
	a, err := s.NewRun("/rb/a.md", "A", "alice", "h", t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NewRun("/rb/b.md", "B", "alice", "h", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for rb, want := range map[string]string{"/rb/a.md": a.ID, "/rb/b.md": b.ID, "/rb/c.md": ""} {
		got, err := s.CurrentFor(rb)
		if err != nil {
			t.Fatal(err)
		}
		id := ""
		if got != nil {
			id = got.ID
		}
		if id != want {
			t.Errorf("CurrentFor(%s) = %q, want %q", rb, id, want)
		}
	}
	runs, err := s.Runs()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if !r.Current {
			t.Errorf("run %s (%s) is not listed as current", r.ID, r.Runbook)
		}
	}
}

// A state dir written by an older version has only `current`: its run is
// the current run of its own runbook, not of another.
func TestCurrentFromOlderStateDir(t *testing.T) {
	s := newStore(t)
	a, err := s.NewRun("/rb/a.md", "A", "alice", "h", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.Dir, "current.json")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.CurrentFor("/rb/a.md"); err != nil || got == nil || got.ID != a.ID {
		t.Errorf("CurrentFor(a) from the old file = %v, %v; want %s", got, err, a.ID)
	}
	if got, err := s.CurrentFor("/rb/b.md"); err != nil || got != nil {
		t.Errorf("CurrentFor(b) = %v, %v; want none", got, err)
	}
}
