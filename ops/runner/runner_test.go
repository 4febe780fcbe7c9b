package runner

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOutputInterleavedInOrder(t *testing.T) {
	spec := newSpec(t, `for i in $(seq 1 300); do echo "out $i"; echo "err $i" >&2; done`)
	res, live := run(t, spec)
	var want strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&want, "out %d\nerr %d\n", i, i)
	}
	if live != want.String() {
		t.Errorf("live output out of order or incomplete:\n%.200s...", live)
	}
	if log := readLog(t, spec.JobDir); log != want.String() {
		t.Errorf("output.log differs from what was printed")
	}
	if res.ExitCode != 0 || res.Bytes != int64(want.Len()) || res.Err != "" {
		t.Errorf("result = %+v", res)
	}
	if res.Started.IsZero() || res.Ended.Before(res.Started) {
		t.Errorf("times: %v .. %v", res.Started, res.Ended)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name, script string
		code         int
		signal       string
		out          string
	}{
		{"success", "echo hi", 0, "", "hi\n"},
		{"false", "false", 1, "", ""},
		{"last command", "echo a; (exit 42)", 42, "", "a\n"},
		{"exit inside the script stops it", "echo a\nexit 3\necho b", 3, "", "a\n"},
		{"exit inside a function", "f() { exit 5; }\nf\necho not reached", 5, "", ""},
		{"pipefail", "false | cat", 1, "", ""},
		{"no set -e: the script goes on", "false\necho still here", 0, "", "still here\n"},
		{"child killed by SIGKILL", "sh -c 'kill -9 $$'", 137, "", ""},
		{"bash itself killed", "kill -9 $$", 137, "SIGKILL", ""},
		{"syntax error", "echo a\nif then fi", 2, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, out := run(t, newSpec(t, tt.script))
			if res.ExitCode != tt.code || res.Signal != tt.signal || res.Err != "" {
				t.Errorf("result = %+v, want exit %d signal %q", res, tt.code, tt.signal)
			}
			if tt.out != "" && out != tt.out {
				t.Errorf("output = %q, want %q", out, tt.out)
			}
		})
	}
}

