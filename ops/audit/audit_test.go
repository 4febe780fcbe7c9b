package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const childEnv = "PLANNER_AUDIT_TEST_CHILD"

// TestMain lets the test binary act as another process appending to the
// log: childEnv is "<path> <id> <count>".
func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		f := strings.Fields(v)
		n, _ := strconv.Atoi(f[2])
		l, err := Open(f[0])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for i := range n {
			if err := l.Append(Record{Event: "note", Message: f[1] + "-" + strconv.Itoa(i)}); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func openLog(t *testing.T, path string) *Log {
	t.Helper()
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func appendN(t *testing.T, l *Log, n int, prefix string) {
	t.Helper()
	for i := range n {
		if err := l.Append(Record{Event: "note", Message: prefix + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func lines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func mustVerify(t *testing.T, path string) {
	t.Helper()
	if bad, err := Verify(path); bad != 0 || err != nil {
		t.Fatalf("Verify = %d, %v; want intact", bad, err)
	}
}

func TestAppendReadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path)
	code := 3
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	want := Record{
		Time: at, Event: "run.end", RunID: "r1", StepID: "deploy/migrate", CommandID: "deploy/migrate/upgrade",
		Actor:   Actor{User: "root", SudoUser: "alice", SSHFrom: "10.0.0.5", Host: "prod1"},
		Version: "v0.1.0", Command: "docker compose exec app alembic upgrade head",
		Confirmation: "yes", ExitCode: &code, DurationMS: 1500, Outcome: "failed", Message: "boom",
		Artifacts: map[string]string{"path": "/b/x.sql", "sha256": "ab"},
	}
	before := time.Now().UTC()
	if err := l.Append(want); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Record{Event: "note", Message: "second"}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Read returned %d records, want 2", len(got))
	}
	r := got[0]
	if !r.Time.Equal(at) || r.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v in UTC", r.Time, at)
	}
	if r.Event != want.Event || r.RunID != "r1" || r.StepID != want.StepID || r.CommandID != want.CommandID ||
		r.Actor != want.Actor || r.Version != "v0.1.0" || r.Command != want.Command || r.Confirmation != "yes" ||
		r.ExitCode == nil || *r.ExitCode != 3 || r.DurationMS != 1500 || r.Duration != "1.5s" ||
		r.Outcome != "failed" || r.Message != "boom" || r.Artifacts["path"] != "/b/x.sql" || r.Prev != "" {
		t.Errorf("record 1 = %+v", r)
	}
	if got[1].Time.Before(before) || got[1].Time.Location() != time.UTC {
		t.Errorf("zero Time not set to now UTC: %v", got[1].Time)
	}
	ls := lines(t, path)
	sum := sha256.Sum256(ls[0])
	if got[1].Prev != hex.EncodeToString(sum[:]) {
		t.Errorf("record 2 Prev = %q, want sha256 of line 1", got[1].Prev)
	}
	// An exit code of 0 is recorded, not dropped.
	zero := 0
	l.Append(Record{Event: "run.end", ExitCode: &zero})
	if !bytes.Contains(lines(t, path)[2], []byte(`"exit_code":0`)) {
		t.Errorf("exit code 0 not in line: %s", lines(t, path)[2])
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	mustVerify(t, path)
}

func TestReopenContinuesChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path)
	appendN(t, l, 3, "a")
	l.Close()
	if err := l.Append(Record{Event: "note"}); err == nil {
		t.Error("Append after Close succeeded")
	}
	l2 := openLog(t, path)
	appendN(t, l2, 3, "b")
	mustVerify(t, path)
	recs, _ := Read(path)
	if len(recs) != 6 {
		t.Errorf("%d records, want 6", len(recs))
	}
}

// TestLongLastLine makes the last line longer than the chunk the tail is
// read in, so finding its start takes several reads backwards.
func TestLongLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path)
	appendN(t, l, 2, "short")
	l.Append(Record{Event: "note", Message: strings.Repeat("x", 3*tailChunk+17)})
	l.Close()
	l2 := openLog(t, path)
	appendN(t, l2, 1, "after")
	mustVerify(t, path)
}

