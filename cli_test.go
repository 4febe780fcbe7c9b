package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"planner-tui/ops/audit"
)

// sectionHeadings returns the "##" headings of a Markdown file, outside
// front matter and code fences, in order.
func sectionHeadings(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	i := 0
	if len(lines) > 0 && strings.TrimSpace(lines[0]) == "---" {
		for i = 1; i < len(lines) && strings.TrimSpace(lines[i]) != "---"; i++ {
		}
		i++
	}
	var heads []string
	fence := ""
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		trimmed := strings.TrimLeft(l, " ")
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				fence = ""
			}
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
		case strings.HasPrefix(l, "## "):
			heads = append(heads, strings.TrimSpace(strings.TrimPrefix(l, "## ")))
		}
	}
	return heads
}

func TestListJSONMatchesSchema(t *testing.T) {
	state := t.TempDir()
	r := cli(t, "--state-dir", state, "--dir", t.TempDir(), "list", "--json")
	if r.code != 0 {
		t.Fatalf("list --json: exit %d: %s", r.code, r.stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"title", "path", "vars", "sections"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("top level has no %q", k)
		}
	}
	var rb struct {
		Title    string `json:"title"`
		Sections []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Line  int    `json:"line"`
			Steps []struct {
				ID       string                       `json:"id"`
				Commands []map[string]json.RawMessage `json:"commands"`
				Checks   []map[string]json.RawMessage `json:"checks"`
			} `json:"steps"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rb); err != nil {
		t.Fatal(err)
	}
	if rb.Title != "Deployment Runbook" {
		t.Errorf("title = %q", rb.Title)
	}
	want := sectionHeadings(t, filepath.Join("docs", "runbook.md"))
	var got []string
	for _, sec := range rb.Sections {
		got = append(got, sec.Title)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sections:\n got %q\nwant %q", got, want)
	}
	risks := map[string]bool{"safe": true, "change": true, "destructive": true}
	ids := map[string]bool{}
	n := 0
	for _, sec := range rb.Sections {
		if sec.ID == "" || sec.Line <= 0 {
			t.Errorf("section %q: id %q line %d", sec.Title, sec.ID, sec.Line)
		}
		for _, st := range sec.Steps {
			for _, c := range st.Commands {
				n++
				str := func(k string) string {
					var s string
					if v, ok := c[k]; ok {
						if err := json.Unmarshal(v, &s); err != nil {
							t.Errorf("command field %s: %v", k, err)
						}
					}
					return s
				}
				id := str("id")
				for _, k := range []string{"id", "title", "script", "risk", "status"} {
					if str(k) == "" {
						t.Errorf("command %q: %q missing or empty", id, k)
					}
				}
				if ids[id] {
					t.Errorf("duplicate command id %q", id)
				}
				ids[id] = true
				if !strings.HasPrefix(id, st.ID+"/") {
					t.Errorf("command %q is not under its step %q", id, st.ID)
				}
				if risk := str("risk"); !risks[risk] {
					t.Errorf("command %q: risk %q", id, risk)
				} else if risk == "destructive" && str("confirm") == "" {
					t.Errorf("destructive command %q has no confirm phrase", id)
				}
				if s := str("status"); s != "pending" {
					t.Errorf("command %q: status %q in a fresh state dir", id, s)
				}
				if _, ok := c["exit_code"]; ok {
					t.Errorf("command %q: exit_code for a pending command", id)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d commands in the embedded runbook", n)
	}
	// A read-only command leaves no run behind.
	if _, err := os.Stat(filepath.Join(state, "current")); err == nil {
		t.Error("list created a run")
	}
}

func TestShowBySuffix(t *testing.T) {
	s := newStack(t)
	r := cli(t, s.args("show", "say-hello")...)
	if r.code != 0 || !strings.Contains(r.stdout, "["+idGreet+"]") || !strings.Contains(r.stdout, `echo "hello from $PWD"`) {
		t.Errorf("show say-hello: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var c jsonCommand
	jsonOf(t, &c, s.args("show", "--json", "wipe/wipe-the-scratch-dir")...)
	if c.ID != idWipe || c.Risk != "destructive" || c.Confirm != "wipe-scratch" || c.Status != "pending" {
		t.Errorf("show --json: %+v", c)
	}
	r = cli(t, s.args("show", "say-hell")...)
	if r.code == 0 || !strings.Contains(r.stderr, "say-hell") {
		t.Errorf("show of an unknown id: exit %d, %q", r.code, r.stderr)
	}
}

func TestRunGuards(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		marker string // exists after the run
		stderr string
	}{
		{"destructive without --confirm", []string{"run", "wipe-the-scratch-dir"}, exitRefused, "", `"wipe-scratch"`},
		{"destructive with a wrong phrase", []string{"run", "wipe-the-scratch-dir", "--confirm", "wipe"}, exitRefused, "", `"wipe-scratch"`},
		{"destructive with --yes only", []string{"run", "wipe-the-scratch-dir", "--yes"}, exitRefused, "", `"wipe-scratch"`},
		{"destructive with the phrase", []string{"run", "wipe-the-scratch-dir", "--confirm", "wipe-scratch"}, 0, "wiped", ""},
		{"change without --yes, no terminal", []string{"run", "touch-the-change-marker"}, exitRefused, "", "--yes"},
		{"change with --yes", []string{"run", "touch-the-change-marker", "--yes"}, 0, "changed", ""},
		{"migration without a backup", []string{"run", "migrate-the-database", "--yes"}, exitRefused, "", `no verified backup of testdb`},
		{"migration with the database name", []string{"run", "migrate-the-database", "--confirm", "testdb"}, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t)
			r := cli(t, s.args(tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to say %q", r.code, tt.code, r.stderr, tt.stderr)
			}
			for _, m := range []string{"wiped", "changed"} {
				if s.exists(m) != (m == tt.marker) {
					t.Errorf("marker %s exists: %v", m, s.exists(m))
				}
			}
			if tt.code == exitRefused {
				for _, id := range []string{idWipe, idTouch} {
					if c := s.commandStatus(t, id); c.Status != "pending" {
						t.Errorf("%s has status %q after a refusal", id, c.Status)
					}
				}
			}
		})
	}
}

func TestRunParams(t *testing.T) {
	s := newStack(t)
	r := cli(t, s.args("run", "deploy-a-version")...)
	if r.code != exitBadParam || !strings.Contains(r.stderr, "version, token") || !strings.Contains(r.stderr, "--param") {
		t.Errorf("missing params: exit %d, %q", r.code, r.stderr)
	}
	r = cli(t, s.args("run", "deploy-a-version", "--param", "version=;rm -rf /", "--param", "token=x")...)
	if r.code != exitBadParam || !strings.Contains(r.stderr, "<version>") {
		t.Errorf("bad param: exit %d, %q", r.code, r.stderr)
	}
	r = cli(t, s.args("run", "deploy-a-version", "--param", "version=v1.2.3", "--param", "<token>=tok-1")...)
	// The token is a secret-named parameter: it runs, and shows as ***.
	if r.code != 0 || !strings.Contains(r.stdout, "deploying v1.2.3 with token ***") || strings.Contains(r.stdout, "tok-1") {
		t.Errorf("with params: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = cli(t, s.args("run", "deploy-a-version", "--param", "noequals")...)
	if r.code != exitBadParam || !strings.Contains(r.stderr, "NAME=VALUE") {
		t.Errorf("malformed --param: exit %d, %q", r.code, r.stderr)
	}
}

func TestRunChoose(t *testing.T) {
	s := newStack(t)
	r := cli(t, s.args("run", "pick-a", "--choose", "say-hello")...)
	if r.code != exitBadParam || !strings.Contains(r.stderr, "not an alternative") {
		t.Errorf("--choose a non-alternative: exit %d, %q", r.code, r.stderr)
	}
	r = cli(t, s.args("run", "pick-a", "--choose", "or-pick-b")...)
	if r.code != 0 || !strings.Contains(r.stdout, "picked-b") || strings.Contains(r.stdout, "picked-a") {
		t.Errorf("--choose or-pick-b: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = cli(t, s.args("run", "pick-a")...)
	if r.code != exitRefused || !strings.Contains(r.stderr, "Or pick B") || strings.Contains(r.stdout, "picked-a") {
		t.Errorf("the other alternative after B ran: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if c := s.commandStatus(t, idPickB); c.Status != "ok" {
		t.Errorf("B: %+v", c)
	}
}

func TestRunExitCode(t *testing.T) {
	s := newStack(t)
	for _, tt := range []struct {
		id     string
		code   int
		status string
	}{{idExit0, 0, "ok"}, {idExit1, 1, "failed"}, {idExit42, 42, "failed"}} {
		r := cli(t, s.args("run", tt.id)...)
		if r.code != tt.code {
			t.Errorf("run %s: exit %d, want %d (%s)", tt.id, r.code, tt.code, r.stderr)
		}
		c := s.commandStatus(t, tt.id)
		if c.Status != tt.status || c.ExitCode == nil || *c.ExitCode != tt.code {
			t.Errorf("%s after the run: %+v", tt.id, c)
		}
	}
}

func TestRunStreamsOutputInOrder(t *testing.T) {
	s := newStack(t)
	r := cli(t, s.args("run", idCount)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 300 {
		t.Fatalf("%d lines, want 300", len(lines))
	}
	for i, l := range lines {
		if l != "line "+strconv.Itoa(i+1) {
			t.Fatalf("line %d is %q", i+1, l)
		}
	}

	// Live: "first" arrives while the command still waits.
	c := command(t, s.args("run", idPrintW)...)
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Process.Kill()
	br := bufio.NewReader(stdout)
	first := make(chan string, 1)
	go func() { l, _ := br.ReadString('\n'); first <- l }()
	select {
	case l := <-first:
		if l != "first\n" {
			t.Fatalf("first line %q", l)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no live output while the command runs")
	}
	if err := os.WriteFile(s.release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(br)
	if err := c.Wait(); err != nil || string(rest) != "second\n" {
		t.Errorf("after release: %v, %q", err, rest)
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		file  string
		code  int
		lines []string
	}{
		{"testdata/lint/unclosed-fence.md", 1, []string{"testdata/lint/unclosed-fence.md:7: code block is never closed"}},
		{"testdata/lint/missing-anchor.md", 1, []string{
			"testdata/lint/missing-anchor.md:5: link to #no-such-place: no heading has that anchor",
			"testdata/lint/missing-anchor.md:9: link to #also-missing: no heading has that anchor",
		}},
		{"testdata/lint/swallow.md", 0, []string{
			`testdata/lint/swallow.md:5: warning: command "Health check": "|| echo" makes the command exit 0 when curl fails`,
			`testdata/lint/swallow.md:8: warning: command "Programs": curl without -f (--fail)`,
		}},
		{"docs/runbook.md", 0, nil},
		{"testdata/session.md", 0, nil},
	}
	line := regexp.MustCompile(`^[^:]+:\d+: \S`)
	for _, tt := range tests {
		r := cli(t, "lint", tt.file)
		if r.code != tt.code {
			t.Errorf("lint %s: exit %d, want %d\n%s%s", tt.file, r.code, tt.code, r.stdout, r.stderr)
		}
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if l != "" && !line.MatchString(l) {
				t.Errorf("lint %s: %q is not FILE:LINE: message", tt.file, l)
			}
			if tt.code == 0 && l != "" && !strings.Contains(l, ": warning: ") {
				t.Errorf("lint %s: error %q", tt.file, l)
			}
		}
		for _, want := range tt.lines {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("lint %s: no %q in\n%s", tt.file, want, r.stdout)
			}
		}
	}
	if r := cli(t, "lint", "testdata/lint/no-such-file.md"); r.code != 1 || !strings.Contains(r.stderr, "testdata/lint/no-such-file.md") {
		t.Errorf("lint of a missing file: exit %d, %q", r.code, r.stderr)
	}
	if r := cli(t, "lint"); r.code != 0 {
		t.Errorf("lint of the embedded runbook: exit %d\n%s", r.code, r.stdout)
	}
}

func TestVersion(t *testing.T) {
	r := cli(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "planner-tui ") {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
	if os.Getenv("PLANNER_TUI_BIN") == "" && !strings.HasPrefix(r.stdout, "planner-tui "+testVersion+" (commit ") {
		t.Errorf("version = %q, want the -X main.version stamp %s", r.stdout, testVersion)
	}
}

func TestTUIWithoutTerminal(t *testing.T) {
	r := cli(t, "--state-dir", t.TempDir())
	if r.code == 0 || !strings.Contains(r.stderr, "needs a terminal") || !strings.Contains(r.stderr, "planner-tui run ID") || !strings.Contains(r.stderr, "planner-tui list") {
		t.Errorf("TUI without a terminal: exit %d, %q", r.code, r.stderr)
	}
}

// startBlocked starts `planner-tui run` of the command that waits for the
// release file and exits 7, and waits until the state says it runs. It
// returns the process and the command's process group id.
func startBlocked(t *testing.T, s *stack) (*os.Process, int, chan error) {
	t.Helper()
	c := command(t, s.args("run", idBlock7, "--yes")...)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	// done delivers Wait's error to the test; the cleanup only needs
	// the process reaped, which exited says.
	done := make(chan error, 1)
	exited := make(chan struct{})
	go func() { done <- c.Wait(); close(exited) }()
	t.Cleanup(func() {
		c.Process.Kill()
		<-exited
	})
	var pgid int
	waitFor(t, "the command to run", 10*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(s.marks, "pgid"))
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			return false
		}
		pgid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return pgid > 0
	})
	var st statusReport
	jsonOf(t, &st, s.args("status", "--json")...)
	if st.Running != idBlock7 {
		t.Fatalf("status --json says running %q while the command runs", st.Running)
	}
	return c.Process, pgid, done
}

// A planner-tui killed (or hung up on) while a step runs: the step
// finishes and its result is recorded for the next start.
func TestKilledRunIsRecorded(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			// SIGHUP: testMain gives the children the default action
			// even when this test run was started under nohup.
			s := newStack(t)
			p, _, done := startBlocked(t, s)
			if err := p.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("planner-tui did not die of %v", sig)
			}
			if c := s.commandStatus(t, idBlock7); c.Status != "running" {
				t.Fatalf("with planner-tui dead and the step waiting: %+v", c)
			}
			if err := os.WriteFile(s.release, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			var c jsonCommand
			waitFor(t, "the step's result", 15*time.Second, func() bool {
				c = s.commandStatus(t, idBlock7)
				return c.Status != "running"
			})
			if c.Status != "failed" || c.ExitCode == nil || *c.ExitCode != 7 {
				t.Fatalf("after the step ended: %+v, want failed with exit code 7", c)
			}
			log, err := os.ReadFile(c.Log)
			if err != nil || !strings.Contains(string(log), "done") {
				t.Errorf("log %s: %v, %q", c.Log, err, log)
			}
			// The lock died with the process: the next run works, and
			// records the end of the orphaned step in the audit log.
			if r := cli(t, s.args("run", idGreet)...); r.code != 0 {
				t.Fatalf("next run: exit %d: %s", r.code, r.stderr)
			}
			recs, err := audit.Read(filepath.Join(s.state, "audit.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range recs {
				found = found || r.Event == "run.end" && r.CommandID == idBlock7 && r.ExitCode != nil && *r.ExitCode == 7
			}
			if !found {
				t.Error("no run.end record with exit code 7 for the orphaned step")
			}
		})
	}
}

// Ctrl+C cancels the step: its process group is gone, its status is
// interrupted.
func TestInterruptCancelsTheStep(t *testing.T) {
	s := newStack(t)
	p, pgid, done := startBlocked(t, s)
	if err := p.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("planner-tui did not end after SIGINT")
	}
	if err == nil {
		t.Error("planner-tui run exited 0 after SIGINT")
	}
	waitFor(t, "the step's process group to go", 10*time.Second, func() bool {
		return errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
	})
	if c := s.commandStatus(t, idBlock7); c.Status != "interrupted" {
		t.Errorf("after SIGINT: %+v, want interrupted", c)
	}
	if s.exists("release") {
		t.Fatal("test bug: release file exists")
	}
}

func TestAuditRecords(t *testing.T) {
	s := newStack(t)
	// Refused: a destructive command, wrong phrase, a secret in its text.
	if r := cli(t, s.args("run", idDrop, "--param", "release="+secretText, "--confirm", "nope")...); r.code != exitRefused {
		t.Fatalf("refused run: exit %d: %s", r.code, r.stderr)
	}
	// Confirmed destructive.
	if r := cli(t, s.args("run", idWipe, "--confirm", "wipe-scratch")...); r.code != 0 {
		t.Fatalf("confirmed run: exit %d: %s", r.code, r.stderr)
	}
	// Normal, with the secret in its text, failing with 42.
	if r := cli(t, s.args("run", idParams, "--param", "version=v9", "--param", "token="+secretText)...); r.code != 0 || strings.Contains(r.stdout, secretText) {
		t.Fatalf("normal run: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, s.args("run", idExit42)...); r.code != 42 {
		t.Fatalf("exit 42 run: exit %d", r.code)
	}

	path := filepath.Join(s.state, "audit.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secretText) {
		t.Error("the audit log holds the secret from .env")
	}
	if bad, err := audit.Verify(path); err != nil || bad != 0 {
		t.Errorf("audit.Verify: %d bad lines, %v", bad, err)
	}
	recs, err := audit.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	find := func(event, id string) *audit.Record {
		for i := range recs {
			if recs[i].Event == event && recs[i].CommandID == id {
				return &recs[i]
			}
		}
		t.Errorf("no %s record for %s", event, id)
		return nil
	}
	for _, r := range recs {
		if r.Actor.User == "" || r.Actor.Host == "" {
			t.Errorf("%s record without an actor: %+v", r.Event, r.Actor)
		}
		if r.Version != testVersion && os.Getenv("PLANNER_TUI_BIN") == "" {
			t.Errorf("%s record: version %q", r.Event, r.Version)
		}
	}
	if r := find("refuse", idDrop); r != nil {
		if !strings.Contains(r.Command, `rm -rf "$MARK_DIR/***"`) || r.Confirmation != "<4 characters, not shown: not the phrase nor a typo of it>" || r.Outcome != "refused" {
			t.Errorf("refuse record: %+v", r)
		}
	}
	if hasRecord(recs, "run.start", idDrop) {
		t.Error("the refused command has a run.start record")
	}
	if r := find("confirm", idWipe); r != nil && r.Confirmation != "wipe-scratch" {
		t.Errorf("confirm record: %+v", r)
	}
	if r := find("run.start", idParams); r != nil && r.Command != `echo "deploying v9 with token ***"` {
		t.Errorf("run.start command %q, want the secret masked", r.Command)
	}
	for _, tt := range []struct {
		id      string
		code    int
		outcome string
	}{{idWipe, 0, "ok"}, {idParams, 0, "ok"}, {idExit42, 42, "failed"}} {
		find("run.start", tt.id)
		r := find("run.end", tt.id)
		if r == nil {
			continue
		}
		if r.ExitCode == nil || *r.ExitCode != tt.code || r.Outcome != tt.outcome || r.Duration == "" || r.StepID == "" {
			t.Errorf("run.end of %s: %+v", tt.id, r)
		}
	}
}

func hasRecord(recs []audit.Record, event, id string) bool {
	for _, r := range recs {
		if r.Event == event && r.CommandID == id {
			return true
		}
	}
	return false
}