// readPgid waits for the script to print "pgid=N" and returns N.
func readPgid(t *testing.T, out *syncBuffer) int {
	t.Helper()
	re := regexp.MustCompile(`pgid=(\d+)\n`)
	var m []string
	waitFor(t, "the script to start", 10*time.Second, func() bool { m = re.FindStringSubmatch(out.String()); return m != nil })
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestCancelKillsTheWholeGroup(t *testing.T) {
	spec := newSpec(t, "sleep 1000 &\nsleep 1000 &\n(sleep 1000; echo never) &\necho pgid=$$\nwait")
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	pgid := readPgid(t, &out)
	start := time.Now()
	if err := job.Cancel(); err != nil {
		t.Fatal(err)
	}
	res, err := job.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !res.Canceled || res.TimedOut || res.ExitCode != 128+int(syscall.SIGTERM) || res.Signal != "SIGTERM" {
		t.Errorf("result = %+v, want canceled by SIGTERM", res)
	}
	if groupAlive(pgid) {
		t.Errorf("processes of group %d still run after cancel", pgid)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %v; SIGTERM should have sufficed", d)
	}
	if err := job.Cancel(); err != nil {
		t.Errorf("second Cancel: %v", err)
	}
}

func TestCancelEscalatesToSIGKILL(t *testing.T) {
	// Children inherit the ignored SIGTERM.
	spec := newSpec(t, "trap '' TERM\nsleep 1000 &\necho pgid=$$\nsleep 1000")
	spec.Grace = 300 * time.Millisecond
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	pgid := readPgid(t, &out)
	start := time.Now()
	job.Cancel()
	res, err := job.Wait()
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if !res.Canceled || res.Signal != "SIGKILL" || res.ExitCode != 137 {
		t.Errorf("result = %+v, want canceled by SIGKILL", res)
	}
	if d < spec.Grace || d > spec.Grace+3*time.Second {
		t.Errorf("SIGKILL after %v, want about the grace %v", d, spec.Grace)
	}
	if groupAlive(pgid) {
		t.Errorf("processes of group %d survived", pgid)
	}
}

func TestTimeout(t *testing.T) {
	spec := newSpec(t, "echo started\nsleep 1000")
	spec.Timeout = 300 * time.Millisecond
	start := time.Now()
	res, out := run(t, spec)
	if !res.TimedOut || res.Canceled || res.ExitCode != 143 {
		t.Errorf("result = %+v, want timed out", res)
	}
	if d := time.Since(start); d < spec.Timeout || d > 5*time.Second {
		t.Errorf("ended after %v", d)
	}
	if out != "started\n" {
		t.Errorf("output = %q", out)
	}
}

func TestVariablesCarryOverJobs(t *testing.T) {
	vars := filepath.Join(t.TempDir(), "vars.sh")
	// The first job runs in another process, like a previous planner-tui.
	first := newSpec(t, "BACKUP_TIMESTAMP=$(date +%s)\nNOTE=$'two\\nlines with \"quotes\" and $dollar'")
	first.VarsFile, first.Sets = vars, []string{"BACKUP_TIMESTAMP", "NOTE", "NEVER_SET"}
	helper := startHelper(t, "run", first)
	if err := helper.Run(); err != nil {
		t.Fatalf("first job in a helper process: %v", err)
	}
	saved, err := ReadVars(vars)
	if err != nil {
		t.Fatal(err)
	}
	ts := saved["BACKUP_TIMESTAMP"]
	if _, err := strconv.Atoi(ts); err != nil || saved["NOTE"] != "two\nlines with \"quotes\" and $dollar" {
		t.Fatalf("saved variables = %q", saved)
	}
	if _, ok := saved["NEVER_SET"]; ok {
		t.Errorf("an unset variable was saved")
	}

	second := newSpec(t, `echo "backup_$BACKUP_TIMESTAMP.sql"; LAST=ok; exit 4`)
	second.VarsFile, second.Sets = vars, []string{"LAST"}
	res, out := run(t, second)
	if out != "backup_"+ts+".sql\n" {
		t.Errorf("second job printed %q, want the first job's timestamp %s", out, ts)
	}
	// Saved also when the script fails or exits.
	if res.ExitCode != 4 || res.Vars["LAST"] != "ok" || res.Vars["BACKUP_TIMESTAMP"] != ts {
		t.Errorf("result = %+v", res)
	}
	if fi, err := os.Stat(vars); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("vars file mode: %v %v", fi.Mode(), err)
	}
	if m, _ := filepath.Glob(vars + ".*"); len(m) != 0 {
		t.Errorf("temp files left: %v", m)
	}

	// A script that unsets a variable removes it.
	third := newSpec(t, "unset LAST")
	third.VarsFile = vars
	if res, _ := run(t, third); res.Vars["LAST"] != "" || res.Vars["BACKUP_TIMESTAMP"] != ts {
		t.Errorf("after unset: %q", res.Vars)
	}
}

func TestVariablesSurviveUserExitTrapAndSetE(t *testing.T) {
	vars := filepath.Join(t.TempDir(), "vars.sh")
	spec := newSpec(t, "set -eu\ntrap 'echo bye' EXIT\nA=1\nfalse\nA=2")
	spec.VarsFile, spec.Sets = vars, []string{"A"}
	res, out := run(t, spec)
	if res.ExitCode != 1 || out != "bye\n" {
		t.Errorf("result %+v output %q", res, out)
	}
	// The user's trap replaced ours, so set -e's exit saved nothing; that
	// is the documented limit. A script that ends normally saves anyway:
	spec2 := newSpec(t, "trap 'echo bye' EXIT\nA=3")
	spec2.VarsFile, spec2.Sets = vars, []string{"A"}
	if res, _ := run(t, spec2); res.Vars["A"] != "3" {
		t.Errorf("vars = %q", res.Vars)
	}
}

func TestMasking(t *testing.T) {
	const secret = "hunter2-Secret!"
	tests := []struct{ name, script string }{
		{"whole", "echo password=" + secret},
		{"stderr", "echo password=" + secret + " >&2"},
		{"base64", "printf '%s' '" + secret + "' | base64"},
		{"base64 inside a blob", "printf 'user:%s:rest' '" + secret + "' | base64 -w0; echo"},
		{"url-encoded", "echo postgres://u:" + url.QueryEscape(secret) + "@db/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spec := newSpec(t, tt.script)
			spec.Secrets = []string{secret}
			_, out := run(t, spec)
			for _, got := range []string{out, readLog(t, spec.JobDir)} {
				if !strings.Contains(got, "***") || leaks(got, secret) {
					t.Errorf("output %q not masked", got)
				}
			}
		})
	}
}