func TestTornTail(t *testing.T) {
	tests := []struct {
		name string
		good int // records written before the crash
	}{
		{"torn after good records", 3},
		{"torn first line", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l := openLog(t, path)
			appendN(t, l, tt.good, "good")
			l.Close()
			// A crash in the middle of the next write: half a line, no "\n".
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(`{"time":"2026-11-27T12:00:00Z","event":"run.st`)
			f.Close()

			// a crash is not tampering: the chain holds, the fragment is named
			if rep, err := Check(path); err != nil || !rep.OK || !slices.Equal(rep.Torn, []int{tt.good + 1}) {
				t.Errorf("Check on a torn tail = %+v, %v; want OK with line %d torn", rep, err, tt.good+1)
			}
			l2, err := Open(path)
			if err != nil {
				t.Fatalf("Open with torn tail: %v", err)
			}
			defer l2.Close()
			if err := l2.Append(Record{Event: "run.start", Message: "after crash"}); err != nil {
				t.Fatalf("Append after torn tail: %v", err)
			}
			appendN(t, l2, 1, "later")

			recs, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != tt.good+2 || recs[tt.good].Message != "after crash" {
				t.Fatalf("Read = %d records (%+v), want the %d good ones and 2 new", len(recs), recs, tt.good)
			}
			ls := lines(t, path)
			if len(ls) != tt.good+3 {
				t.Fatalf("%d lines, want the torn one on its own line", len(ls))
			}
			// The torn fragment stays visible, and the lines after it are
			// still checked: Check names it, and an edit after it breaks.
			if rep, err := Check(path); err != nil || !rep.OK || !slices.Equal(rep.Torn, []int{tt.good + 1}) || rep.Lines != tt.good+3 {
				t.Errorf("Check = %+v, %v; want OK, %d lines, line %d torn", rep, err, tt.good+3, tt.good+1)
			}
			edited := append([][]byte{}, ls...)
			edited[tt.good+1] = bytes.Replace(edited[tt.good+1], []byte("after crash"), []byte("after crash!"), 1)
			if err := os.WriteFile(path, append(bytes.Join(edited, []byte("\n")), '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			if bad, err := Verify(path); bad != tt.good+3 || err == nil || !strings.Contains(err.Error(), "does not match") {
				t.Errorf("Verify after an edit past the torn line = %d, %v; want line %d broken", bad, err, tt.good+3)
			}
			// a fragment the next record does not chain over is no crash's
			// (the record after the crash replaced by garbage: "later" no
			// longer chains to anything before it)
			replaced := append(append([][]byte{}, ls[:tt.good]...), []byte(`garbage`), ls[tt.good+2])
			if err := os.WriteFile(path, append(bytes.Join(replaced, []byte("\n")), '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			if bad, err := Verify(path); bad != tt.good+1 || err == nil || !strings.Contains(err.Error(), "not a record") {
				t.Errorf("Verify with a record replaced by garbage = %d, %v; want line %d, not a record", bad, err, tt.good+1)
			}
			// The new record chains to the last good one, skipping the fragment.
			want := ""
			if tt.good > 0 {
				s := sha256.Sum256(ls[tt.good-1])
				want = hex.EncodeToString(s[:])
			}
			if recs[tt.good].Prev != want {
				t.Errorf("record after the crash has Prev %q, want hash of the last good line %q", recs[tt.good].Prev, want)
			}
		})
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(ls [][]byte) [][]byte
		bad    int
		msg    string
	}{
		{"untouched", func(ls [][]byte) [][]byte { return ls }, 0, ""},
		{"line 2 edited", func(ls [][]byte) [][]byte {
			ls[1] = bytes.Replace(ls[1], []byte(`"m1"`), []byte(`"m9"`), 1)
			return ls
		}, 3, "does not match line 2"},
		{"line 3 removed", func(ls [][]byte) [][]byte { return append(ls[:2:2], ls[3:]...) }, 3, "changed, removed or inserted"},
		{"first line removed", func(ls [][]byte) [][]byte { return ls[1:] }, 1, "lines before it were removed"},
		{"line inserted", func(ls [][]byte) [][]byte {
			return append(ls[:2:2], append([][]byte{[]byte(`{"event":"note","prev":""}`)}, ls[2:]...)...)
		}, 3, "changed"},
		{"lines swapped", func(ls [][]byte) [][]byte { ls[1], ls[2] = ls[2], ls[1]; return ls }, 2, "does not match line 1"},
		{"garbage line", func(ls [][]byte) [][]byte { ls[3] = []byte("rm -rf /"); return ls }, 4, "not a record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l := openLog(t, path)
			appendN(t, l, 5, "m")
			l.Close()
			ls := tt.tamper(lines(t, path))
			if err := os.WriteFile(path, append(bytes.Join(ls, []byte("\n")), '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			bad, err := Verify(path)
			if bad != tt.bad {
				t.Errorf("Verify = %d, %v; want line %d", bad, err, tt.bad)
			}
			if tt.bad == 0 && err != nil {
				t.Errorf("Verify error on intact log: %v", err)
			}
			if tt.bad != 0 && (err == nil || !strings.Contains(err.Error(), tt.msg) ||
				!strings.Contains(err.Error(), fmt.Sprintf("line %d", tt.bad))) {
				t.Errorf("Verify error = %v, want line %d and %q", err, tt.bad, tt.msg)
			}
		})
	}
}

func TestVerifyMissingFile(t *testing.T) {
	bad, err := Verify(filepath.Join(t.TempDir(), "none"))
	if bad != 0 || err == nil {
		t.Errorf("Verify of missing file = %d, %v; want 0 and an error", bad, err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("Read of missing file succeeded")
	}
}

// TestConcurrentAppends appends from many goroutines through two Logs on
// the same file (two open file descriptions, as two processes would have)
// and from child processes; every line must be a whole record and the
// chain intact.
func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	a, b := openLog(t, path), openLog(t, path)
	const goroutines, each, children, perChild = 16, 25, 3, 40

	var procs []*exec.Cmd
	for i := range children {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s child%d %d", childEnv, path, i, perChild))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		l := a
		if g%2 == 1 {
			l = b
		}
		wg.Go(func() {
			for i := range each {
				msg := fmt.Sprintf("g%d-%d %s", g, i, strings.Repeat("y", 1000*(i%5)))
				if err := l.Append(Record{Event: "note", Message: msg}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range procs {
		if err := p.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	seen := map[string]bool{}
	for sc.Scan() {
		n++
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not valid JSON: %v", n, err)
		}
		seen[strings.Fields(r.Message)[0]] = true
	}
	if want := goroutines*each + children*perChild; n != want || len(seen) != want {
		t.Errorf("%d lines, %d distinct records; want %d", n, len(seen), want)
	}
	mustVerify(t, path)
}

func TestActor(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		user     string
		host     string
		want     Actor
		wantText string
	}{
		{"plain", nil, "alice", "prod1", Actor{User: "alice", Host: "prod1"}, "alice@prod1"},
		{"sudo over ssh", map[string]string{"SUDO_USER": "bob", "SSH_CONNECTION": "10.0.0.5 51234 10.0.0.1 22"},
			"root", "prod1", Actor{User: "root", SudoUser: "bob", SSHFrom: "10.0.0.5", Host: "prod1"},
			"root@prod1 via sudo from bob from 10.0.0.5"},
		{"ssh only, old sshd", map[string]string{"SSH_CLIENT": "192.168.1.9 40000 22"}, "alice", "prod1",
			Actor{User: "alice", SSHFrom: "192.168.1.9", Host: "prod1"}, "alice@prod1 from 192.168.1.9"},
		{"no passwd entry", map[string]string{"USER": "deploy"}, "", "", Actor{User: "deploy", Host: "unknown-host"},
			"deploy@unknown-host"},
		{"no passwd entry, no USER", nil, "", "box", Actor{User: "uid 1234", Host: "box"}, "uid 1234@box"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := actorFrom(func(k string) string { return tt.env[k] }, tt.user, 1234, tt.host)
			if a != tt.want {
				t.Errorf("actor = %+v, want %+v", a, tt.want)
			}
			if a.String() != tt.wantText {
				t.Errorf("String() = %q, want %q", a.String(), tt.wantText)
			}
		})
	}
	t.Setenv("SUDO_USER", "carol")
	t.Setenv("SSH_CONNECTION", "10.1.2.3 1 10.0.0.1 22")
	a := CurrentActor()
	h, _ := os.Hostname()
	if a.User == "" || a.Host != h || a.SudoUser != "carol" || a.SSHFrom != "10.1.2.3" {
		t.Errorf("CurrentActor() = %+v", a)
	}
}

func BenchmarkAppend(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "audit.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	r := Record{Event: "run.end", RunID: "20261127-113402-deploy", Command: strings.Repeat("c", 200), Outcome: "ok"}
	for b.Loop() {
		if err := l.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenLarge shows Open reads only the tail: its cost does not
// grow with the log (here ~64 MB).
func BenchmarkOpenLarge(b *testing.B) {
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	line := append(bytes.Repeat([]byte("x"), 1023), '\n')
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for range 64 << 10 {
		w.Write(line)
	}
	w.Flush()
	f.Close()
	for b.Loop() {
		l, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		l.Close()
	}
}