func leaks(s, secret string) bool {
	if strings.Contains(s, secret) || strings.Contains(s, url.QueryEscape(secret)) {
		return true
	}
	for _, w := range strings.Fields(strings.ReplaceAll(s, "***", " ")) {
		if b, err := base64.StdEncoding.DecodeString(w); err == nil && strings.Contains(string(b), secret) {
			return true
		}
	}
	return false
}

// A secret written in two parts, with the job blocked in between, is
// still masked in the live stream and the log.
func TestMaskingSplitAcrossWrites(t *testing.T) {
	const secret = "correct-horse-battery"
	fifo := mkfifo(t)
	pad := strings.Repeat("x", 200)
	spec := newSpec(t, fmt.Sprintf("printf '%%s token=correct-hor' %s\nread -r _ < %s\nprintf 'se-battery done\\n'", pad, fifo))
	spec.Secrets = []string{secret}
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	// The first part has reached the supervisor: the padding before the
	// held-back tail is already out.
	waitFor(t, "the first write", 10*time.Second, func() bool { return len(out.String()) >= 150 })
	if strings.Contains(out.String(), "token") {
		t.Errorf("the tail that may start a secret was not held back: %q", out.String())
	}
	release(t, fifo, "go")
	if _, err := job.Wait(); err != nil {
		t.Fatal(err)
	}
	want := pad + " token=*** done\n"
	if got := out.String(); got != want {
		t.Errorf("live = %q, want %q", got, want)
	}
	if got := readLog(t, spec.JobDir); got != want {
		t.Errorf("log = %q", got)
	}
}

// Secrets, Env values and the script reach the supervisor and bash over
// pipes: not in spec.json, not in any argv.
func TestSecretsStayOffDiskAndArgv(t *testing.T) {
	const secret = "s3cr3t-in-script"
	fifo := mkfifo(t)
	spec := newSpec(t, "export PGPASSWORD="+secret+"\necho pid=$$\nread -r _ < "+fifo)
	spec.Secrets = []string{secret}
	spec.Env = []string{"API_TOKEN=env-" + secret}
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`pid=(\d+)`)
	waitFor(t, "the script", 10*time.Second, func() bool { return re.MatchString(out.String()) })
	bashPid := re.FindStringSubmatch(out.String())[1]
	sup, err := readPidFile(spec.JobDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{bashPid, strconv.Itoa(sup.pid)} {
		cmdline, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(cmdline), secret) {
			t.Errorf("argv of %s holds the secret: %q", pid, cmdline)
		}
	}
	release(t, fifo, "go")
	job.Wait()
	filepath.Walk(spec.JobDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds the secret", p)
			}
		}
		return nil
	})
	b, _ := os.ReadFile(filepath.Join(spec.JobDir, SpecFile))
	if !strings.Contains(string(b), "PGPASSWORD=***") || !strings.Contains(string(b), "API_TOKEN") {
		t.Errorf("spec.json should show the masked script and the env keys: %s", b)
	}
}

func TestMissingDir(t *testing.T) {
	spec := newSpec(t, "echo hi")
	spec.Dir = filepath.Join(t.TempDir(), "nope")
	res, out := run(t, spec)
	if res.ExitCode != -1 || !strings.Contains(res.Err, "working directory "+spec.Dir+" does not exist") || out != "" {
		t.Errorf("result = %+v, output %q", res, out)
	}
	if r, ok, err := ReadResult(spec.JobDir); !ok || err != nil || r.Err != res.Err {
		t.Errorf("result.json = %+v %v %v", r, ok, err)
	}
}

func TestBadSpec(t *testing.T) {
	spec := newSpec(t, "true")
	spec.Sets = []string{"OK", "not-a-name"}
	if _, err := Start(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), `"not-a-name"`) {
		t.Errorf("err = %v", err)
	}
	spec = newSpec(t, "true")
	run(t, spec)
	if _, err := Start(context.Background(), spec, nil); err == nil || !strings.Contains(err.Error(), "already holds a job") {
		t.Errorf("reusing a job dir: err = %v", err)
	}
}

// kill -9 of the starting process (and its whole process group) while the
// job runs: the job finishes and leaves its full output and result.
func TestJobSurvivesKillOfStarter(t *testing.T) {
	fifo := mkfifo(t)
	spec := newSpec(t, "echo before\nread -r x < "+fifo+"\necho \"after $x\"\nexit 7")
	helper := startHelper(t, "block", spec)
	if !Alive(spec.JobDir) {
		t.Fatal("supervisor not alive after Start")
	}
	syscall.Kill(-helper.Process.Pid, syscall.SIGKILL)
	helper.Wait()
	release(t, fifo, "go")
	var res Result
	waitFor(t, "result.json", 10*time.Second, func() bool {
		r, ok, err := ReadResult(spec.JobDir)
		res = r
		return ok || err != nil
	})
	if res.ExitCode != 7 || res.Err != "" {
		t.Errorf("result = %+v", res)
	}
	if log := readLog(t, spec.JobDir); log != "before\nafter go\n" {
		t.Errorf("output.log = %q", log)
	}
	waitFor(t, "the supervisor to exit", 5*time.Second, func() bool { return !Alive(spec.JobDir) })
}

func TestAttachFollowsAnotherProcessJob(t *testing.T) {
	fifo := mkfifo(t)
	spec := newSpec(t, "echo one\nread -r x < "+fifo+"\necho \"two $x\"\nexit 9")
	startHelper(t, "block", spec)
	var out syncBuffer
	job, err := Attach(context.Background(), spec.JobDir, &out)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first line", 10*time.Second, func() bool { return out.String() == "one\n" })
	release(t, fifo, "three")
	res, err := job.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 9 || out.String() != "one\ntwo three\n" {
		t.Errorf("result %+v, output %q", res, out.String())
	}

	// From an offset.
	var rest syncBuffer
	job, err = Attach(context.Background(), spec.JobDir, &rest, FromOffset(4))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := job.Wait(); err != nil || res.ExitCode != 9 || rest.String() != "two three\n" {
		t.Errorf("from offset: %+v %v %q", res, err, rest.String())
	}

	if _, err := Attach(context.Background(), t.TempDir(), nil); err == nil {
		t.Error("Attach to an empty dir should fail")
	}
}

func TestAttachCancel(t *testing.T) {
	spec := newSpec(t, "echo pgid=$$\nsleep 1000")
	startHelper(t, "block", spec)
	var out syncBuffer
	job, err := Attach(context.Background(), spec.JobDir, &out)
	if err != nil {
		t.Fatal(err)
	}
	pgid := readPgid(t, &out)
	if err := job.Cancel(); err != nil {
		t.Fatal(err)
	}
	res, err := job.Wait()
	if err != nil || !res.Canceled {
		t.Errorf("result %+v %v", res, err)
	}
	if groupAlive(pgid) {
		t.Error("group survived")
	}
}

// A supervisor killed with SIGKILL leaves no result: Wait says so and
// records it.
func TestSupervisorDied(t *testing.T) {
	spec := newSpec(t, "echo pgid=$$\nsleep 1000")
	var out syncBuffer
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	pgid := readPgid(t, &out)
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL) })
	tok, err := readPidFile(spec.JobDir)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Kill(tok.pid, syscall.SIGKILL)
	waited := make(chan struct{})
	var res Result
	go func() { res, err = job.Wait(); close(waited) }()

	// The command goes on without its supervisor: the job is still alive
	// (one command at a time must hold) and Wait does not return, until
	// the command ends too.
	if !Alive(spec.JobDir) {
		t.Error("not Alive while the command still runs without its supervisor")
	}
	select {
	case <-waited:
		t.Fatalf("Wait returned while the command still runs: %+v", res)
	case <-time.After(300 * time.Millisecond): // a bounded look, not a sync
	}
	// Cancel from another process's point of view (Attach) reaches the
	// command's group even though its supervisor is gone.
	att, err2 := Attach(context.Background(), spec.JobDir, nil)
	if err2 != nil {
		t.Fatal(err2)
	}
	if err := att.Cancel(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-waited:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after the command was cancelled")
	}
	if err != nil || res.ExitCode != -1 || res.Err != "supervisor died" {
		t.Errorf("result %+v %v", res, err)
	}
	// The attached follower writes the result too when it sees the job
	// dead; let it finish before the job dir is removed.
	if _, err := att.Wait(); err != nil {
		t.Errorf("attached Wait: %v", err)
	}
	if r, ok, _ := ReadResult(spec.JobDir); !ok || r.Err != "supervisor died" {
		t.Errorf("result.json = %+v %v", r, ok)
	}
	if Alive(spec.JobDir) {
		t.Error("Alive after the supervisor died and the command was cancelled")
	}
}

func TestReadVarsQuoting(t *testing.T) {
	dir := t.TempDir()
	vars := filepath.Join(dir, "vars.sh")
	values := map[string]string{
		"PLAIN": "abc", "SPACES": "a b  c", "QUOTES": `it's "quoted"`, "DOLLAR": "$HOME ${X} `cmd`",
		"BACKSLASH": `C:\path\n`, "NEWLINE": "a\nb\n", "TAB": "a\tb", "UNICODE": "zürich ✓", "EMPTY": "",
	}
	var script strings.Builder
	var names []string
	for k, v := range values {
		fmt.Fprintf(&script, "%s=%s\n", k, shellQuote(v))
		names = append(names, k)
	}
	script.WriteString("declare -a ARR=(x 'y z')\nexport EXPORTED=yes\n")
	names = append(names, "ARR", "EXPORTED")
	spec := newSpec(t, script.String())
	spec.VarsFile, spec.Sets = vars, names
	res, _ := run(t, spec)
	for k, v := range values {
		if res.Vars[k] != v {
			t.Errorf("%s = %q, want %q", k, res.Vars[k], v)
		}
	}
	if res.Vars["ARR"] != `([0]="x" [1]="y z")` || res.Vars["EXPORTED"] != "yes" {
		t.Errorf("ARR = %q EXPORTED = %q", res.Vars["ARR"], res.Vars["EXPORTED"])
	}
	// And bash reads them back the same, exported stays exported.
	check := newSpec(t, `printf '%s|' "$QUOTES" "$NEWLINE" "${ARR[1]}"; env | grep -c '^EXPORTED=yes$'`)
	check.VarsFile = vars
	if _, out := run(t, check); out != "it's \"quoted\"|a\nb\n|y z|1\n" {
		t.Errorf("round trip: %q", out)
	}
	if m, err := ReadVars(filepath.Join(dir, "missing")); err != nil || len(m) != 0 {
		t.Errorf("missing vars file: %v %v", m, err)
	}
	os.WriteFile(vars, []byte("rm -rf /\n"), 0o600)
	if _, err := ReadVars(vars); err == nil {
		t.Error("a non-declare line should be an error")
	}
}

// A background process that keeps the output pipe open does not keep the
// job from ending.
func TestBackgroundProcessHoldingThePipe(t *testing.T) {
	spec := newSpec(t, "sleep 30 &\necho pgid=$$\necho done")
	var out syncBuffer
	start := time.Now()
	job, err := Start(context.Background(), spec, &out)
	if err != nil {
		t.Fatal(err)
	}
	res, err := job.Wait()
	pgid := readPgid(t, &out)
	syscall.Kill(-pgid, syscall.SIGKILL)
	if err != nil || res.ExitCode != 0 || !strings.HasSuffix(out.String(), "done\n") {
		t.Errorf("result %+v %v %q", res, err, out.String())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// A reader that stops reading does not stall the job: the output goes on
// to output.log and the reader catches up from there.
func TestSlowReaderDoesNotStallTheJob(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the live stall timeout")
	}
	spec := newSpec(t, "head -c 5000000 /dev/zero | tr '\\0' x; echo")
	gate := make(chan struct{})
	w := &gatedWriter{gate: gate}
	job, err := Start(context.Background(), spec, w)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to end while the reader is stuck", 15*time.Second, func() bool {
		_, ok, _ := ReadResult(spec.JobDir)
		return ok
	})
	close(gate)
	res, err := job.Wait()
	if err != nil || res.Bytes != 5000001 || w.n != 5000001 {
		t.Errorf("result %+v %v; reader got %d bytes", res, err, w.n)
	}
}

type gatedWriter struct {
	gate chan struct{}
	n    int
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.gate
	g.n += len(p)
	return len(p), nil
}
